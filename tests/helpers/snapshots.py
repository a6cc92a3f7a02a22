"""Check what a reader sees: the latest commit's manifest and every file it lists, byte for byte."""

from __future__ import annotations

import hashlib

from greenmfg.publish import latest, list_snapshots, read_dataframe
from greenmfg.publish.manifest import manifest_files
from greenmfg.publish.reader import load_manifest
from greenmfg.storage import ObjectStore


def verify_committed(published: ObjectStore, entry, *, read_frames: bool = True) -> dict:
    """The manifest of `entry` after checking its SHA-256 and every listed file's size and SHA-256, and
    (with `read_frames`) reading every dataset through the public reader."""
    manifest = load_manifest(published, entry)  # raises when the manifest differs from the commit
    for listed in manifest_files(manifest):
        data = published.read_bytes(listed["key"])
        assert len(data) == listed["size"], listed["key"]
        assert hashlib.sha256(data).hexdigest() == listed["sha256"], listed["key"]
    for name in manifest["datasets"] if read_frames else ():
        frame = read_dataframe(published, name, snapshot_id=entry.snapshot_id)
        assert len(frame) == manifest["datasets"][name]["rows"], name
    return manifest


def verify_latest(published: ObjectStore) -> str | None:
    """The id of the latest snapshot, verified complete; None when nothing was ever committed."""
    head = latest(published)
    if head is None:
        return None
    verify_committed(published, head)
    return head.snapshot_id


def verify_history(published: ObjectStore) -> list:
    """Every commit: sequences 1..n without gaps, each parent the previous, each manifest complete."""
    entries = list_snapshots(published)
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    assert [e.parent_sequence for e in entries] == [None, *range(1, len(entries))]
    assert [e.parent_snapshot_id for e in entries[1:]] == [e.snapshot_id for e in entries[:-1]]
    for entry in entries:
        verify_committed(published, entry, read_frames=False)
    return entries
