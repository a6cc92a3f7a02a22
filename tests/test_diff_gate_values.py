"""The diff gate on values: totals of count, money and energy columns per dataset, period and region against
the parent snapshot; thresholds from the `[diff_gate]` table; an accepted block recorded in the manifest."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from greenmfg.errors import SettingsError, SnapshotError
from greenmfg.publish import (
    DiffPolicy,
    latest,
    list_snapshots,
    load_diff_policy,
    publish_snapshot,
    read_manifest,
)
from greenmfg.publish.diff import ValueChange, value_changes, value_totals
from greenmfg.publish.writer import prepare_snapshot
from greenmfg.settings import Settings
from greenmfg.storage.local import LocalStore
from greenmfg.validation import load_config

LOANS = pa.schema(
    [
        pa.field("year", pa.int64(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("applicants", pa.int64(), metadata={"unit": "enterprises"}),
        pa.field("total_10k_yuan", pa.float64(), metadata={"unit": "10k_yuan"}),
        pa.field("share_pct", pa.float64(), metadata={"unit": "pct"}),
        pa.field("star_threshold", pa.int64()),
    ],
    metadata={"key": "year,region_code,kind"},
)
TOTALLED = {"loans": ["applicants", "total_10k_yuan"]}
# Two kinds per region, so a region's total sums rows: 2019 and 2020, two districts and the city.
AMOUNTS = {"330502": (100.0, 50.0), "330503": (200.0, 30.0), "330500": (300.0, 80.0)}


def loans(year_factor: dict[tuple[int, str], float] | None = None, *, stars: int = 3) -> pd.DataFrame:
    """Rows of 2019 and 2020; `year_factor[(year, region)]` scales that slot's amounts and applicants."""
    rows = []
    for year in (2019, 2020):
        for region, amounts in AMOUNTS.items():
            factor = (year_factor or {}).get((year, region), 1.0)
            for kind, amount in zip(("a", "b"), amounts, strict=True):
                rows.append(
                    {
                        "year": year,
                        "region_code": region,
                        "kind": kind,
                        "applicants": round(10 * factor),
                        "total_10k_yuan": amount * factor,
                        "share_pct": 50.0 * factor,  # a share: never totalled
                        "star_threshold": stars,
                    }
                )
    return pd.DataFrame(rows).astype({"year": "Int64", "applicants": "Int64", "star_threshold": "Int64"})


def publish(store: LocalStore, frame: pd.DataFrame, *, stars: int = 3, **options):
    return publish_snapshot(store, {"loans": frame}, **_options(stars), **options)


def _options(stars: int = 3) -> dict:
    return {
        "schemas": {"loans": LOANS},
        "partition_by": {"loans": []},
        "sources": [{"sha256": "b" * 64, "filing_type": "green_loans", "period": 2020}],
        "parameters": {"star_threshold": stars},
        "validation": {},
        "dictionary_json": {},
        "dictionary_markdown": "# d\n",
        "code_version": "0.1.0+gtest",
        "value_columns": TOTALLED,
        "dataset_parameters": {"loans": ["star_threshold"]},
    }


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    published = LocalStore(tmp_path / "published")
    publish(published, loans())
    return published


def test_totals_are_grouped_by_period_and_region_and_skip_empty_columns() -> None:
    table = pa.table(
        {
            "year": pa.array([2020, 2020, None, None], pa.int64()),
            "batch": pa.array([None, None, 3, 3], pa.int64()),
            "region_code": ["330500", "330500", "全国", "全国"],
            "entries": pa.array([2, 3, 479, 1], pa.int64()),
            "unknown": pa.array([None, None, None, None], pa.int64()),
        }
    )
    totals = value_totals(table, ["entries", "unknown", "not_a_column"])
    assert totals == {("2020", "330500"): {"entries": 5}, ("batch 3", "全国"): {"entries": 480}}


def test_only_changed_totals_of_slots_on_both_sides_are_listed() -> None:
    before = {("2020", "330500"): {"x": 10.0, "y": 0.0}, ("2019", "330500"): {"x": 1.0}}
    after = {("2020", "330500"): {"x": 10.0 + 1e-12, "y": 4.0}, ("2021", "330500"): {"x": 9.0}}
    (change,) = value_changes("d", before, after)
    assert (change.period, change.region_code, change.column) == ("2020", "330500", "y")
    assert math.isinf(change.change_share)
    assert ValueChange("d", "2020", "", "x", 200.0, 150.0).change_share == pytest.approx(0.25)


