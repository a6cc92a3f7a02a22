"""Publishing snapshots: round trip, idempotence, byte-identical output, pinning, diff gate, retention."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from greenmfg.errors import SnapshotError
from greenmfg.publish import (
    DiffPolicy,
    cleanup_uncommitted,
    latest,
    list_snapshots,
    prune,
    publish_snapshot,
    read_dataframe,
    read_dataset,
    read_manifest,
)
from greenmfg.publish.diff import disappeared_keys
from greenmfg.publish.manifest import sha256_hex
from greenmfg.storage import keys
from greenmfg.storage.local import LocalStore

COVERAGE = pa.schema(
    [
        pa.field("year", pa.int64(), nullable=False, metadata={"description": "Calendar year."}),
        pa.field("region_code", pa.string(), nullable=False, metadata={"description": "GB/T 2260 code."}),
        pa.field("green_plants", pa.int64(), nullable=False, metadata={"description": "Plants in force."}),
        pa.field("coverage_pct", pa.float64(), metadata={"description": "Share.", "unit": "%"}),
    ],
    metadata={"key": "year,region_code"},
)
LOANS = pa.schema(
    [
        pa.field("year", pa.int64(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("amount_10k_yuan", pa.float64(), metadata={"unit": "10k yuan"}),
        pa.field("first_date", pa.date32()),
        pa.field("note", pa.string()),
    ],
    metadata={"key": "year,region_code"},
)
SCHEMAS = {"coverage": COVERAGE, "loans": LOANS}
REGIONS = ["330502", "330503", "330521", "330522", "330523"]


def coverage_frame(years=(2019, 2020), regions=REGIONS, plants_offset=0) -> pd.DataFrame:
    rows = [
        {
            "year": y,
            "region_code": r,
            "green_plants": 100 * i + y % 100 + plants_offset,
            "coverage_pct": 50.0 + i,
        }
        for (i, r), y in itertools.product(enumerate(regions), years)
    ]
    return pd.DataFrame(rows).astype({"year": "Int64", "green_plants": "Int64", "region_code": "string"})


def loans_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.array([2020, 2020, 2020], dtype="Int64"),
            "region_code": pd.array(["330502", "330521", "330523"], dtype="string"),
            "amount_10k_yuan": [1200.5, None, 300.0],
            "first_date": pd.to_datetime(["2020-03-01", "2020-05-17", None]).astype("datetime64[s]"),
            "note": pd.array(['=HYPERLINK("http://x")', None, "-5 correction"], dtype="string"),
        }
    )


def frames(**overrides: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"coverage": coverage_frame(), "loans": loans_frame(), **overrides}


def options(policy=None, *, parameters=None, validation=None) -> dict:
    """The keyword arguments of prepare_snapshot (and publish_snapshot) for these test datasets."""
    return {
        "schemas": SCHEMAS,
        "partition_by": {"coverage": ["year"]},
        "sources": [
            {"sha256": "a" * 64, "filing_type": "green_register", "period": 2020, "original_name": "r.xlsx"}
        ],
        "parameters": parameters if parameters is not None else {"star_threshold": 3},
        "validation": validation or {"green_register": {"rows": 10, "quarantined": 0}},
        "dictionary_json": {"datasets": {"coverage": {"title": "Coverage"}}},
        "dictionary_markdown": "# Data dictionary\n",
        "code_version": "0.1.0+gtest",
        "diff_policy": policy,
    }


def publish(store, datasets=None, *, parameters=None, clock=None, policy=None, validation=None):
    return publish_snapshot(
        store,
        datasets if datasets is not None else frames(),
        **options(policy, parameters=parameters, validation=validation),
        **({"now": clock} if clock else {}),
    )


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["year", "region_code"]).reset_index(drop=True)


def fixed_clock(instant: str):
    return lambda: instant


def test_round_trip_and_manifest(any_stores):
    store = any_stores.published
    result = publish(store)
    assert result.is_new and result.sequence == 1
    for name, frame in frames().items():
        back = read_dataframe(store, name)
        pd.testing.assert_frame_equal(sorted_frame(back), sorted_frame(frame[back.columns.tolist()]))
        assert back.columns.tolist() == SCHEMAS[name].names
    manifest = read_manifest(store, result.snapshot_id)
    coverage = manifest["datasets"]["coverage"]
    assert coverage["rows_per_period"] == {"2019": 5, "2020": 5}
    assert [f["partition"] for f in coverage["files"]] == [{"year": "2019"}, {"year": "2020"}]
    assert manifest["datasets"]["loans"]["schema"]["fields"][2]["metadata"] == {"unit": "10k yuan"}
    for described in coverage["files"] + list(manifest["documents"].values()):
        data = store.read_bytes(described["key"])
        assert (len(data), sha256_hex(data)) == (described["size"], described["sha256"])
    assert manifest["sources"][0]["filing_type"] == "green_register"
    assert manifest["validation"] == {"green_register": {"rows": 10, "quarantined": 0}}
    assert store.read_bytes(keys.snapshot_dictionary(result.snapshot_id, "md")) == b"# Data dictionary\n"
    assert latest(store).manifest_sha256 == sha256_hex(store.read_bytes(result.manifest_key))


def test_same_content_publishes_nothing_new(any_stores):
    store = any_stores.published
    first = publish(store)
    shuffled = frames(coverage=coverage_frame().sample(frac=1, random_state=7))
    again = publish(store, shuffled)
    assert (again.is_new, again.sequence, again.snapshot_id) == (False, None, first.snapshot_id)
    assert len(list_snapshots(store)) == 1
    changed = publish(store, parameters={"star_threshold": 4})
    assert changed.is_new and changed.snapshot_id != first.snapshot_id and changed.sequence == 2


def test_byte_identical_parquet_in_a_fresh_store(any_stores, tmp_path):
    first = publish(any_stores.published)
    second = publish(LocalStore(tmp_path / "fresh"), clock=fixed_clock("2030-01-01T00:00:00Z"))
    assert first.snapshot_id == second.snapshot_id
    prefix = keys.snapshot_prefix(first.snapshot_id)
    left = {i.key: any_stores.published.read_bytes(i.key) for i in any_stores.published.list(prefix)}
    right = {
        i.key: LocalStore(tmp_path / "fresh").read_bytes(i.key)
        for i in LocalStore(tmp_path / "fresh").list(prefix)
    }
    assert left.keys() == right.keys() and any(k.endswith(".parquet") for k in left)
    assert left == right


def test_older_snapshot_by_id_and_as_of(any_stores):
    store = any_stores.published
    old = publish(store, clock=fixed_clock("2024-01-10T09:00:00Z"))
    new = publish(
        store, frames(coverage=coverage_frame(plants_offset=1)), clock=fixed_clock("2024-02-10T12:00:00Z")
    )
    assert new.sequence == 2 and latest(store).parent_snapshot_id == old.snapshot_id

    def plants(**pin) -> int:
        return int(read_dataset(store, "coverage", **pin).column("green_plants").to_pandas().sum())

    base = int(coverage_frame()["green_plants"].sum())
    assert plants(snapshot_id=old.snapshot_id) == base
    assert plants(as_of="2024-01-31") == base
    assert plants(as_of=date(2024, 2, 10)) == base + 10
    assert plants() == base + 10
    with pytest.raises(SnapshotError, match="no snapshot was committed before"):
        read_dataset(store, "coverage", as_of="2024-01-09")
    with pytest.raises(SnapshotError, match="not committed"):
        read_dataset(store, "coverage", snapshot_id="0" * 24)
    with pytest.raises(SnapshotError, match="no dataset 'nope'"):
        read_dataset(store, "nope")


def test_filters_and_columns(any_stores):
    store = any_stores.published
    publish(store)
    table = read_dataset(store, "coverage", filters=[("year", "=", 2020)], columns=["region_code", "year"])
    assert table.column_names == ["region_code", "year"]
    assert set(table.column("year").to_pylist()) == {2020} and table.num_rows == len(REGIONS)
    assert table.schema.field("year").type == pa.int64()
    with pytest.raises(SnapshotError, match="no column"):
        read_dataset(store, "coverage", columns=["plants"])


def test_diff_gate_blocks_a_lost_period_and_can_be_relaxed(any_stores):
    store = any_stores.published
    first = publish(store)
    shrunk = frames(coverage=coverage_frame(years=(2020,)))
    with pytest.raises(SnapshotError, match=r"coverage, period 2019: 0 rows instead of 5.*100\.0% lost"):
        publish(store, shrunk)
    assert latest(store).snapshot_id == first.snapshot_id and len(list_snapshots(store)) == 1
    relaxed = publish(store, shrunk, policy=DiffPolicy(block_lost_fraction=None))
    assert relaxed.sequence == 2
    assert any("period 2019" in w for w in relaxed.warnings)
    assert latest(store).warnings == relaxed.warnings


def test_diff_gate_counts_disappeared_keys(any_stores):
    store = any_stores.published
    publish(store)
    fewer = frames(coverage=coverage_frame(regions=REGIONS[:4]))  # 2 of 10 rows gone: 20 % < 50 %
    with pytest.raises(SnapshotError, match=r"2 key\(s\).*330523"):
        publish(store, fewer, policy=DiffPolicy(block_disappeared_keys=1))
    result = publish(store, fewer)
    gone = {d.dataset: d.count for d in result.diff.disappeared}
    assert gone == {"coverage": 2, "loans": 0}
    assert [
        (c.period, c.rows_before, c.rows_after) for c in result.diff.periods if c.dataset == "coverage"
    ] == [
        ("2019", 5, 4),
        ("2020", 5, 4),
    ]
    assert any("330523" in w for w in result.warnings)


def test_prune_keeps_latest_and_recent(any_stores):
    store = any_stores.published
    ids = [publish(store, frames(coverage=coverage_frame(plants_offset=n))).snapshot_id for n in range(3)]
    with pytest.raises(SnapshotError, match="keep_last"):
        prune(store, keep_last=0)
    assert prune(store, keep_last=1) == sorted(ids[:2])
    assert store.list(keys.snapshot_prefix(ids[0])) == []
    assert read_dataset(store, "coverage").num_rows == 10
    with pytest.raises(SnapshotError, match="pruned"):
        read_dataset(store, "coverage", snapshot_id=ids[1])
    assert prune(store, keep_last=1) == []


def test_reverting_to_older_content_commits_it_again(any_stores):
    store = any_stores.published
    first = publish(store)
    publish(store, frames(coverage=coverage_frame(plants_offset=1)))
    manifest_before = store.read_bytes(first.manifest_key)
    again = publish(store, parameters={"star_threshold": 3})
    assert (again.snapshot_id, again.sequence, again.is_new) == (first.snapshot_id, 3, True)
    assert store.read_bytes(first.manifest_key) == manifest_before
    assert list_snapshots(store)[2].manifest_sha256 == list_snapshots(store)[0].manifest_sha256


def test_cleanup_removes_only_old_uncommitted_leftovers(any_stores):
    store = any_stores.published
    committed = publish(store)
    leftover = "f" * 24
    store.write_bytes(
        keys.snapshot_attempt(leftover), json.dumps({"started_at": "2024-01-01T00:00:00Z"}).encode()
    )
    store.write_bytes(keys.snapshot_data_file(leftover, "coverage", (), 0), b"partial")
    young = lambda: "2024-01-01T00:10:00Z"  # noqa: E731
    assert cleanup_uncommitted(store, grace_seconds=3600, now=young) == []
    assert cleanup_uncommitted(store, grace_seconds=0) == [leftover]
    assert store.list(keys.snapshot_prefix(leftover)) == []
    assert read_dataset(store, "coverage", snapshot_id=committed.snapshot_id).num_rows == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["coverage_pct"]), r"missing \['coverage_pct'\]"),
        (lambda f: f.assign(extra=1), r"unexpected \['extra'\]"),
        (
            lambda f: f.assign(green_plants=pd.array([None] * len(f), dtype="Int64")),
            "green_plants.*non-nullable",
        ),
        (lambda f: f.assign(year="MMXX"), "year cannot be stored as int64"),
    ],
)
def test_rows_that_do_not_fit_the_schema_are_refused(tmp_path, change, message):
    store = LocalStore(tmp_path)
    with pytest.raises(SnapshotError, match=message):
        publish(store, frames(coverage=change(coverage_frame())))
    assert store.list() == []


def test_null_key_parts_match_between_snapshots():
    before = pa.table({"batch": pa.array([1, None, 3]), "region_code": ["330502", "330503", "330521"]})
    after = pa.table({"batch": pa.array([None, 1]), "region_code": ["330503", "330502"]})
    gone = disappeared_keys("green_list_counts", ["batch", "region_code"], before, after)
    assert (gone.count, gone.examples) == (1, [{"batch": "3", "region_code": "330521"}])
    assert disappeared_keys("green_list_counts", ["batch"], before, None).count == 3
