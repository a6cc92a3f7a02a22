"""Consumers read the published layout without greenmfg (pandas, pyarrow, DuckDB), and the read CLI."""

from __future__ import annotations

import csv
import io
import json
import sysconfig
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from test_publish import coverage_frame, frames, publish

from greenmfg.cli import main
from greenmfg.publish import read_manifest
from greenmfg.settings import get_settings
from greenmfg.storage import keys
from greenmfg.storage.local import LocalStore
from infra.seaweedfs import BUCKETS

EXTENSIONS = Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions"
EXPECTED_PLANTS = int(coverage_frame()["green_plants"].sum())
EXPECTED_2020 = int(coverage_frame(years=(2020,))["green_plants"].sum())


def duckdb_totals(connection: duckdb.DuckDBPyConnection, glob: str) -> tuple[int, int, int]:
    query = (
        "SELECT count(*), sum(green_plants), sum(green_plants) FILTER (WHERE year = 2020) "
        f"FROM read_parquet('{glob}', hive_partitioning = true)"
    )
    return connection.execute(query).fetchone()


def test_duckdb_and_pandas_read_the_local_layout(tmp_path):
    store = LocalStore(tmp_path / "published")
    result = publish(store)
    folder = tmp_path / "published" / keys.snapshot_dataset_prefix(result.snapshot_id, "coverage")
    with duckdb.connect() as connection:
        assert duckdb_totals(connection, f"{folder}/**/*.parquet") == (10, EXPECTED_PLANTS, EXPECTED_2020)
        loans_folder = folder.parent / "loans"
        glob = f"{loans_folder}/**/*.parquet"
        query = f"SELECT count(*), count(note) FROM read_parquet('{glob}', hive_partitioning = true)"
        assert connection.execute(query).fetchone() == (3, 2)
    frame = pd.read_parquet(folder)
    assert len(frame) == 10 and int(frame["green_plants"].sum()) == EXPECTED_PLANTS
    loans = pq.read_table(tmp_path / "published" / keys.snapshot_dataset_prefix(result.snapshot_id, "loans"))
    assert loans.schema.field("amount_10k_yuan").metadata == {b"unit": b"10k yuan"}


def test_duckdb_and_pyarrow_read_from_seaweedfs(s3_stores, running_seaweedfs, s3_prefix):
    result = publish(s3_stores.published)
    consumer = running_seaweedfs.credentials["consumer"]
    host = running_seaweedfs.endpoint.removeprefix("http://")
    dataset_path = (
        f"{BUCKETS['published']}/{s3_prefix}/{keys.snapshot_dataset_prefix(result.snapshot_id, 'coverage')}"
    )
    with duckdb.connect(config={"extension_directory": str(EXTENSIONS)}) as connection:
        connection.execute("LOAD httpfs")
        connection.execute(
            "CREATE SECRET (TYPE s3, KEY_ID ?, SECRET ?, ENDPOINT ?, URL_STYLE 'path', USE_SSL false, "
            "REGION ?)",
            [consumer.access_key_id, consumer.secret_access_key, host, "us-east-1"],
        )
        totals = duckdb_totals(connection, f"s3://{dataset_path}**/*.parquet")
    assert totals == (10, EXPECTED_PLANTS, EXPECTED_2020)

    filesystem = pafs.S3FileSystem(
        access_key=consumer.access_key_id,
        secret_key=consumer.secret_access_key,
        endpoint_override=host,
        scheme="http",
        region="us-east-1",
    )
    table = ds.dataset(dataset_path, filesystem=filesystem, partitioning="hive").to_table()
    assert table.num_rows == 10 and sum(table.column("green_plants").to_pylist()) == EXPECTED_PLANTS
    # Pinning through the manifest: exactly the files it lists, nothing else.
    manifest = json.loads(
        filesystem.open_input_file(f"{BUCKETS['published']}/{s3_prefix}/{result.manifest_key}").read()
    )
    listed = [
        f"{BUCKETS['published']}/{s3_prefix}/{f['key']}" for f in manifest["datasets"]["coverage"]["files"]
    ]
    assert sorted(listed) == sorted(ds.dataset(dataset_path, filesystem=filesystem).files)


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    """A published area with two snapshots, which the CLI finds through GREENMFG_PUBLISHED_URL."""
    published = tmp_path / "published"
    monkeypatch.setenv("GREENMFG_PUBLISHED_URL", str(published))
    monkeypatch.setenv("GREENMFG_STORE_URL", str(tmp_path / "store"))
    get_settings.cache_clear()
    store = LocalStore(published)
    first = publish(store)
    second = publish(store, frames(coverage=coverage_frame(plants_offset=1)))
    yield store, first, second
    get_settings.cache_clear()


def test_read_csv_with_where_and_formula_cells_neutralised(cli_store, capsys):
    assert main(["read", "loans", "--where", "region_code=330502", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["region_code"] for r in rows] == ["330502"]
    assert rows[0]["note"] == '\'=HYPERLINK("http://x")'
    assert main(["read", "loans", "--format", "csv"]) == 0
    notes = {r["note"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert "'-5 correction" in notes
    assert not any(n.startswith(("=", "+", "-", "@")) for n in notes)


def test_read_pins_snapshot_and_types_where(cli_store, capsys):
    _, first, _ = cli_store
    args = ["read", "coverage", "--where", "year>=2020", "--where", "region_code!=330503", "--format", "json"]
    assert main([*args, "--snapshot", first.snapshot_id]) == 0
    old = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    new = json.loads(capsys.readouterr().out)
    assert len(old) == len(new) == 4 and {r["year"] for r in new} == {2020}
    assert sum(r["green_plants"] for r in new) == sum(r["green_plants"] for r in old) + 4


def test_read_errors_are_one_line(cli_store, capsys, tmp_path):
    assert main(["read", "coverage", "--where", "yeer=2020"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no column 'yeer'" in err and "year, region_code, green_plants" in err
    assert main(["read", "coverage", "--where", "year=twenty"]) == 2
    assert "'twenty' is not a valid int64" in capsys.readouterr().err
    assert main(["read", "coverage", "--where", "year=2020 AND region_code=330502"]) == 2  # was: no rows
    assert "one condition per --where" in capsys.readouterr().err
    assert main(["read", "coverage", "--where", "region_code='330502' and year=2020"]) == 2
    assert "one condition per --where" in capsys.readouterr().err
    assert main(["read", "coverage", "--format", "parquet"]) == 2
    assert "--output" in capsys.readouterr().err
    assert main(["read", "coverage", "--snapshot", "nope"]) == 2
    assert "not committed" in capsys.readouterr().err


def test_read_exports_parquet_and_prints_table(cli_store, capsys, tmp_path):
    target = tmp_path / "out.parquet"
    assert (
        main(["read", "coverage", "--where", "year=2019", "--format", "parquet", "--output", str(target)])
        == 0
    )
    table = pq.read_table(target)
    assert table.num_rows == 5 and set(table.column("year").to_pylist()) == {2019}
    capsys.readouterr()
    assert main(["read", "coverage"]) == 0
    out = capsys.readouterr().out
    assert "green_plants" in out and "330523" in out


def test_snapshots_lists_the_commit_log(cli_store, capsys):
    store, first, second = cli_store
    assert main(["snapshots"]) == 0
    lines = capsys.readouterr().out.splitlines()
    body = [line for line in lines if first.snapshot_id in line or second.snapshot_id in line]
    assert len(body) == 2 and body[1].lstrip().startswith("2*")
    assert "coverage (10)" in body[0] and "loans (3)" in body[0]
    assert read_manifest(store)["snapshot_id"] == second.snapshot_id
