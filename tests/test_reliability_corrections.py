"""Corrections on SeaweedFS: a re-filed period replaces the earlier filing in the published indicators — the
snapshot is exactly the one built had only the corrected filing existed — and both stay in the raw archive."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from helpers import reference
from helpers.stores import stores_for

from greenmfg import archive, build
from greenmfg.publish import read_dataframe, read_manifest
from greenmfg.storage import LocalStore, Stores
from infra.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CORRECTION_MARK = "更正"


def publish_all(stores: Stores):
    return build.publish(stores, *reference.derive(stores))


def test_a_refiled_period_replaces_the_earlier_one(seaweedfs: SeaweedFS, tmp_path: Path) -> None:
    prefix = f"corrections-{uuid.uuid4().hex[:8]}"
    ingester, publisher = (
        stores_for(seaweedfs, "ingester", prefix),
        stores_for(seaweedfs, "publisher", prefix),
    )
    files = reference.landing_files()
    [correction] = [f for f in files if CORRECTION_MARK in f[1].name]
    [original] = [
        f
        for f in files
        if f[0].split("/")[0] == correction[0].split("/")[0]
        and f[1].stem.split("_")[1] == correction[1].stem.split("_")[1]
        and f != correction
    ]
    reference.land_and_ingest(ingester, [f for f in files if f != correction])
    before = publish_all(publisher)
    [refiled] = reference.land_and_ingest(ingester, [correction])
    assert refiled.status == "accepted", refiled.message
    after = publish_all(publisher)
    assert after.is_new and after.snapshot_id != before.snapshot_id

    # The oracle: the same filings in a local store where the original was never filed.
    oracle_stores = Stores(
        *(LocalStore(tmp_path / area) for area in ("landing", "raw", "staging", "published"))
    )
    reference.land_and_ingest(oracle_stores, [f for f in files if f != original])
    assert publish_all(oracle_stores).snapshot_id == after.snapshot_id

    consumer = stores_for(seaweedfs, "consumer", prefix).published
    sources = {(s["filing_type"], s["period"]): s["sha256"] for s in read_manifest(consumer)["sources"]}
    original_sha, correction_sha = (archive.sha256_hex(f[1].read_bytes()) for f in (original, correction))
    assert correction_sha in sources.values() and original_sha not in sources.values()
    # Both versions stay in the raw archive, readable and intact.
    assert {original_sha, correction_sha} <= set(archive.list_archived(publisher.raw))
    assert archive.read_filing(publisher.raw, original_sha) == original[1].read_bytes()

    # The indicators changed (the oracle above says they changed exactly as they should).
    changed = [
        name
        for name in read_manifest(consumer)["datasets"]
        if not read_dataframe(consumer, name, snapshot_id=before.snapshot_id).equals(
            read_dataframe(consumer, name, snapshot_id=after.snapshot_id)
        )
    ]
    assert changed, "the correction changed no published indicator"
