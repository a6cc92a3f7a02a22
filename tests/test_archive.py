"""The raw archive over both stores: create-once, content-addressed, with a stable provenance sidecar."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest

from greenmfg.archive import (
    archive_filing,
    archive_rejected,
    list_archived,
    read_filing,
    read_rejected_sidecar,
    read_sidecar,
)
from greenmfg.errors import ObjectNotFoundError, StorageError
from greenmfg.storage import ObjectStore, Stores, keys

FILING = "企业名称,统一社会信用代码,营业收入(万元)\n湖州某某科技有限公司,91330500MA2B000000,1234.5\n".encode()


@pytest.fixture
def raw(any_stores: Stores) -> ObjectStore:
    return any_stores.raw


def archive(raw: ObjectStore, data: bytes = FILING, **overrides: object):
    fields = {
        "original_name": "2024年绿色工厂名单.csv",
        "filing_type": "green_register",
        "received_at": "2025-03-01T08:00:00+08:00",
        "landing_key": "green_register/2024年绿色工厂名单.csv",
    }
    return archive_filing(raw, data, **{**fields, **overrides})


def test_a_new_filing_is_stored_as_filed_under_its_sha256(raw: ObjectStore) -> None:
    result = archive(raw)
    sha = hashlib.sha256(FILING).hexdigest()
    assert not result.is_duplicate
    assert (result.sha256, result.key, result.sidecar_key) == (
        sha,
        keys.raw_filing(sha),
        keys.raw_sidecar(sha),
    )
    assert raw.read_bytes(result.key) == FILING
    assert read_filing(raw, sha) == FILING
    assert list_archived(raw) == [sha]


def test_the_sidecar_records_provenance_with_sorted_keys(raw: ObjectStore) -> None:
    result = archive(raw)
    sidecar = read_sidecar(raw, result.sha256)
    assert sidecar["sha256"] == result.sha256
    assert sidecar["size_bytes"] == len(FILING)
    assert sidecar["original_name"] == "2024年绿色工厂名单.csv"
    assert sidecar["filing_type"] == "green_register"
    assert sidecar["received_at"] == "2025-03-01T08:00:00+08:00"
    assert sidecar["landing_key"] == "green_register/2024年绿色工厂名单.csv"
    body = raw.read_bytes(result.sidecar_key).decode("utf-8")
    assert list(json.loads(body)) == sorted(json.loads(body))
    assert "2024年绿色工厂名单" in body  # readable, not \u-escaped


def test_the_same_filing_gives_the_same_sidecar_bytes_in_any_store(any_stores: Stores) -> None:
    first, second = archive(any_stores.raw), archive(any_stores.staging)
    assert any_stores.raw.read_bytes(first.sidecar_key) == any_stores.staging.read_bytes(second.sidecar_key)


def test_the_same_bytes_again_are_a_duplicate_and_overwrite_nothing(raw: ObjectStore) -> None:
    first = archive(raw)
    etags = (raw.head(first.key).etag, raw.head(first.sidecar_key).etag)
    again = archive(raw, original_name="renamed.csv", received_at="2025-04-01T00:00:00+08:00")
    assert again.is_duplicate
    assert again.sha256 == first.sha256
    assert (raw.head(first.key).etag, raw.head(first.sidecar_key).etag) == etags
    assert read_sidecar(raw, first.sha256)["original_name"] == "2024年绿色工厂名单.csv"


def test_different_bytes_are_different_filings(raw: ObjectStore) -> None:
    shas = {archive(raw, FILING + bytes([i])).sha256 for i in range(3)}
    assert list_archived(raw) == sorted(shas)


def test_eight_threads_archiving_the_same_bytes_store_one_object(raw: ObjectStore) -> None:
    barrier = threading.Barrier(8)
    results: list[object] = [None] * 8

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = archive(raw, original_name=f"copy-{index}.csv")
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.is_duplicate for r in results) == [False] + [True] * 7
    sha = results[0].sha256
    assert [info.key for info in raw.list()] == sorted([keys.raw_filing(sha), keys.raw_sidecar(sha)])
    assert read_sidecar(raw, sha)["original_name"] in {f"copy-{i}.csv" for i in range(8)}


def test_a_missing_sidecar_is_restored_on_the_next_arrival(raw: ObjectStore) -> None:
    sha = hashlib.sha256(FILING).hexdigest()
    raw.write_bytes(keys.raw_filing(sha), FILING)  # a writer that stopped before its sidecar
    result = archive(raw)
    assert result.is_duplicate
    assert read_sidecar(raw, sha)["sha256"] == sha


def test_rejected_landings_are_kept_apart_with_their_reason(raw: ObjectStore) -> None:
    result = archive_rejected(
        raw, b"not a filing", original_name="junk.bin", reason="unknown file type", received_at="2025-03-02"
    )
    sha = hashlib.sha256(b"not a filing").hexdigest()
    assert (result.key, result.sidecar_key) == (keys.raw_rejected(sha), keys.raw_rejected_sidecar(sha))
    assert raw.read_bytes(result.key) == b"not a filing"
    assert read_rejected_sidecar(raw, sha)["reason"] == "unknown file type"
    assert list_archived(raw) == []
    again = archive_rejected(raw, b"not a filing", original_name="junk.bin", reason="other", received_at="x")
    assert again.is_duplicate
    assert read_rejected_sidecar(raw, sha)["reason"] == "unknown file type"


def test_unknown_filings_and_corrupt_bytes_are_reported(raw: ObjectStore) -> None:
    sha = hashlib.sha256(FILING).hexdigest()
    with pytest.raises(ObjectNotFoundError):
        read_sidecar(raw, sha)
    raw.write_bytes(keys.raw_filing(sha), b"tampered")
    with pytest.raises(StorageError, match="corrupt"):
        read_filing(raw, sha)
