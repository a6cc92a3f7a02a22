"""Duplicates and races on SeaweedFS, with processes: the same landing event delivered 10 times at once
leaves one archive object per distinct filing and one ingestion record; 8 publishers started at once leave a
commit history 1..n without gaps, each entry's manifest complete; a publisher whose parent moved while it
derived derives again with what landed meanwhile (compare-and-swap), with or without Prefect."""

from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import kill_switch, reference
from helpers.publishers import ForkingWorker, staged_under
from helpers.snapshots import verify_history
from helpers.stores import stores_for

from greenmfg import archive, staging, sweep
from greenmfg.publish import read_dataframe, read_manifest
from greenmfg.storage import keys
from infra.seaweedfs import BUCKETS, SeaweedFS

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
def staged(seaweedfs: SeaweedFS) -> str:
    """Where the reference filings are staged (once per session), for publishers to derive from."""
    return reference.staged_prefix(seaweedfs)


def test_eight_publishers_at_once_leave_a_consistent_history(seaweedfs: SeaweedFS, staged: str) -> None:
    prefix = f"races-publish-{uuid.uuid4().hex[:8]}"
    worker = ForkingWorker()
    try:
        thresholds = [STAR_THRESHOLDS[n % len(STAR_THRESHOLDS)] for n in range(PUBLISHERS)]
        jobs = [
            worker.job(
                seaweedfs, "publisher", prefix, {"task": "publish"},
                **staged_under(staged), GREENMFG_STAR_THRESHOLD=str(threshold),
            )
            for threshold in thresholds
        ]  # fmt: skip
        outcomes = worker.run(jobs)  # 8 processes forked at once, each selecting and deriving
    finally:
        worker.close()
    assert all(code == 0 for code, _ in outcomes), outcomes
    published = stores_for(seaweedfs, "consumer", prefix).published
    entries = verify_history(published)
    committed = [e.snapshot_id for e in entries]
    ids = {result["snapshot_id"] for _, result in outcomes}
    assert len(ids) == len(STAR_THRESHOLDS)  # four different contents…
    assert set(committed) == ids  # …each committed, at least once
    assert len(STAR_THRESHOLDS) <= len(entries) <= PUBLISHERS
    assert all(a != b for a, b in itertools.pairwise(committed))  # never twice in a row
    new = sorted(result["sequence"] for _, result in outcomes if result["is_new"])
    assert new == [e.sequence for e in entries]  # every commit was made by exactly one publisher
    for (_, result), threshold in zip(outcomes, thresholds, strict=True):
        assert read_manifest(published, result["snapshot_id"])["parameters"]["star_threshold"] == threshold
        if result["is_new"]:  # committed right after the snapshot it was compared with
            assert result["diff"]["parent_sequence"] == (result["sequence"] - 1 or None)
        else:  # it found its content already latest
            assert result["snapshot_id"] in committed
    print(f"8 publishers: {len(entries)} commits, {sum(r['attempts'] for _, r in outcomes)} derives")


def test_a_publisher_that_lost_the_race_derives_again_with_the_filing_landed_meanwhile(
    seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    """Publisher A derives, then waits before writing; a third process ingests a filing, publisher B
    publishes it; A's commit on its parent is refused, so it selects and derives again: its snapshot holds
    the new filing, never the content it derived before (which would drop the filing from latest)."""
    prefix = f"races-stale-{uuid.uuid4().hex[:8]}"
    ingester = stores_for(seaweedfs, "ingester", prefix)
    loans = sorted(
        (k, p) for k, p in reference.landing_files(corrections=False) if k.startswith("green_loans/")
    )
    (first_key, first), (late_key, late) = loans
    reference.land_and_ingest(ingester, [(first_key, first)])
    ingester.landing.write_bytes(late_key, late.read_bytes())  # lands now, ingested while A waits
    pause = {kill_switch.BUCKETS: BUCKETS["published"], kill_switch.PAUSE_AT: "1"}
    a_worker, others = ForkingWorker(), ForkingWorker(warm_gx=True)
    try:
        base = others.run([others.job(seaweedfs, "publisher", prefix, {"task": "publish"})])[0][1]
        assert base["sequence"] == 1
        with ThreadPoolExecutor(max_workers=1) as thread:
            a_job = a_worker.job(
                seaweedfs, "publisher", prefix, {"task": "publish"},
                GREENMFG_STAR_THRESHOLD="4", **pause, **{kill_switch.PAUSE_DIR: str(tmp_path)},
            )  # fmt: skip
            a_run = thread.submit(a_worker.run, [a_job])
            _wait_for(tmp_path / "paused", a_run)  # A has selected and derived on commit 1
            ingested = others.run(
                [others.job(seaweedfs, "ingester", prefix, {"task": "ingest", "landing_key": late_key})]
            )
            assert ingested[0][1]["status"] == "accepted", ingested
            b = others.run([others.job(seaweedfs, "publisher", prefix, {"task": "publish"})])[0][1]
            (tmp_path / "resume").touch()
            [(code, a)] = a_run.result(timeout=180)
    finally:
        a_worker.close()
        others.close()
    assert code == 0 and b["is_new"] and b["sequence"] == 2
    assert a["is_new"] and a["sequence"] == 3 and a["attempts"] == 2, a
    published = stores_for(seaweedfs, "consumer", prefix).published
    entries = verify_history(published)
    assert [e.snapshot_id for e in entries] == [base["snapshot_id"], b["snapshot_id"], a["snapshot_id"]]
    late_sha = archive.sha256_hex(late.read_bytes())
    for entry in entries[1:]:  # both snapshots after the landing hold its rows, and list exactly their inputs
        manifest = read_manifest(published, entry.snapshot_id)
        finance = read_dataframe(published, "green_finance", snapshot_id=entry.snapshot_id)
        held = {s for cell in finance["source_sha256s"].dropna() for s in cell.split(";")}
        assert late_sha in held
        assert {s["sha256"] for s in manifest["sources"]} == held
    assert read_manifest(published, a["snapshot_id"])["parameters"]["star_threshold"] == 4


def _wait_for(path: Path, running, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if running.done():
            raise AssertionError(f"the paused publisher ended early: {running.result()}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
