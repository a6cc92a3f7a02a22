"""A snapshot's validation Data Docs, built from the stored GX results and published beside its report, load
every script, stylesheet and font from the site itself: in Debian's Chromium the page is styled and no
request leaves the machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.browser import Browser

from greenmfg import build, sweep
from greenmfg.policy import Policy
from greenmfg.reference import generate
from greenmfg.report import publish_report
from greenmfg.report.data_docs import publish_data_docs
from greenmfg.settings import AREAS
from greenmfg.storage import Stores, keys
from greenmfg.storage.local import LocalStore
from greenmfg.validation.docs_site import SHIPPED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Stores, str]:
    """Two green-loan filings of a small city, ingested without Data Docs, and a snapshot of them."""
    root = tmp_path_factory.mktemp("data-docs")
    generate(root / "reference", enterprises=40, years=(2019, 2020))
    stores = Stores(**{area: LocalStore(root / "store" / area) for area in AREAS})
    for path in sorted((root / "reference" / "green_loans").iterdir()):
        key = f"green_loans/{path.name}"
        stores.landing.write_bytes(key, path.read_bytes())
        assert sweep.ingest_landed(stores, key, build_docs=False).status == "accepted"
    selection = build.select_filings(stores)
    params = Policy()
    published = build.publish(
        stores, build.derive(build.load_inputs(stores, selection), params), selection, params
    )
    return stores, published.snapshot_id


def test_the_snapshots_data_docs_are_published_beside_its_report_and_linked(snapshot) -> None:
    stores, snapshot_id = snapshot
    index = publish_data_docs(stores, snapshot_id)
    assert index == keys.snapshot_data_docs_index(snapshot_id)
    pages = [i.key for i in stores.published.list(keys.snapshot_data_docs_prefix(snapshot_id))]
    assert len([p for p in pages if p.endswith(".html") and "/validations/green_loans/" in p]) == 2
    html = stores.published.read_bytes(index).decode()
    assert "https://" not in "".join(
        line for line in html.splitlines() if "<script" in line or "<link" in line
    )
    report = stores.published.read_bytes(publish_report(stores, snapshot_id)).decode()
    assert 'href="data_docs/index.html"' in report


@pytest.mark.parametrize("page", ["index", "validation"])
def test_data_docs_pages_are_styled_offline_with_no_request_off_the_machine(
    snapshot, tmp_path: Path, page: str
) -> None:
    stores, snapshot_id = snapshot
    publish_data_docs(stores, snapshot_id)
    site = stores.published.root / keys.snapshot_data_docs_prefix(snapshot_id)
    target = site / "index.html" if page == "index" else next((site / "validations").rglob("*.html"))

    with Browser(tmp_path / "profile") as browser:
        browser.goto(target.as_uri())
        browser.wait_until("document.readyState === 'complete'")
        # bootstrap's stylesheet and Font Awesome's solid font are in use: the page is styled, icons drawn
        assert browser.evaluate("getComputedStyle(document.querySelector('.row')).display") == "flex"
        browser.wait_until("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
        assert browser.evaluate("typeof window.jQuery") == "function"
        requests = list(browser.requests)

    assert requests and all(url.startswith(("file://", "data:")) for url in requests), requests
    assert any(url.endswith("static/vendor/bootstrap/css/bootstrap.min.css") for url in requests)


def test_every_cdn_asset_the_templates_name_is_shipped() -> None:
    from greenmfg.validation.docs_site import package_dir, shipped_files

    assert all((package_dir(package) / relative).is_file() for package, relative in SHIPPED.values())
    assert any(path.suffix == ".woff2" for path, _ in shipped_files())
