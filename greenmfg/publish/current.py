"""Is the latest snapshot already built from these inputs? Lets a run with nothing new skip derive.

A snapshot's id follows from its sources, parameters and code (datasets and dictionary are pure functions
of them), so equal sources, parameters and code version mean publishing would find latest unchanged.
The code version must change with the code (greenmfg.versioning stamps the git commit).
"""

from __future__ import annotations

import json

from greenmfg.errors import SnapshotError
from greenmfg.publish.commits import CommitEntry, latest
from greenmfg.publish.manifest import canonical_json
from greenmfg.publish.reader import load_manifest
from greenmfg.storage import ObjectStore


def _as_stored(value: object) -> object:
    """The value as the manifest holds it after its JSON round trip (tuples as lists, dates as text)."""
    return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def current_snapshot(
    published: ObjectStore, *, sources: list[dict], parameters: dict, code_version: str
) -> CommitEntry | None:
    """The latest commit when it was built from exactly these sources, parameters and code version."""
    head = latest(published)
    if head is None or head.code_version != code_version:
        return None
    try:
        manifest = load_manifest(published, head)
    except SnapshotError:
        return None  # pruned or damaged: let a full publish decide
    same = (
        manifest.get("code_version") == code_version
        and manifest.get("parameters") == _as_stored(parameters)
        and manifest.get("sources") == _as_stored(sorted(sources, key=canonical_json))
    )
    return head if same else None