def test_a_total_moving_beyond_the_bound_blocks_with_one_line_per_breach(store: LocalStore) -> None:
    first = latest(store)
    # 2020 Wuxing: amounts and applicants fall to a tenth (-90 %); the city total by a fifth (-20 %).
    wrong = loans({(2020, "330502"): 0.1, (2020, "330500"): 0.8})
    prepared = prepare_snapshot(store, {"loans": wrong}, **_options())
    assert prepared.verdict == "blocked"
    assert prepared.blocks == [
        "dataset loans, period 2020, region 330502: total applicants 2 instead of 20 in snapshot "
        f"{first.snapshot_id} (commit 1) (-90.0%) (block threshold 50.0%)",
        "dataset loans, period 2020, region 330502: total total_10k_yuan 15 instead of 150 in snapshot "
        f"{first.snapshot_id} (commit 1) (-90.0%) (block threshold 50.0%)",
    ]
    assert [w.split(":")[0] for w in prepared.warnings] == ["dataset loans, period 2020, region 330500"] * 2
    with pytest.raises(SnapshotError, match=r"diff gate blocked the publish: .*330502.*; .*330502"):
        publish(store, wrong)
    assert latest(store) == first and len(list_snapshots(store)) == 1


def test_moves_within_the_warning_bound_pass_silently_and_beyond_it_warn(store: LocalStore) -> None:
    slight = publish(store, loans({(2019, "330503"): 1.05}))
    assert slight.is_new and slight.warnings == []
    assert {(c.period, c.region_code) for c in slight.diff.values} == {("2019", "330503")}
    warned = publish(store, loans({(2019, "330503"): 1.3}))
    assert warned.is_new and len(warned.warnings) == 2
    # Against the previous commit: applicants 20 → 26 (round(10 × 1.05) = 10), amounts 241.5 → 299.
    assert "total applicants 26 instead of 20" in warned.warnings[0] and "(+30.0%)" in warned.warnings[0]
    assert "total_10k_yuan 299 instead of 241.5" in warned.warnings[1] and "(+23.8%)" in warned.warnings[1]


def test_accepting_the_diff_publishes_and_records_the_override(store: LocalStore) -> None:
    wrong = loans({(2020, "330502"): 0.1})
    blocked = prepare_snapshot(store, {"loans": wrong}, **_options()).blocks
    result = publish(store, wrong, accept_diff=True, accepted_by="reviewer@bureau")
    assert result.is_new and result.sequence == 2
    manifest = read_manifest(store, result.snapshot_id)
    assert manifest["accepted_blocks"] == blocked and manifest["accepted_by"] == "reviewer@bureau"
    assert latest(store).warnings == [f"accepted: {b}" for b in blocked]
    # The override is recorded, not hashed: the content's id is the one any publish of it gets.
    ident = prepare_snapshot(LocalStore(store.root.parent / "other"), {"loans": wrong}, **_options())
    assert ident.snapshot_id == result.snapshot_id and ident.to_dict()["accepted_blocks"] == []


def test_an_ordinary_manifest_records_no_override(store: LocalStore) -> None:
    manifest = read_manifest(store)
    assert manifest["accepted_blocks"] == [] and manifest["accepted_by"] is None
    assert manifest["missing_inputs"] == []


def test_a_policy_change_moves_its_datasets_with_a_warning_only(store: LocalStore) -> None:
    moved = publish(store, loans({(2020, "330502"): 0.1}), stars=4)
    assert moved.is_new and moved.diff.changed_parameters == {"loans": ["star_threshold"]}
    assert any("parameters changed (star_threshold)" in w and "330502" in w for w in moved.warnings)


def write_config(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "gate.toml"
    path.write_text(text, encoding="utf-8")
    return Settings(validation_config=path)


def test_thresholds_come_from_the_diff_gate_table(tmp_path: Path, store: LocalStore) -> None:
    settings = write_config(
        tmp_path, "[diff_gate]\nblock_value_change_share = 0.15\nwarn_value_change_share = false\n"
    )
    policy = load_diff_policy(settings)
    assert policy == DiffPolicy(block_value_change_share=0.15, warn_value_change_share=None)
    assert load_config(settings=settings).diff_gate == policy
    with pytest.raises(SnapshotError, match=r"330503: total total_10k_yuan 276 instead of 230 .*\+20\.0%"):
        publish(store, loans({(2019, "330503"): 1.2}), diff_policy=policy)
    assert load_diff_policy(write_config(tmp_path, "")) == DiffPolicy()


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("block_value_change_shares = 0.5", "block_value_change_shares: Unexpected keyword argument"),
        ("block_value_change_share = -1", "block_value_change_share: Input should be greater than or equal"),
        ("warn_lost_fraction = true", "warn_lost_fraction: expected a number, or false to disable"),
        ("block_lost_fraction = 'half'", "block_lost_fraction: Input should be a valid number"),
    ],
)
def test_a_bad_diff_gate_table_is_one_line_naming_the_file_and_key(
    tmp_path: Path, table: str, expected: str
) -> None:
    settings = write_config(tmp_path, f"[diff_gate]\n{table}\n")
    for load in (load_diff_policy, lambda s: load_config(settings=s)):
        with pytest.raises(SettingsError) as raised:
            load(settings)
        message = str(raised.value)
        assert str(settings.validation_config) in message and expected in message
        assert "\n" not in message
    with pytest.raises(SettingsError, match=r"\[diff_gate\] must be a table"):
        load_diff_policy(write_config(tmp_path, "diff_gate = 0.5\n"))
