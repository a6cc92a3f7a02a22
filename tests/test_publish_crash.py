"""Crash safety and races: a publish interrupted at every store operation, and concurrent publishers that
commit only on the parent they compared with (compare-and-swap)."""

from __future__ import annotations

import threading

import pandas as pd
import pyarrow.fs as pafs
import pytest
from test_publish import coverage_frame, frames, options, publish, sorted_frame

from greenmfg.errors import SnapshotError, StaleParentError
from greenmfg.publish import (
    DiffPolicy,
    cleanup_uncommitted,
    commit_snapshot,
    latest,
    list_snapshots,
    prepare_snapshot,
    read_dataframe,
    read_manifest,
)
from greenmfg.storage import ObjectStore, keys
from greenmfg.storage.base import ObjectInfo
from greenmfg.storage.local import LocalStore


class SimulatedCrash(Exception):
    """The publishing process dies: not a GreenmfgError, nothing in the publisher handles it."""


class TrialStore(ObjectStore):
    """The real store under a trial prefix, dying just before its `crash_at`-th operation (0-based)."""

    def __init__(self, inner: ObjectStore, prefix: str, crash_at: int | None = None):
        self.inner, self.prefix, self.crash_at = inner, prefix, crash_at
        self.url = inner.uri(prefix)
        self.operations = 0

    def _tick(self) -> None:
        if self.crash_at is not None and self.operations >= self.crash_at:
            raise SimulatedCrash(f"crashed before operation {self.operations}")
        self.operations += 1

    def read_bytes(self, key: str) -> bytes:
        self._tick()
        return self.inner.read_bytes(self.prefix + key)

    def write_bytes(
        self, key: str, data: bytes, *, if_absent: bool = False, if_match: str | None = None
    ) -> str:
        self._tick()
        return self.inner.write_bytes(self.prefix + key, data, if_absent=if_absent, if_match=if_match)

    def head(self, key: str) -> ObjectInfo | None:
        self._tick()
        info = self.inner.head(self.prefix + key)
        return info and ObjectInfo(key, info.size, info.etag)

    def list(self, prefix: str = "") -> list[ObjectInfo]:
        self._tick()
        found = self.inner.list(self.prefix + prefix)
        return [ObjectInfo(i.key[len(self.prefix) :], i.size, i.etag) for i in found]

    def delete(self, key: str) -> None:
        self._tick()
        self.inner.delete(self.prefix + key)

    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        filesystem, root = self.inner.arrow_filesystem()
        return filesystem, f"{root.rstrip('/')}/{self.prefix.rstrip('/')}"


OLD = frames()
NEW = frames(coverage=coverage_frame(plants_offset=1))


def assert_reads_exactly(store: ObjectStore, expected: dict[str, pd.DataFrame]) -> None:
    for name, frame in expected.items():
        back = read_dataframe(store, name)
        pd.testing.assert_frame_equal(sorted_frame(back), sorted_frame(frame[back.columns.tolist()]))


def count_operations(inner: ObjectStore) -> int:
    counter = TrialStore(inner, "count/")
    publish(counter, OLD)
    counter.operations = 0
    publish(counter, NEW)
    return counter.operations


@pytest.mark.slow
def test_publish_interrupted_at_every_operation(any_stores):
    inner = any_stores.published
    total = count_operations(inner)
    assert total >= 20
    points = range(total + 1)
    if not isinstance(inner, LocalStore):  # every third point over the network, and all around the commit
        points = sorted({*points[::3], *points[-4:]})
    for crash_at in points:
        prefix = f"trial{crash_at:03d}/"
        if isinstance(inner, LocalStore):  # a folder per trial: a local listing walks the whole folder
            inner, prefix = LocalStore(any_stores.published.root.parent / prefix), ""
        publish(TrialStore(inner, prefix), OLD)
        old_id = latest(TrialStore(inner, prefix)).snapshot_id
        crashing = TrialStore(inner, prefix, crash_at=crash_at)
        if crash_at < total:
            with pytest.raises(SimulatedCrash):
                publish(crashing, NEW)
        else:
            publish(crashing, NEW)
        view = TrialStore(inner, prefix)
        head = latest(view)
        # Either the previous complete snapshot or the new complete one, never a mix.
        assert_reads_exactly(view, OLD if head.snapshot_id == old_id else NEW)
        rerun = publish(view, NEW)
        assert latest(view).snapshot_id == rerun.snapshot_id != old_id
        assert [e.sequence for e in list_snapshots(view)] == [1, 2]
        assert_reads_exactly(view, NEW)
        cleanup_uncommitted(view, grace_seconds=0)
        left = {i.key.split("/")[1] for i in view.list(keys.SNAPSHOTS_PREFIX)}
        assert left == {e.snapshot_id for e in list_snapshots(view)}
        assert view.list(keys.ATTEMPTS_PREFIX) == []


