"""The commit log: numbered entries created once (If-None-Match), `latest` being the highest.

An entry is the only thing that makes a snapshot visible. Losing the race for number n raises
PreconditionFailedError and leaves the winner's entry untouched.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from greenmfg.errors import ObjectNotFoundError, SnapshotError
from greenmfg.storage import ObjectStore, keys

_ENTRY_NAME = re.compile(r"^(\d{12})\.json$")


def utc_now_iso() -> str:
    """Wall-clock time for the commit log (never written into data files)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class CommitEntry:
    """One published snapshot in the log, with enough summary to list it without reading its manifest."""

    sequence: int
    snapshot_id: str
    manifest_key: str
    manifest_sha256: str
    parent_sequence: int | None
    parent_snapshot_id: str | None
    committed_at: str
    code_version: str = ""
    datasets: dict[str, int] = field(default_factory=dict)
    sources_count: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes, origin: str) -> CommitEntry:
        try:
            raw = json.loads(data)
            return cls(**raw)
        except (ValueError, TypeError) as exc:
            raise SnapshotError(f"{origin}: unreadable commit entry ({exc})") from None

    @property
    def committed_datetime(self) -> datetime:
        return parse_instant(self.committed_at)


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_of_cutoff(as_of: str | date | datetime) -> datetime:
    """The instant a snapshot must have been committed before: the end of a plain date (UTC), or just after
    the given instant (so a snapshot committed exactly then counts)."""
    if isinstance(as_of, datetime):
        return (as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)) + timedelta(microseconds=1)
    if isinstance(as_of, date):
        return datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) + timedelta(days=1)
    text = as_of.strip()
    try:
        if len(text) == 10:
            return as_of_cutoff(date.fromisoformat(text))
        return as_of_cutoff(parse_instant(text))
    except ValueError:
        raise SnapshotError(f"as-of {as_of!r} is not a date (YYYY-MM-DD) or an ISO date-time") from None


def _sequences(published: ObjectStore) -> list[int]:
    found = []
    for info in published.list(keys.COMMITS_PREFIX):
        match = _ENTRY_NAME.match(info.key[len(keys.COMMITS_PREFIX) :])
        if match:
            found.append(int(match.group(1)))
    return sorted(found)


def read_entry(published: ObjectStore, sequence: int) -> CommitEntry:
    key = keys.commit_entry(sequence)
    try:
        return CommitEntry.from_json(published.read_bytes(key), published.uri(key))
    except ObjectNotFoundError:
        raise SnapshotError(f"{published.uri(key)}: commit entry {sequence} does not exist") from None


def list_snapshots(published: ObjectStore) -> list[CommitEntry]:
    """Every commit, oldest first."""
    return [read_entry(published, n) for n in _sequences(published)]


def latest(published: ObjectStore) -> CommitEntry | None:
    """The highest committed entry, or None before the first publish."""
    sequences = _sequences(published)
    return read_entry(published, sequences[-1]) if sequences else None


def create_entry(published: ObjectStore, entry: CommitEntry) -> None:
    """Create entry n once; raise PreconditionFailedError if another publisher holds n."""
    published.write_bytes(keys.commit_entry(entry.sequence), entry.to_json(), if_absent=True)


def resolve(
    published: ObjectStore, *, snapshot_id: str | None = None, as_of: str | date | datetime | None = None
) -> CommitEntry:
    """The commit a reader should use: by id, as of an instant, or latest. Uncommitted ids are never used."""
    if snapshot_id is not None and as_of is not None:
        raise SnapshotError("give a snapshot id or an as-of date, not both")
    entries = list_snapshots(published) if snapshot_id or as_of else [e for e in [latest(published)] if e]
    if not entries:
        raise SnapshotError(f"{published.uri()}: nothing has been published yet (no commit entries)")
    if snapshot_id is not None:
        matching = [e for e in entries if e.snapshot_id == snapshot_id]
        if not matching:
            recent = [e.snapshot_id for e in entries[-10:]]
            raise SnapshotError(
                f"snapshot {snapshot_id!r} is not committed in {published.uri()}; most recent: {recent}"
            )
        return matching[-1]
    if as_of is not None:
        cutoff = as_of_cutoff(as_of)
        before = [e for e in entries if e.committed_datetime < cutoff]
        if not before:
            raise SnapshotError(
                f"no snapshot was committed before {cutoff.isoformat()}; "
                f"the first was at {entries[0].committed_at}"
            )
        return before[-1]
    return entries[-1]
