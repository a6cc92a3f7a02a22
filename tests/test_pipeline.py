"""The whole pipeline on the reference filings, in-process on local stores (no Prefect): landing → archive →
parse → validate → stage → derive → publish, checked against the generator's answer key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import archive, build, headline, landing_copy, publication, staging, sweep
from greenmfg.policy import Policy
from greenmfg.publish import latest, read_dataframe, read_manifest
from greenmfg.storage import Stores, keys


@pytest.fixture(scope="module")
def reference(reference_run) -> Path:
    return reference_run.reference_dir


@pytest.fixture(scope="module")
def answer_key(reference_run) -> dict:
    return reference_run.answer_key


def _publish(stores: Stores, params: Policy | None = None):
    params = params or Policy()
    selection = build.select_filings(stores)
    datasets = build.derive(build.load_inputs(stores, selection), params)
    return build.publish(stores, datasets, selection, params), datasets


@pytest.fixture(scope="module")
def pipeline(reference_run):
    """The session's reference run; the reference filings' results only (the MIIT lists are tested apart)."""
    bureau = [r for r in reference_run.results if not r.record["landing_key"].startswith("miit")]
    published = latest(reference_run.stores.published)
    assert published.snapshot_id == reference_run.snapshot_id, "another test published into the shared run"
    return reference_run.stores, bureau, published


def test_every_reference_filing_is_accepted_without_row_failures(pipeline, answer_key) -> None:
    _, results, _ = pipeline
    assert sorted(r.original_name for r in results) == sorted(Path(k).name for k in answer_key["files"])
    for result in results:
        assert result.status == "accepted", (result.original_name, result.message)
        for part in result.parts:
            assert part.rows_quarantined == 0, (result.original_name, part.validation)
            assert part.rows_accepted == answer_key["files"][result.record["landing_key"]]["rows"]


def test_headline_figures_read_back_equal_the_answer_key(pipeline, answer_key) -> None:
    stores, _, published = pipeline
    expected = answer_key["headline"]
    figures = headline.headline_figures(stores.published, published.snapshot_id, expected["year"])
    assert figures["green_plants"] == expected["green_plants"]
    assert figures["above_size_enterprises"] == expected["above_size_enterprises"]
    assert figures["coverage_pct"] == pytest.approx(expected["coverage_pct"], abs=0.01)
    assert figures["national"] == {
        "green_factory": expected["national_green_factories"],
        "green_park": expected["national_green_parks"],
        "green_supply_chain": expected["national_green_supply_chain"],
        "green_design_product": expected["national_green_design_products"],
    }
    assert figures["loan_applicants"] == expected["loans_enterprises"]
    assert figures["loan_total_10k_yuan"] == pytest.approx(expected["loans_total_10k_yuan"])
    kinds = expected["incentives"].values()
    assert figures["incentive_grants"] == sum(k["count"] for k in kinds)
    assert figures["incentive_total_10k_yuan"] == pytest.approx(sum(k["total_10k_yuan"] for k in kinds))
    assert figures["incentive_above_cap_grants"] == sum(k["over_cap"] for k in kinds)


def test_correction_supersedes_and_both_versions_stay_archived(pipeline, answer_key) -> None:
    stores, results, _ = pipeline
    by_key = {r.record["landing_key"]: r for r in results}
    corrected = next(k for k, f in answer_key["files"].items() if f["supersedes"])
    original = answer_key["files"][corrected]["supersedes"]
    chosen = build.select_filings(stores).chosen
    period = answer_key["files"][corrected]["period"]
    assert chosen[("enterprise_stats", period)].sha256 == by_key[corrected].sha256
    archived = set(archive.list_archived(stores.raw))
    assert {by_key[corrected].sha256, by_key[original].sha256} <= archived
    rows = staging.read_part(stores.staging, chosen[("enterprise_stats", period)]).set_index("credit_code")
    for change in answer_key["corrections"][0]["changes"]:
        value = rows.loc[change["credit_code"], change["column"]]
        assert value == pytest.approx(change["after"], rel=1e-9, abs=1e-6)


def test_every_published_row_names_archived_source_filings(pipeline) -> None:
    stores, _, published = pipeline
    archived = set(archive.list_archived(stores.raw))
    for dataset in ("green_coverage", "green_finance", "incentives", "energy_intensity"):
        frame = read_dataframe(stores.published, dataset, snapshot_id=published.snapshot_id)
        sources = {s for cell in frame["source_sha256s"].dropna() for s in cell.split(";")}
        assert sources and sources <= archived, dataset


def test_same_bytes_landing_again_are_a_duplicate(pipeline, reference) -> None:
    stores, _, _ = pipeline
    before = archive.list_archived(stores.raw)
    key, path = landing_copy.landing_files(reference)[0]
    copy_key = key.replace("/", "/again_", 1)
    stores.landing.write_bytes(copy_key, path.read_bytes())
    result = sweep.ingest_landed(stores, copy_key, build_docs=False)
    assert result.status == "duplicate"
    assert archive.list_archived(stores.raw) == before


def test_refused_key_is_archived_as_rejected_not_processed(pipeline) -> None:
    stores, _, _ = pipeline
    stores.landing.write_bytes("energy_bills/2020.csv", b"a,b\n1,2\n")
    result = sweep.ingest_landed(stores, "energy_bills/2020.csv", build_docs=False)
    assert result.status == "refused" and "unknown filing type" in result.message
    assert stores.raw.exists(keys.raw_rejected(result.sha256))
    assert not stores.staging.exists(keys.ingestion_record(result.sha256))


def test_unchanged_rerun_publishes_nothing_new(pipeline) -> None:
    stores, _, published = pipeline
    assert sweep.pending_landings(stores) == []
    selection = build.select_filings(stores)
    found = build.unchanged_snapshot(stores, selection, Policy())
    assert found is not None and found["snapshot_id"] == published.snapshot_id and not found["is_new"]
    other_params = replace(Policy(), star_threshold=4)
    assert build.unchanged_snapshot(stores, selection, other_params) is None
    again, _ = _publish(stores)
    assert not again.is_new
    assert again.snapshot_id == published.snapshot_id == latest(stores.published).snapshot_id


def _coverage(stores: Stores, snapshot_id: str) -> pd.DataFrame:
    return read_dataframe(stores.published, "green_coverage", snapshot_id=snapshot_id)


def test_manifest_sources_are_exactly_the_filings_whose_rows_the_snapshot_holds(pipeline) -> None:
    stores, _, published = pipeline
    manifest = read_manifest(stores.published, published.snapshot_id)
    held = set()
    for name in manifest["datasets"]:
        frame = read_dataframe(stores.published, name, snapshot_id=published.snapshot_id)
        held |= {s for cell in frame["source_sha256s"].dropna().unique() for s in cell.split(";")}
    assert {s["sha256"] for s in manifest["sources"]} == held
    in_force = {p.sha256 for p in build.select_filings(stores).chosen.values()}
    assert held <= in_force


def test_a_publication_under_another_policy_derives_every_year(pipeline) -> None:
    """A snapshot holds one policy: another star threshold re-derives every year of every dataset."""
    stores, _, _ = pipeline
    before = latest(stores.published)
    policy = replace(Policy(), star_threshold=5)
    done = publication.publish_in_force(stores, policy)
    assert done.is_new and done.attempts == 1

    old, new = _coverage(stores, before.snapshot_id), _coverage(stores, done.snapshot_id)
    assert set(old["star_threshold"]) == {3} and set(new["star_threshold"]) == {5}
    assert sorted(set(new["year"])) == sorted(set(old["year"])) and len(set(new["year"])) > 1
    key = ["year", "region_code", "industry_division"]
    plants = old.merge(new, on=key, suffixes=("_old", "_new"))
    assert (plants["green_plants_new"] <= plants["green_plants_old"]).all()
    changed_years = set(plants.loc[plants["green_plants_new"] < plants["green_plants_old"], "year"])
    assert len(changed_years) > 1, "a year kept the old policy's figures"
    manifest = read_manifest(stores.published, done.snapshot_id)
    assert manifest["parameters"] == policy.to_dict()
    for name in ("green_finance", "incentives", "energy_intensity", "green_list_counts"):
        pd.testing.assert_frame_equal(
            read_dataframe(stores.published, name, snapshot_id=before.snapshot_id),
            read_dataframe(stores.published, name, snapshot_id=done.snapshot_id),
        )
    assert publication.publish_in_force(stores, policy).verdict == "unchanged"


def test_reprocess_dry_run_and_bad_range_from_the_cli(pipeline, monkeypatch, capsys) -> None:
    from greenmfg.cli import main
    from greenmfg.settings import get_settings

    stores, _, _ = pipeline
    monkeypatch.setenv("GREENMFG_STORE_URL", str(Path(stores.staging.url).parent))
    get_settings.cache_clear()
    try:
        commits_before = stores.published.list(keys.COMMITS_PREFIX)
        assert (
            main(["reprocess", "--from", "2020", "--to", "2020", "--filing-type", "green_loans", "--dry-run"])
            == 0
        )
        out = capsys.readouterr().out
        assert "datasets in focus: green_finance\n" in out and "04_2020年绿色贷款申请.csv" in out
        assert "green_coverage" not in out.split("outside the range")[0]  # the focus is the loans' dataset
        assert stores.published.list(keys.COMMITS_PREFIX) == commits_before
        assert main(["reprocess", "--from", "2021", "--to", "2020"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--from 2021 is after --to 2020" in err
    finally:
        get_settings.cache_clear()
