"""The ObjectStore contract, run unchanged over the local folder and over real S3 (SeaweedFS)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from greenmfg.errors import (
    ObjectNotFoundError,
    PreconditionFailedError,
    SettingsError,
    StorageError,
    TransientStorageError,
)
from greenmfg.settings import AREAS
from greenmfg.storage import ObjectStore, Stores, open_stores
from greenmfg.storage.s3 import S3Store, parse_s3_url
from infra.seaweedfs import BUCKETS, SeaweedFS, SeaweedFSError, find_weed


@pytest.fixture
def store(any_stores: Stores) -> ObjectStore:
    return any_stores.staging


def race(workers: int, action: Callable[[int], object]) -> list[object]:
    """Run `action(i)` in `workers` threads released together; each result or raised exception."""
    barrier = threading.Barrier(workers)
    outcomes: list[object] = [None] * workers

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = action(index)
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_round_trip_returns_the_bytes_and_an_etag_that_head_agrees_with(store: ObjectStore) -> None:
    data = "湖州 green plants\n".encode() * 100
    etag = store.write_bytes("filings/湖州 名单.csv", data)
    assert store.read_bytes("filings/湖州 名单.csv") == data
    info = store.head("filings/湖州 名单.csv")
    assert info is not None
    assert (info.key, info.size, info.etag) == ("filings/湖州 名单.csv", len(data), etag)
    assert '"' not in etag
    assert store.exists("filings/湖州 名单.csv")


def test_overwrite_without_condition_replaces_and_changes_the_etag(store: ObjectStore) -> None:
    first = store.write_bytes("a.json", b"{}")
    second = store.write_bytes("a.json", b'{"x": 1}')
    assert store.read_bytes("a.json") == b'{"x": 1}'
    assert first != second


def test_missing_key_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFoundError, match="nothing/here"):
        store.read_bytes("nothing/here")
    assert store.head("nothing/here") is None
    assert not store.exists("nothing/here")


@pytest.mark.parametrize("key", ["", "/absolute"])
def test_invalid_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(StorageError, match="invalid object key"):
        store.write_bytes(key, b"x")


def test_create_once_refuses_the_second_write_and_keeps_the_first(store: ObjectStore) -> None:
    store.write_bytes("once", b"first", if_absent=True)
    with pytest.raises(PreconditionFailedError, match="once"):
        store.write_bytes("once", b"second", if_absent=True)
    assert store.read_bytes("once") == b"first"


def test_eight_racing_create_once_writers_have_exactly_one_winner(store: ObjectStore) -> None:
    payloads = [f"writer {i}".encode() for i in range(8)]
    outcomes = race(8, lambda i: store.write_bytes("latest", payloads[i], if_absent=True))
    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, str)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, PreconditionFailedError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 7, outcomes
    assert store.read_bytes("latest") == payloads[winners[0]]


def test_compare_and_swap_fails_on_a_stale_etag_and_succeeds_on_the_current(store: ObjectStore) -> None:
    stale = store.write_bytes("pointer", b"v1")
    store.write_bytes("pointer", b"v2")
    current = store.head("pointer").etag
    with pytest.raises(PreconditionFailedError, match="pointer"):
        store.write_bytes("pointer", b"v3 from a stale reader", if_match=stale)
    assert store.read_bytes("pointer") == b"v2"
    new_etag = store.write_bytes("pointer", b"v3", if_match=current)
    assert store.read_bytes("pointer") == b"v3"
    assert store.head("pointer").etag == new_etag


def test_compare_and_swap_on_an_absent_key_fails(store: ObjectStore) -> None:
    with pytest.raises(PreconditionFailedError):
        store.write_bytes("never-written", b"x", if_match="0" * 32)
    assert not store.exists("never-written")


def test_list_filters_by_prefix_and_sorts_by_key(store: ObjectStore) -> None:
    keys = ["b/2", "a/x/1", "b/10", "a/2", "ab", "b/1"]
    for key in keys:
        store.write_bytes(key, key.encode())
    listed = store.list("b/")
    assert [info.key for info in listed] == sorted(k for k in keys if k.startswith("b/"))
    assert [info.size for info in listed] == [len(info.key) for info in listed]
    assert [info.key for info in store.list("a")] == sorted(k for k in keys if k.startswith("a"))
    assert [info.key for info in store.list()] == sorted(keys)
    assert store.list("nothing/") == []


def test_list_sees_more_objects_than_one_page(store: ObjectStore) -> None:
    if isinstance(store, S3Store):
        store.list_page_size = 7
    names = [f"many/{i:03d}" for i in range(30)]
    for name in reversed(names):
        store.write_bytes(name, b"")
    assert [info.key for info in store.list("many/")] == names


def test_delete_removes_and_tolerates_absent_keys(store: ObjectStore) -> None:
    store.write_bytes("gone/soon", b"x")
    store.write_bytes("gone/stays", b"y")
    store.delete("gone/soon")
    store.delete("gone/soon")
    assert not store.exists("gone/soon")
    assert [info.key for info in store.list("gone/")] == ["gone/stays"]


def test_parquet_round_trip_through_the_arrow_filesystem(store: ObjectStore) -> None:
    table = pa.table(
        {
            "district_code": pa.array(["330502", "330503", "330521"]),
            "revenue_10k_yuan": pa.array([12.5, None, 3.0]),
        }
    )
    filesystem, _ = store.arrow_filesystem()
    pq.write_table(table, store.arrow_path("canonical/t/period=2024/x.parquet"), filesystem=filesystem)
    assert [info.key for info in store.list("canonical/")] == ["canonical/t/period=2024/x.parquet"]
    read_back = pq.read_table(store.arrow_path("canonical/t/period=2024/x.parquet"), filesystem=filesystem)
    assert read_back.equals(table)
    from_bytes = pq.read_table(pa.BufferReader(store.read_bytes("canonical/t/period=2024/x.parquet")))
    assert from_bytes.equals(table)


def test_uri_names_the_store_and_the_key(store: ObjectStore) -> None:
    assert store.uri("x/y.json").startswith(store.url.rstrip("/") + "/")
    assert store.uri("x/y.json").endswith("/x/y.json")


# S3 specifics


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://greenmfg-raw", ("greenmfg-raw", "")),
        ("s3://greenmfg-raw/", ("greenmfg-raw", "")),
        ("s3://greenmfg-raw/run/42/", ("greenmfg-raw", "run/42")),
    ],
)
def test_s3_urls_parse_into_bucket_and_prefix(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize("url", ["/tmp/store", "s3://", "http://bucket/x"])
def test_non_s3_urls_are_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="not an S3 URL"):
        parse_s3_url(url)


@pytest.mark.s3
def test_s3_uri_and_arrow_root_carry_bucket_and_prefix(s3_stores: Stores, s3_prefix: str) -> None:
    assert s3_stores.raw.uri("filings/ab/x") == f"s3://{BUCKETS['raw']}/{s3_prefix}/filings/ab/x"
    _, root = s3_stores.raw.arrow_filesystem()
    assert root == f"{BUCKETS['raw']}/{s3_prefix}"


@pytest.mark.s3
def test_open_stores_from_settings_gives_one_s3_store_per_bucket(
    running_seaweedfs: SeaweedFS, s3_prefix: str
) -> None:
    stores = open_stores(running_seaweedfs.settings_for("admin", s3_prefix))
    for area in AREAS:
        store = getattr(stores, area)
        assert isinstance(store, S3Store)
        assert store.bucket == BUCKETS[area]
        store.write_bytes("probe", area.encode())
        assert store.read_bytes("probe") == area.encode()


@pytest.mark.s3
def test_data_survives_a_restart_and_an_outage_is_transient(
    running_seaweedfs: SeaweedFS, s3_stores: Stores
) -> None:
    etag = s3_stores.published.write_bytes("_commits/000000000001.json", b"{}")
    secret = running_seaweedfs.credentials["admin"].secret_access_key
    running_seaweedfs.stop()
    try:
        with pytest.raises(TransientStorageError) as caught:
            s3_stores.published.read_bytes("_commits/000000000001.json")
        message = str(caught.value)
        assert running_seaweedfs.endpoint in message
        assert "_commits/000000000001.json" in message
        assert secret not in message
    finally:
        running_seaweedfs.start()
    assert s3_stores.published.read_bytes("_commits/000000000001.json") == b"{}"
    assert s3_stores.published.head("_commits/000000000001.json").etag == etag


@pytest.mark.s3
def test_a_second_start_of_a_running_server_is_refused(running_seaweedfs: SeaweedFS) -> None:
    with pytest.raises(SeaweedFSError, match="already running"):
        running_seaweedfs.start()
    assert running_seaweedfs.is_running()


def test_env_for_a_role_points_every_area_at_its_bucket(running_seaweedfs: SeaweedFS) -> None:
    env = running_seaweedfs.env_for("consumer", "run-1")
    consumer = running_seaweedfs.credentials["consumer"]
    assert env["GREENMFG_S3_ENDPOINT_URL"] == running_seaweedfs.endpoint
    assert env["GREENMFG_S3_ACCESS_KEY_ID"] == consumer.access_key_id
    assert env["GREENMFG_S3_SECRET_ACCESS_KEY"] == consumer.secret_access_key
    for area in AREAS:
        assert env[f"GREENMFG_{area.upper()}_URL"] == f"s3://{BUCKETS[area]}/run-1"
    assert running_seaweedfs.env_for("admin")["GREENMFG_RAW_URL"] == "s3://greenmfg-raw"
    with pytest.raises(SeaweedFSError, match="unknown SeaweedFS role"):
        running_seaweedfs.env_for("root")


def test_a_missing_weed_binary_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(SeaweedFSError, match="weed"):
        find_weed()
