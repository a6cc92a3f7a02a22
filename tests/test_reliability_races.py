"""Duplicates and races on SeaweedFS, with processes: the same landing event delivered 10 times at once
leaves one archive object per distinct filing and one ingestion record; 8 publishers started at once leave a
commit history 1..n without gaps, each entry's manifest complete."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from pathlib import Path

import pytest
from helpers import reference
from helpers.publishers import ForkingWorker
from helpers.snapshots import verify_history
from helpers.stores import stores_for

from greenmfg import archive, staging, sweep
from greenmfg.policy import Policy
from greenmfg.storage import keys
from infra.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.s3, pytest.mark.slow]

DELIVERIES = 10
PUBLISHERS = 8
STAR_THRESHOLDS = (2, 3, 4, 5)  # four different snapshots, each published by two of the eight


def test_same_landing_event_delivered_ten_times_at_once(seaweedfs: SeaweedFS) -> None:
    prefix = f"races-ingest-{uuid.uuid4().hex[:8]}"
    stores = stores_for(seaweedfs, "ingester", prefix)
    loans = [(k, p) for k, p in reference.landing_files() if k.startswith("green_loans/")][:2]
    (key, path), (other_key, other_path) = loans
    copy_key = key.replace("/", "/copy_of_", 1)  # the same bytes landed under a second name
    for landing_key, data in ((key, path), (copy_key, path), (other_key, other_path)):
        stores.landing.write_bytes(landing_key, data.read_bytes())
    deliveries = [key] * DELIVERIES + [copy_key] * 2 + [other_key] * 2
    worker = ForkingWorker(warm_gx=True)
    try:
        jobs = [
            worker.job(seaweedfs, "ingester", prefix, {"task": "ingest", "landing_key": k})
            for k in deliveries
        ]
        outcomes = worker.run(jobs)  # 14 processes forked at once
    finally:
        worker.close()
    assert all(code == 0 for code, _ in outcomes), outcomes
    shas = {archive.sha256_hex(path.read_bytes()), archive.sha256_hex(other_path.read_bytes())}
    by_sha: dict[str, Counter] = {}
    for _, result in outcomes:
        by_sha.setdefault(result["sha256"], Counter())[result["status"]] += 1
    # Exactly one delivery per distinct filing did the work; every other one was told it is a duplicate.
    assert by_sha == {
        archive.sha256_hex(path.read_bytes()): Counter(accepted=1, duplicate=DELIVERIES + 1),
        archive.sha256_hex(other_path.read_bytes()): Counter(accepted=1, duplicate=1),
    }
    assert {i.key for i in stores.raw.list()} == {
        k for s in shas for k in (keys.raw_filing(s), keys.raw_sidecar(s))
    }
    assert archive.list_archived(stores.raw) == sorted(shas)
    records = staging.all_records(stores.staging)
    assert sorted(r["sha256"] for r in records) == sorted(shas)
    staged = {s["key"] for r in records for p in r["parts"] for s in p["staged"].values()}
    assert {i.key for i in stores.staging.list(keys.staging_canonical_prefix())} == staged
    assert sweep.pending_landings(stores) == []


@pytest.fixture(scope="module")
def payloads(seaweedfs: SeaweedFS, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    staged = stores_for(seaweedfs, "publisher", reference.staged_prefix(seaweedfs))
    folder = tmp_path_factory.mktemp("races")
    return [
        reference.payload(staged, folder / f"star{n}.pickle", Policy(star_threshold=n))
        for n in STAR_THRESHOLDS
    ]


def test_eight_publishers_at_once_leave_a_consistent_history(
    seaweedfs: SeaweedFS, payloads: list[Path]
) -> None:
    prefix = f"races-publish-{uuid.uuid4().hex[:8]}"
    worker = ForkingWorker()
    try:
        contents = [str(payloads[n % len(payloads)]) for n in range(PUBLISHERS)]
        jobs = [
            worker.job(seaweedfs, "publisher", prefix, {"task": "publish", "payload": str(p)})
            for p in contents
        ]
        outcomes = worker.run(jobs)  # 8 processes forked at once
    finally:
        worker.close()
    assert all(code == 0 for code, _ in outcomes), outcomes
    entries = verify_history(stores_for(seaweedfs, "consumer", prefix).published)
    committed = [e.snapshot_id for e in entries]
    ids = {result["snapshot_id"] for _, result in outcomes}
    assert len(ids) == len(STAR_THRESHOLDS)  # four different contents…
    assert set(committed) == ids  # …each committed, at least once
    assert len(payloads) <= len(entries) <= PUBLISHERS
    assert all(a != b for a, b in itertools.pairwise(committed))  # never twice in a row
    new = sorted(result["sequence"] for _, result in outcomes if result["is_new"])
    assert new == [e.sequence for e in entries]  # every commit was made by exactly one publisher
    for _, result in outcomes:
        if not result["is_new"]:  # it found its content already latest when it came to commit
            assert result["snapshot_id"] in committed
