"""Retention: prune old committed snapshots, and remove files of publishes that never committed.

Commit entries are never deleted (they are the history); pruning deletes a snapshot's manifest first,
so a half-pruned snapshot reads as "pruned", never as a partial one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from greenmfg.errors import ObjectNotFoundError, SnapshotError
from greenmfg.publish.commits import list_snapshots, parse_instant, utc_now_iso
from greenmfg.storage import ObjectStore, keys

# Files of an uncommitted attempt younger than this may belong to a publish still running.
DEFAULT_GRACE_SECONDS = 3600.0


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
    committed = {e.snapshot_id for e in list_snapshots(published)}
    on_disk = {_id_of(info.key) for info in published.list(keys.SNAPSHOTS_PREFIX)}
    attempts = {
        info.key[len(keys.ATTEMPTS_PREFIX) :].removesuffix(".json")
        for info in published.list(keys.ATTEMPTS_PREFIX)
    }
    cutoff = parse_instant(now()) - timedelta(seconds=grace_seconds)
    removed = []
    for ident in sorted((on_disk | attempts) - {""}):
        if ident in committed:
            published.delete(keys.snapshot_attempt(ident))
            continue
        started = _attempt_started(published, ident)
        if started is not None and started > cutoff:
            continue
        _delete_snapshot_files(published, ident)
        published.delete(keys.snapshot_attempt(ident))
        removed.append(ident)
    return removed


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
