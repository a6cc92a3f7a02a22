"""Ingest and publish in one process: the staged rows are handed over, never read back, and the snapshot is
the one a separate publisher builds from the store (greenmfg/handover.py)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import reference

from greenmfg import handover, publication, staging
from greenmfg.parquet import parquet_bytes
from greenmfg.policy import Policy
from greenmfg.storage import local_stores

FILES = reference.landing_files(years=(2020,), corrections=False)


def _published(root: Path) -> dict[str, bytes]:
    folder = root / "published" / "snapshots"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _no_staged_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make reading a staged canonical Parquet fail, recording who tried."""
    tried: list[str] = []
    read_table = pq.read_table

    def refusing(source, *args, **kwargs):
        if "canonical/" in str(source):
            tried.append(str(source))
            raise AssertionError(f"staged rows read back: {source}")
        return read_table(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", refusing)
    return tried


def test_one_process_publishes_the_rows_it_staged_without_reading_them_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apart, together = local_stores(tmp_path / "apart"), local_stores(tmp_path / "together")
    reference.land_and_ingest(apart, FILES)
    separate = publication.publish_in_force(apart, Policy())
    with handover.handing_over():
        reference.land_and_ingest(together, FILES)
        tried = _no_staged_reads(monkeypatch)
        handed = publication.publish_in_force(together, Policy())
    assert tried == []
    assert handed.result is not None and separate.result is not None
    assert handed.result.snapshot_id == separate.result.snapshot_id
    assert _published(tmp_path / "together") == _published(tmp_path / "apart")


def test_a_staged_object_replaced_since_is_read_again(tmp_path: Path) -> None:
    stores = local_stores(tmp_path / "store")
    with handover.handing_over():
        reference.land_and_ingest(stores, FILES[:1])
        part = next(iter(staging.winners(staging.staged_parts(staging.all_records(stores.staging))).values()))
        held = staging.read_part(stores.staging, part)
        other_process = local_stores(tmp_path / "store").staging
        stored = pq.read_table(other_process.arrow_path(part.staging_key))
        other_process.write_bytes(part.staging_key, parquet_bytes(stored.slice(1)))
        again = staging.read_part(stores.staging, part)
    assert len(again) == len(held) - 1
    assert again["source_row"].tolist() == held["source_row"].tolist()[1:]


def test_nothing_is_kept_outside_a_hand_over(tmp_path: Path) -> None:
    stores = local_stores(tmp_path / "store")
    reference.land_and_ingest(stores, FILES[:1])
    part = next(iter(staging.winners(staging.staged_parts(staging.all_records(stores.staging))).values()))
    assert handover.recall(stores.staging, part.staging_key) is None
    with handover.handing_over():
        assert handover.recall(stores.staging, part.staging_key) is None  # staged before the scope