def test_concurrent_publishers_commit_only_on_the_parent_they_compared_with(any_stores):
    """Each publisher prepares against latest and commits; one that lost the race prepares again (as the
    publication loop derives again) instead of committing what it compared with a stale parent."""
    store = any_stores.published
    publishers = 6
    contents = [
        frames(
            coverage=pd.concat([coverage_frame(), coverage_frame(years=(2021,), regions=[f"3305{n:02d}"])])
        )
        for n in range(publishers)
    ]
    lenient = DiffPolicy(block_lost_fraction=None)
    barrier = threading.Barrier(publishers)
    results: dict[int, object] = {}
    stale: list[int] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            while n not in results:
                prepared = prepare_snapshot(store, contents[n], **options(lenient))
                try:
                    results[n] = commit_snapshot(store, prepared)
                except StaleParentError:
                    stale.append(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(publishers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stale, "no publisher lost a race: the test raced nothing"
    entries = list_snapshots(store)
    assert [e.sequence for e in entries] == list(range(1, publishers + 1))
    assert sorted(r.sequence for r in results.values()) == list(range(1, publishers + 1))
    assert [e.parent_sequence for e in entries] == [None, *range(1, publishers)]
    assert [e.parent_snapshot_id for e in entries[1:]] == [e.snapshot_id for e in entries[:-1]]
    for result in results.values():  # committed right after the snapshot its diff was taken against
        assert result.diff.parent_sequence == (result.sequence - 1 if result.sequence > 1 else None)
    for n, result in results.items():
        back = read_dataframe(store, "coverage", snapshot_id=result.snapshot_id)
        assert set(back["region_code"]) == {*coverage_frame()["region_code"], f"3305{n:02d}"}


def test_a_snapshot_prepared_on_a_parent_that_moved_is_never_committed(tmp_path):
    """Compare-and-swap: a rival commits between prepare and commit; the commit is refused, nothing lands
    on top of the rival, and the same content prepared again against the new parent commits after it."""
    store = LocalStore(tmp_path)
    publish(store, frames())
    mine = frames(
        coverage=pd.concat([coverage_frame(), coverage_frame(regions=["330599"])], ignore_index=True)
    )
    prepared = prepare_snapshot(store, mine, **options(None))
    rival = publish(store, frames(coverage=coverage_frame(plants_offset=5)))
    with pytest.raises(StaleParentError, match=rf"commit 2 was taken by snapshot {rival.snapshot_id}"):
        commit_snapshot(store, prepared)
    assert [e.snapshot_id for e in list_snapshots(store)][-1] == rival.snapshot_id
    assert len(list_snapshots(store)) == 2
    again = commit_snapshot(store, prepare_snapshot(store, mine, **options(None)))
    assert again.sequence == 3 and again.diff.parent_snapshot_id == rival.snapshot_id


def test_the_gate_judges_against_the_parent_that_won_the_race(tmp_path):
    """A publisher that loses commit n commits nothing; prepared again against the winner, the gate may now
    block it."""
    store = LocalStore(tmp_path)
    publish(store, frames())
    with_region = lambda code: frames(  # noqa: E731
        coverage=pd.concat([coverage_frame(), coverage_frame(regions=[code])], ignore_index=True)
    )

    class Racing(TrialStore):
        """Lets a rival commit its own snapshot just before this publisher's first commit attempt."""

        raced = False

        def write_bytes(self, key, data, **kwargs):
            if key.startswith(keys.COMMITS_PREFIX) and not self.raced:
                self.raced = True
                publish(TrialStore(self.inner, self.prefix), with_region("330598"))
            return super().write_bytes(key, data, **kwargs)

    strict = DiffPolicy(block_disappeared_keys=0)
    with pytest.raises(StaleParentError):
        publish(Racing(store, ""), with_region("330599"), policy=strict)
    assert [e.sequence for e in list_snapshots(store)] == [1, 2]
    assert set(read_dataframe(store, "coverage")["region_code"]) >= {"330598"}
    with pytest.raises(SnapshotError, match=r"2 key\(s\).*330598"):
        publish(store, with_region("330599"), policy=strict)
    assert [e.sequence for e in list_snapshots(store)] == [1, 2]


def test_a_leftover_manifest_of_the_same_content_is_kept_not_overwritten(tmp_path):
    """The manifest is created once: a rerun (or a racing publisher) of the same id adopts it, so a
    committed manifest can never change under its commit's SHA-256."""
    store = LocalStore(tmp_path)
    publish(store)
    crashing = TrialStore(store, "", crash_at=count_operations(LocalStore(tmp_path / "count")) - 2)
    with pytest.raises(SimulatedCrash):
        publish(crashing, NEW, validation={"run": "first"})
    leftover = [i.key for i in store.list(keys.SNAPSHOTS_PREFIX) if i.key.endswith("manifest.json")]
    assert len(leftover) == 2 and latest(store).sequence == 1
    result = publish(store, NEW, validation={"run": "second"})
    assert result.sequence == 2
    assert read_manifest(store)["validation"] == {"run": "first"}
    assert_reads_exactly(store, NEW)
