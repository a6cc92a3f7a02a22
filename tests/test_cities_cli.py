"""A second city end to end through the command line, as on a fresh clone: `greenmfg reference-data --city`
and `greenmfg run --city 330400` publish Jiaxing's snapshot and report into its own store; the snapshot
records the city and the changelog of renames; Huzhou's run is refused on Jiaxing's store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from greenmfg.changelog import CHANGELOG
from greenmfg.contracts import CONTRACTS
from greenmfg.indicators import DATASETS
from greenmfg.publish import latest, read_dataframe, read_manifest
from greenmfg.reference.placed import placed_entities
from greenmfg.storage.local import LocalStore

JIAXING = "330400"
JIAXING_REGIONS = {JIAXING, "330402", "330411", "330421", "330424", "330481", "330482", "330483"}


def _greenmfg(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it in a fresh folder: no GREENMFG_ or PREFECT_ settings but its own home."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GREENMFG_", "PREFECT_"))}
    clean |= {"PREFECT_HOME": str(cwd / "prefect-home"), "GX_ANALYTICS_ENABLED": "false", **env}
    return subprocess.run(
        [sys.executable, "-m", "greenmfg.cli", *args], cwd=cwd, env=clean, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def jiaxing_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Jiaxing's reference filings of 2020 and `greenmfg run --city 330400` on them, in a fresh folder."""
    folder = tmp_path_factory.mktemp("fresh-clone")
    written = _greenmfg(folder, "reference-data", "ref", "--city", JIAXING, "--years", "2020-2020")
    assert written.returncode == 0, written.stderr
    assert f"for city {JIAXING}" in written.stdout and "calibrated" not in written.stdout
    return folder, _greenmfg(folder, "run", "--city", JIAXING, "--reference-dir", "ref")


@pytest.mark.slow
def test_run_with_the_city_publishes_its_snapshot_and_report_in_its_own_store(jiaxing_run) -> None:
    folder, run = jiaxing_run
    assert run.returncode == 0, run.stderr
    assert "headline figures of Jiaxing (嘉兴市, 330400) for 2020" in run.stdout
    assert "rank among prefecture-level cities" in run.stdout and "58 % in 浙江" in run.stdout
    store = LocalStore(str(folder / ".greenmfg" / "cities" / JIAXING / "store" / "published"))
    head = latest(store)
    assert head is not None and not (folder / ".greenmfg" / "store").exists()  # Huzhou's store untouched
    manifest = read_manifest(store, head.snapshot_id)
    assert manifest["parameters"]["city_code"] == JIAXING
    assert manifest["dictionary"]["city"]["name_zh"] == "嘉兴市"
    coverage = read_dataframe(store, "green_coverage", snapshot_id=head.snapshot_id)
    assert set(coverage["region_code"]) == JIAXING_REGIONS
    key = json.loads((folder / "ref" / "answer_key.json").read_text(encoding="utf-8"))
    city = coverage[(coverage["region_code"] == JIAXING) & (coverage["industry_division"] == "ALL")]
    assert (key["city"], city["green_plants"].item()) == (JIAXING, key["headline"]["green_plants"])
    places = read_dataframe(store, "miit_entry_places", snapshot_id=head.snapshot_id)
    placed = places[places["city_code"] == JIAXING]
    found = {(r.list_type, r.entity_name, r.product_name or "") for r in placed.fillna("").itertuples()}
    generated = {(r["list_type"], r["entity_name"], r["product_name"]) for r in placed_entities(JIAXING)}
    assert found == generated  # the reference city holds exactly the real entries placed in Jiaxing
    report = (store.root / "snapshots" / head.snapshot_id / "report.html").read_text(encoding="utf-8")
    assert "<title>嘉兴市绿色制造统计报告 · Jiaxing green manufacturing report" in report
    assert "湖州" not in report


@pytest.mark.slow
def test_the_snapshot_carries_the_changelog_of_every_rename(jiaxing_run) -> None:
    folder, run = jiaxing_run
    assert run.returncode == 0, run.stderr
    store = LocalStore(str(folder / ".greenmfg" / "cities" / JIAXING / "store" / "published"))
    changelog = read_manifest(store, latest(store).snapshot_id)["dictionary"]["changelog"]
    assert changelog == [change.to_dict() for change in CHANGELOG]
    renames = [c for c in changelog if c["kind"] == "rename" and not c["where"].startswith("report")]
    assert ("huzhou_district_code", "district_code") in {(c["before"], c["after"]) for c in renames}
    columns = {c for contract in CONTRACTS.values() for c in contract.column_names}
    columns |= {c for dataset in DATASETS.values() for c in dataset.column_names}
    for change in renames:  # every rename is real: the new name is in the schema and the old one is gone
        assert change["after"] in columns and change["before"] not in columns
    staged = pd.concat(
        pd.read_parquet(path)
        for path in (folder / ".greenmfg/cities/330400/store/staging/canonical").glob(
            "miit_green_*/*/*.parquet"
        )
    )
    assert "district_code" in staged.columns and set(staged["district_code"].dropna()) <= JIAXING_REGIONS


@pytest.mark.slow
def test_another_city_is_refused_on_the_store_in_one_line(jiaxing_run) -> None:
    folder, run = jiaxing_run
    assert run.returncode == 0, run.stderr
    store = folder / ".greenmfg" / "cities" / JIAXING / "store"
    refused = _greenmfg(
        folder, "run", "--reference-dir", "huzhou-ref", GREENMFG_STORE_URL=str(store)
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0
    assert "holds the snapshots of 嘉兴市 (330400); expected a store of 湖州市 (330500)" in refused.stderr
    assert not (folder / "huzhou-ref").exists()  # nothing generated, nothing landed
