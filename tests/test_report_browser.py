"""The report of the reference snapshot, rendered in headless Chromium with no network.

Chromium comes from Debian (`apt-get install -y chromium fonts-noto-cjk`); this test installs nothing and
fails, naming that step, when /usr/bin/chromium is missing. It checks that every chart drew, that the page
logged nothing to the console (a blocked request logs a CSP violation there), that no URL in the DOM leaves
the machine, that the links into the staging area reach their files, and (with GREENMFG_UPDATE_SCREENSHOTS=1)
saves docs/report.png.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from greenmfg import headline
from greenmfg.report import publish_report
from greenmfg.report.contents import page_contents
from greenmfg.storage import Stores

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
MIIT_DIR = ROOT.parent / "shared" / "data" / "miit-green-lists"
SCREENSHOT = ROOT / "docs" / "report.png"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
)  # fmt: skip
CONSOLE = re.compile(r":CONSOLE[:(]")


def chromium_binary() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.fail(
            "Chromium is missing: run `apt-get update && apt-get install -y chromium fonts-noto-cjk`",
            pytrace=False,
        )
    return found


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless run in a new empty profile; stdout holds --dump-dom's DOM, stderr the console log."""
    command = [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


def console_messages(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def reference(reference_run) -> tuple[Stores, str]:
    """The reference filings and the real MIIT lists through ingestion and publication (no Prefect)."""
    return reference_run.stores, reference_run.snapshot_id


def test_the_console_check_sees_a_blocked_request(tmp_path: Path) -> None:
    """Guards the check below: a page that tries to load from outside logs a CSP violation we detect."""
    page = tmp_path / "leak.html"
    page.write_text(
        "<!DOCTYPE html><html><head>"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '</head><body><img src="http://192.0.2.1/x.png"></body></html>',
        encoding="utf-8",
    )
    run = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert any("192.0.2.1" in message for message in console_messages(run))


def test_reference_report_renders_offline_with_every_chart_drawn(
    reference: tuple[Stores, str], tmp_path: Path
) -> None:
    stores, snapshot_id = reference
    key = publish_report(stores, snapshot_id)
    page = stores.published.root / key
    html = page.read_text(encoding="utf-8")

    run = chromium(page.as_uri(), tmp_path / "dom", "--dump-dom", "--virtual-time-budget=2000")
    assert console_messages(run) == []
    dom = page_contents(run.stdout)
    assert len(dom.charts) >= 10 and dom.charts == page_contents(html).charts
    assert all(count > 0 for count in dom.charts.values()), dom.charts
    assert {"city_ranking", "unplaced_by_province"} <= set(dom.charts)  # Huzhou among the cities
    assert 'class="empty"' not in run.stdout
    assert "default-src 'none'" in run.stdout
    assert not [u for u in dom.urls if re.match(r"(?i)^\s*(https?:)?//", u)]
    assert not re.search(r"(?i)url\(\s*['\"]?(https?:)?//", run.stdout)

    staging_links = [u for u in dom.urls if u.startswith("../")]
    assert any(u.endswith("data_docs/index.html") for u in staging_links)
    missing = [u for u in staging_links if not (page.parent / u).resolve().is_file()]
    assert missing == []

    years = sorted(int(y) for y in re.findall(r"Indicators of (\d{4})", html))
    figures = headline.headline_figures(stores.published, snapshot_id, years[0])
    assert f">{figures['green_plants']:,}<" in html
    assert f">{figures['coverage_pct']:,.1f}<" in html


def test_reference_report_screenshot(reference: tuple[Stores, str], tmp_path: Path) -> None:
    stores, snapshot_id = reference
    page = stores.published.root / publish_report(stores, snapshot_id)
    shot = tmp_path / "report.png"
    run = chromium(page.as_uri(), tmp_path / "shot", f"--screenshot={shot}", "--window-size=1400,2460")
    assert console_messages(run) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 100_000  # a blank page compresses to a few KB
    if os.environ.get("GREENMFG_UPDATE_SCREENSHOTS") == "1":  # refresh the README's picture on purpose only
        SCREENSHOT.write_bytes(data)
