"""Crash during publish: a publishing process, SIGKILLed just before one of the store operations of a real
publication to SeaweedFS (spread over every step: parent lookup, the unchanged check, diff, attempt marker,
data files, dictionary, manifest, verification, commit, marker removal), leaves readers the previous complete
snapshot or the new complete one; the next run commits normally and the killed attempt's leftovers are never
read, then cleaned. Each publication selects and derives from staging, as `greenmfg publish` does.
"""

from __future__ import annotations

import queue
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import reference
from helpers.publishers import ForkingWorker, worker_pool
from helpers.snapshots import verify_history, verify_latest
from helpers.stores import stores_for

from greenmfg.publish import cleanup_uncommitted
from greenmfg.storage import keys
from infra.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.s3, pytest.mark.slow]

MIN_TRIALS = 20
MAX_TRIALS = 24  # crash points beyond this many are sampled evenly, always keeping the last four
PROCESSES = 2  # the 2 cores: one publishing process at a time each


# OLD and NEW: the reference filings published under two policies (settings), so two different snapshots.
POLICIES = {"old": {"GREENMFG_STAR_THRESHOLD": "4"}, "new": {"GREENMFG_STAR_THRESHOLD": "3"}}


@pytest.fixture(scope="module")
def staged(seaweedfs: SeaweedFS) -> str:
    """Where the reference filings are staged (once per session)."""
    return reference.staged_prefix(seaweedfs)


def crash_points(total: int) -> list[int]:
    """Operation numbers (1-based) to die before: all of them, or an even spread plus the commit's end."""
    if total <= MAX_TRIALS:
        return list(range(1, total + 1))
    spread = {round(1 + i * (total - 1) / (MAX_TRIALS - 5)) for i in range(MAX_TRIALS - 4)}
    return sorted(spread | set(range(total - 3, total + 1)))


def publish(
    pool: queue.Queue[ForkingWorker],
    server: SeaweedFS,
    prefix: str,
    staged: str,
    content: str,
    kill_at: int | None = None,
) -> tuple[int, dict | None]:
    """(exit code, result) of one publishing process of the OLD or NEW `content`, forked by a worker taken
    from the pool."""
    worker = pool.get()
    try:
        return worker.publish(server, prefix, staged, kill_at=kill_at, **POLICIES[content])
    finally:
        pool.put(worker)


def test_publish_killed_at_every_step_leaves_old_or_new_snapshot_whole(
    seaweedfs: SeaweedFS, staged: str
) -> None:
    base = f"pubcrash-{uuid.uuid4().hex[:8]}"

    def trial(kill_at: int) -> str:
        prefix = f"{base}-k{kill_at:03d}"
        assert publish(pool, seaweedfs, prefix, staged, "old")[1]["snapshot_id"] == old_id
        assert publish(pool, seaweedfs, prefix, staged, "new", kill_at)[0] == -signal.SIGKILL, kill_at
        consumer = stores_for(seaweedfs, "consumer", prefix).published
        # A reader sees one whole snapshot: its manifest matches the commit, every file its manifest.
        seen = verify_latest(consumer)
        assert seen in (old_id, new_id), kill_at
        # The next run completes normally (or finds the killed run had already committed).
        code, rerun = publish(pool, seaweedfs, prefix, staged, "new")
        assert code == 0 and rerun["snapshot_id"] == new_id and rerun["is_new"] == (seen == old_id)
        entries = verify_history(consumer)
        assert [e.snapshot_id for e in entries] == [old_id, new_id]
        # Leftovers of the killed attempt are cleaned; committed snapshots stay whole.
        publisher = stores_for(seaweedfs, "publisher", prefix).published
        cleanup_uncommitted(publisher, grace_seconds=0)
        folders = {i.key.split("/")[1] for i in publisher.list(keys.SNAPSHOTS_PREFIX)}
        assert folders == {old_id, new_id}
        assert publisher.list(keys.ATTEMPTS_PREFIX) == []
        verify_history(consumer)
        return "old" if seen == old_id else "new"

    with worker_pool(PROCESSES) as pool, ThreadPoolExecutor(max_workers=PROCESSES) as threads:
        # A clean run first: how many store operations a publish makes, and the id of the new snapshot.
        counting = f"{base}-count"
        old_id = publish(pool, seaweedfs, counting, staged, "old")[1]["snapshot_id"]
        code, report = publish(pool, seaweedfs, counting, staged, "new")
        assert code == 0 and report is not None and report["is_new"]
        new_id, total = report["snapshot_id"], report["operations"]
        points = crash_points(total)
        assert len(points) >= MIN_TRIALS, f"a publish makes only {total} store operations"
        outcomes = dict(zip(points, threads.map(trial, points), strict=True))
    # Every step was hit: early kills keep the old snapshot, a kill after the commit shows the new one.
    assert new_id != old_id
    assert outcomes[points[0]] == "old" and outcomes[points[-1]] == "new"
    assert list(outcomes.values()) == sorted(outcomes.values(), key=("old", "new").index)
    print(f"publish crash: {len(points)} trials over {total} operations: {outcomes}")
