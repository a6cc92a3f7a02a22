"""Retention: prune old committed snapshots, and remove files of publishes that never committed.

Commit entries are never deleted (they are the history); pruning deletes a snapshot's manifest first,
so a half-pruned snapshot reads as "pruned", never as a partial one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from greenmfg.errors import ObjectNotFoundError, SnapshotError
from greenmfg.publish.commits import list_snapshots, parse_instant, utc_now_iso
from greenmfg.storage import ObjectStore, keys

# Files of an uncommitted attempt younger than this may belong to a publish still running.
DEFAULT_GRACE_SECONDS = 3600.0
# Scheduled retention keeps a snapshot that is among the last DEFAULT_KEEP_LAST commits, or was committed
# within DEFAULT_KEEP_DAYS, or is pinned; latest always.
DEFAULT_KEEP_LAST = 12
DEFAULT_KEEP_DAYS = 400.0


@dataclass(frozen=True)
class RetentionPlan:
    """What a retention run deletes (or, dry, would delete): committed snapshots, uncommitted attempts."""

    pruned: list[str]
    kept: list[str]
    uncommitted: list[str]
    dry_run: bool

    def to_dict(self) -> dict:
        return asdict(self)


def apply_retention(
    published: ObjectStore,
    *,
    keep_last: int = DEFAULT_KEEP_LAST,
    keep_days: float = DEFAULT_KEEP_DAYS,
    pinned: Iterable[str] = (),
    dry_run: bool = False,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    now: Callable[[], str] = utc_now_iso,
) -> RetentionPlan:
    """Delete the committed snapshots no rule keeps, and leftovers of publishes that never committed."""
    if keep_last < 1:
        raise SnapshotError(f"keep_last must be at least 1 (latest is always kept), got {keep_last}")
    entries = list_snapshots(published)
    cutoff = parse_instant(now()) - timedelta(days=keep_days)
    pinned = set(pinned)
    unknown = sorted(pinned - {e.snapshot_id for e in entries})
    if unknown:
        raise SnapshotError(f"{published.uri()}: pinned snapshots were never committed: {', '.join(unknown)}")
    keep = {e.snapshot_id for e in entries[-keep_last:]} | pinned
    keep |= {e.snapshot_id for e in entries if parse_instant(e.committed_at) >= cutoff}
    candidates = sorted({e.snapshot_id for e in entries} - keep)
    if dry_run:
        pruned = [ident for ident in candidates if published.list(keys.snapshot_prefix(ident))]
        uncommitted = _uncommitted(published, grace_seconds, now)
    else:
        pruned = [ident for ident in candidates if _delete_snapshot_files(published, ident)]
        uncommitted = cleanup_uncommitted(published, grace_seconds=grace_seconds, now=now)
    return RetentionPlan(pruned, sorted(keep), uncommitted, dry_run)


def prune(published: ObjectStore, *, keep_last: int) -> list[str]:
    """Delete the files of committed snapshots not among the last `keep_last` commits; never latest's.

    Returns the ids whose files were deleted.
    """
    if keep_last < 1:
        raise SnapshotError(f"keep_last must be at least 1 (latest is always kept), got {keep_last}")
    entries = list_snapshots(published)
    keep = {e.snapshot_id for e in entries[-keep_last:]}
    pruned = []
    for ident in sorted({e.snapshot_id for e in entries} - keep):
        if _delete_snapshot_files(published, ident):
            pruned.append(ident)
    return pruned


def cleanup_uncommitted(
    published: ObjectStore,
    *,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    now: Callable[[], str] = utc_now_iso,
) -> list[str]:
    """Delete snapshot folders no commit refers to, unless their publish started less than
    `grace_seconds` ago (0 = remove all now). Returns the ids removed."""
    removed = []
    for ident in _uncommitted(published, grace_seconds, now):
        _delete_snapshot_files(published, ident)
        published.delete(keys.snapshot_attempt(ident))
        removed.append(ident)
    committed = {e.snapshot_id for e in list_snapshots(published)}
    for info in published.list(keys.ATTEMPTS_PREFIX):
        ident = info.key[len(keys.ATTEMPTS_PREFIX) :].removesuffix(".json")
        if ident in committed:
            published.delete(keys.snapshot_attempt(ident))  # a marker its publish left after committing
    return removed


def _uncommitted(published: ObjectStore, grace_seconds: float, now: Callable[[], str]) -> list[str]:
    """Ids of snapshot folders or attempt markers no commit refers to, started before the grace period."""
    committed = {e.snapshot_id for e in list_snapshots(published)}
    on_disk = {_id_of(info.key) for info in published.list(keys.SNAPSHOTS_PREFIX)}
    attempts = {
        info.key[len(keys.ATTEMPTS_PREFIX) :].removesuffix(".json")
        for info in published.list(keys.ATTEMPTS_PREFIX)
    }
    cutoff = parse_instant(now()) - timedelta(seconds=grace_seconds)
    found = []
    for ident in sorted((on_disk | attempts) - {""} - committed):
        started = _attempt_started(published, ident)
        if started is None or started <= cutoff:
            found.append(ident)
    return found


def _id_of(key: str) -> str:
    return key[len(keys.SNAPSHOTS_PREFIX) :].split("/", 1)[0]


def _attempt_started(published: ObjectStore, ident: str) -> datetime | None:
    try:
        marker = json.loads(published.read_bytes(keys.snapshot_attempt(ident)))
        return parse_instant(marker["started_at"])
    except (ObjectNotFoundError, ValueError, KeyError):
        return None


def _delete_snapshot_files(published: ObjectStore, ident: str) -> bool:
    """Manifest first, then everything else under the snapshot's prefix. True if anything was there."""
    objects = published.list(keys.snapshot_prefix(ident))
    if not objects:
        return False
    published.delete(keys.snapshot_manifest(ident))
    for info in objects:
        published.delete(info.key)
    return True
