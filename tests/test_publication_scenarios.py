"""Issue 13, scenarios 2 and 5, end to end through the command line on fresh local stores (a Prefect API for
the reprocess flow): a narrow reprocess after a correction publishes the full derive, whose manifest lists
exactly the filings whose rows it holds, so the next publish is unchanged only when that is so; the star
threshold of the environment reaches every year of the snapshot a narrow reprocess publishes, and its
manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from helpers import reference
from helpers.stores import HELPERS
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from greenmfg import archive
from greenmfg.policy import Policy
from greenmfg.publish import list_snapshots, read_dataframe, read_manifest
from greenmfg.storage import ObjectStore, local_stores

pytestmark = pytest.mark.slow

CITY = "330500"
CORRECTION_10K_YUAN = 8_000.0  # the correction adds 0.8 亿元 to one 2020 application


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


def greenmfg(commands: list[tuple[list[str], dict[str, str]]], store: Path, api_url: str) -> list[dict]:
    """Command lines run one after the other in one `greenmfg` process (tests/helpers/cli_batch.py), each
    with its own extra settings; returns each one's exit code and output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREENMFG_", "PREFECT_"))}
    env |= {"GREENMFG_STORE_URL": str(store), "GX_ANALYTICS_ENABLED": "false", "COLUMNS": "120"}
    env |= {"PREFECT_API_URL": api_url, "PREFECT_HOME": str(store.parent / "prefect-home")}
    requests = [{"argv": argv, "env": extra} for argv, extra in commands]
    done = subprocess.run(
        [sys.executable, str(HELPERS / "cli_batch.py")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = json.loads(done.stdout)
    for (argv, _), outcome in zip(commands, outcomes, strict=True):
        assert outcome["code"] == 0, (argv, outcome["stderr"][-3000:])
    return outcomes


def reference_file(year: int, filing_type: str) -> Path:
    return next(p for k, p in reference.landing_files(corrections=False) if k.startswith(f"{filing_type}/")
                and str(year) in k)  # fmt: skip


def loans_correction(folder: Path) -> Path:
    """The 2020 loans filing re-filed with its first application 0.8 亿元 (8,000 万元) higher."""
    lines = reference_file(2020, "green_loans").read_bytes().decode("gb18030").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    amount = header.index("贷款金额(亿元)")
    first[amount] = f"{float(first[amount]) + CORRECTION_10K_YUAN / 10_000:.3f}"
    lines[1] = ",".join(first)
    path = folder / "02_2020年绿色贷款申请_更正.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def held_sources(published: ObjectStore, snapshot_id: str) -> set[str]:
    """The union of every dataset's source_sha256s: the filings whose rows the snapshot holds."""
    held = set()
    for name in read_manifest(published, snapshot_id)["datasets"]:
        frame = read_dataframe(published, name, snapshot_id=snapshot_id)
        held |= {sha for cell in frame["source_sha256s"].dropna().unique() for sha in cell.split(";")}
    return held


def city_loans(published: ObjectStore, snapshot_id: str) -> pd.Series:
    finance = read_dataframe(published, "green_finance", snapshot_id=snapshot_id)
    return finance[finance["region_code"] == CITY].set_index("year")["loan_total_10k_yuan"]


def test_a_narrow_reprocess_after_a_correction_publishes_it_with_exact_sources(
    prefect_api: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    originals = [reference_file(year, "green_loans") for year in (2019, 2020)]
    correction = loans_correction(tmp_path / "bureau")
    outcomes = greenmfg(
        [
            (["ingest", *map(str, originals), "--type", "green_loans"], {}),
            (["publish"], {}),
            (["ingest", str(correction), "--type", "green_loans"], {}),
            (["publish", "--dry-run", "--json"], {}),
            (["reprocess", "--from", "2019", "--to", "2019", "--dataset", "green_finance"], {}),
            (["publish", "--json"], {}),
        ],
        store,
        prefect_api,
    )
    pending = json.loads(outcomes[3]["stdout"])  # latest lacks the correction: publishing would change it
    assert pending["verdict"] != "unchanged" and pending["snapshot_id"]
    reprocessed = outcomes[4]["stdout"]
    assert "nothing in the range changed" in reprocessed  # 2019 is as it was…
    assert (
        "outside the range, 1 dataset period(s) changed too: green_finance 2020" in reprocessed
    )  # …2020 not

    published = local_stores(store).published
    first, second = list_snapshots(published)
    assert pending["snapshot_id"] == second.snapshot_id  # the dry run showed exactly what reprocess published
    before, after = city_loans(published, first.snapshot_id), city_loans(published, second.snapshot_id)
    assert after[2020] == pytest.approx(before[2020] + CORRECTION_10K_YUAN)
    assert after[2019] == before[2019]
    # The manifest lists exactly the filings whose rows the snapshot holds: the correction, not the original.
    in_force = {archive.sha256_hex(originals[0].read_bytes()), archive.sha256_hex(correction.read_bytes())}
    assert held_sources(published, second.snapshot_id) == in_force
    assert {s["sha256"] for s in read_manifest(published, second.snapshot_id)["sources"]} == in_force
    # So the next publish finds nothing new, rightly: the data holds every filing in force.
    assert json.loads(outcomes[5]["stdout"])["verdict"] == "unchanged"
    assert len(list_snapshots(published)) == 2


def test_the_star_threshold_of_the_environment_reaches_every_year_a_narrow_reprocess_publishes(
    prefect_api: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    files = [reference_file(y, t) for t in ("enterprise_stats", "green_register") for y in (2019, 2020)]
    four = {"GREENMFG_STAR_THRESHOLD": "4"}
    coverage_in_focus = ["reprocess", "--from", "2020", "--to", "2020", "--dataset", "green_coverage"]
    outcomes = greenmfg(
        [
            (["ingest", *map(str, files)], {}),
            (["publish"], {}),  # the policy's threshold, 3
            (coverage_in_focus, four),
            (["publish", "--json"], four),
            ([*coverage_in_focus, "--dry-run"], {}),
        ],
        store,
        prefect_api,
    )
    published = local_stores(store).published
    first, second = list_snapshots(published)
    assert (
        read_manifest(published, second.snapshot_id)["parameters"]
        == replace(Policy(), star_threshold=4).to_dict()
    )
    key = ["year", "region_code", "industry_division"]
    old = read_dataframe(published, "green_coverage", snapshot_id=first.snapshot_id).set_index(key)
    new = read_dataframe(published, "green_coverage", snapshot_id=second.snapshot_id).set_index(key)
    assert set(new["star_threshold"]) == {4} and set(new.index.get_level_values("year")) == {2019, 2020}
    assert (new["green_plants"] <= old["green_plants"]).all()
    fewer = new["green_plants"] < old["green_plants"]
    assert set(new.index[fewer].get_level_values("year")) == {2019, 2020}  # 2019 too, outside the range
    assert "outside the range" in outcomes[2]["stdout"] and "green_coverage 2019" in outcomes[2]["stdout"]
    assert json.loads(outcomes[3]["stdout"])["verdict"] == "unchanged"  # the same threshold: nothing new
    # Back to the policy's threshold (no environment override), every year would change again.
    assert "green_coverage 2019" in outcomes[4]["stdout"] and "green_coverage 2020" in outcomes[4]["stdout"]
