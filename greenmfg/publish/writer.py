"""Publish one immutable snapshot: prepare it in memory (diff, gate verdict), then write, verify, commit.

Preparing writes nothing, so a dry run reaches the same diff and verdict as a publish.

A commit is compare-and-swap on its parent: entry n+1 is created only while n is latest, so a publisher that
lost the race never commits what it built on n (greenmfg/publication.py selects and derives again).

Order matters for crash safety. Data files and documents go under snapshots/<id>/, the manifest last, and
every file is re-read and checked before the commit entry that makes the snapshot visible is created once.
A crash at any point leaves `latest` on the previous commit; the leftovers are never read (readers follow
manifests of committed ids only), a rerun with the same content rewrites them (and keeps the manifest,
which is created once), and cleanup_uncommitted removes them after a grace period.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd
import pyarrow as pa

from greenmfg.errors import ObjectNotFoundError, PreconditionFailedError, SnapshotError, StaleParentError
from greenmfg.publish import tables as tb
from greenmfg.publish.commits import CommitEntry, create_entry, latest, list_snapshots, utc_now_iso
from greenmfg.publish.diff import (
    DiffPolicy,
    SnapshotDiff,
    disappeared_keys,
    gate,
    judge,
    operator_name,
    row_changes,
    total_groups,
    value_changes,
    value_totals,
)
from greenmfg.publish.manifest import (
    PreparedDataset,
    build_manifest,
    canonical_json,
    manifest_files,
    sha256_hex,
    snapshot_id,
)
from greenmfg.publish.reader import load_manifest, scan
from greenmfg.storage import ObjectStore, keys

log = logging.getLogger(__name__)

# `prepare_snapshot(parent=LATEST)`: diff against (and commit on) whatever is latest when preparing.
LATEST = "latest"
_DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PublishResult:
    """What a publish did. `sequence` is None and `is_new` False when latest already holds this content."""

    snapshot_id: str
    sequence: int | None
    is_new: bool
    manifest_key: str
    diff: SnapshotDiff
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "snapshot_id": self.snapshot_id,
            "sequence": self.sequence,
            "is_new": self.is_new,
            "manifest_key": self.manifest_key,
            "diff": self.diff.to_dict(),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class _Snapshot:
    """A snapshot fully built in memory: the bytes of every object to write, keyed."""

    id: str
    manifest: dict
    manifest_bytes: bytes
    objects: dict[str, bytes]  # data files and documents, in writing order (manifest excluded)
    datasets: list[PreparedDataset]
    tables: dict[str, pa.Table]
    totals: dict[str, list[str]] = field(default_factory=dict)  # dataset → columns the value gate totals
    depends_on: dict[str, list[str]] = field(default_factory=dict)  # dataset → parameters it applies

    @property
    def manifest_key(self) -> str:
        return keys.snapshot_manifest(self.id)


@dataclass(frozen=True)
class PreparedSnapshot:
    """A snapshot built in memory and compared with the current latest, with the diff gate's verdict.

    Nothing is written: a dry run shows exactly the diff and verdict that committing it would reach.
    """

    snapshot: _Snapshot
    head: CommitEntry | None
    diff: SnapshotDiff
    warnings: list[str]
    blocks: list[str]
    policy: DiffPolicy
    code_version: str
    accepted_blocks: list[str] = field(default_factory=list)
    accept_diff: bool = False

    @property
    def snapshot_id(self) -> str:
        return self.snapshot.id

    @property
    def is_unchanged(self) -> bool:
        """Latest already holds exactly this content: committing would publish nothing."""
        return self.head is not None and self.head.snapshot_id == self.snapshot.id

    @property
    def verdict(self) -> str:
        """ "unchanged", "blocked", "warnings" or "pass"."""
        if self.is_unchanged:
            return "unchanged"
        return "blocked" if self.blocks else "warnings" if self.warnings else "pass"

    def to_dict(self) -> dict:
        return {
            "snapshot_id": self.snapshot_id, "verdict": self.verdict, "warnings": list(self.warnings),
            "blocks": list(self.blocks), "accepted_blocks": list(self.accepted_blocks),
            "diff": self.diff.to_dict(),
            "datasets": {d.name: d.rows for d in self.snapshot.datasets},
            "unmatched_removals": list(self.snapshot.manifest["validation"].get("unmatched_removals", [])),
        }  # fmt: skip


def prepare_snapshot(
    published: ObjectStore,
    datasets: Mapping[str, pd.DataFrame],
    *,
    schemas: Mapping[str, pa.Schema],
    partition_by: Mapping[str, list[str]] | None,
    sources: list[dict],
    parameters: dict,
    validation: dict,
    dictionary_json: dict,
    dictionary_markdown: str,
    code_version: str,
    diff_policy: DiffPolicy | None = None,
    key_columns: Mapping[str, Sequence[str]] | None = None,
    value_columns: Mapping[str, Sequence[str]] | None = None,
    dataset_parameters: Mapping[str, Sequence[str]] | None = None,
    missing_inputs: Sequence[dict] = (),
    accept_diff: bool = False,
    accepted_by: str | None = None,
    parent: CommitEntry | Literal["latest"] | None = LATEST,
) -> PreparedSnapshot:
    """Build `datasets` as one snapshot in memory, diff it against its parent and judge it; write nothing.

    The parent is the commit it will be committed on: `parent`, or the current latest by default. A
    publication that selects its inputs passes the latest it read before selecting them (compare-and-swap:
    commit_snapshot then refuses to commit it on any other).

    Keys per dataset come from `key_columns` or the schema's `key` (or `primary_key`) metadata; they order
    the rows and let the diff gate find disappeared keys. `value_columns[name]` are the columns whose totals
    per period and region the gate compares (none for a dataset not named); where one of the
    `dataset_parameters[name]` differs from the parent's (a deliberate policy change), their moves only warn.
    `partition_by[name]` lists Hive partition columns (`[]`: one file); a dataset not in it is split by period
    from AUTO_PARTITION_MIN_ROWS rows. `missing_inputs` (dataset, period, missing filing types, effect) go
    into the manifest as given. With `accept_diff` the gate's blocks become warnings, and the manifest
    records them with `accepted_by` (default: the operating-system user). Raises SnapshotError when the rows
    do not fit their schema.
    """
    snapshot = _build(
        datasets, schemas, partition_by, key_columns or {}, sources, parameters, validation,
        dictionary_json, dictionary_markdown, code_version, missing_inputs,
    )  # fmt: skip
    snapshot = replace(
        snapshot,
        totals={name: list(columns) for name, columns in (value_columns or {}).items()},
        depends_on={name: list(names) for name, names in (dataset_parameters or {}).items()},
    )
    policy = diff_policy or DiffPolicy()
    head = latest(published) if parent == LATEST else parent
    if head is not None and head.snapshot_id == snapshot.id:
        same = _unchanged(head).diff
        return PreparedSnapshot(snapshot, head, same, [], [], policy, code_version, accept_diff=accept_diff)
    diff = _diff(published, head, snapshot)
    verdict = judge(diff, policy, accept_diff=accept_diff)
    if verdict.accepted_blocks:
        snapshot = _record_accepted(snapshot, verdict.accepted_blocks, accepted_by or operator_name())
    return PreparedSnapshot(
        snapshot, head, diff, verdict.warnings, verdict.blocks, policy, code_version,
        verdict.accepted_blocks, accept_diff,
    )  # fmt: skip


def commit_snapshot(
    published: ObjectStore, prepared: PreparedSnapshot, *, now: Callable[[], str] = utc_now_iso
) -> PublishResult:
    """Write, verify and commit a prepared snapshot as the entry after its parent, or nothing when latest
    already has the same content.

    Compare-and-swap: the entry is created only while the parent is still latest. When another publisher
    committed first, StaleParentError is raised and nothing is committed, since content built on the former
    latest (from the filings in force then) must be built again, never committed on top of the new one.
    Raises SnapshotError when the diff gate blocks; nothing is committed then.
    """
    snapshot, head, policy = prepared.snapshot, prepared.head, prepared.policy
    if prepared.is_unchanged:
        return _unchanged(head)
    diff = prepared.diff
    warnings = gate(diff, policy, accept_diff=prepared.accept_diff).warnings
    manifest_sha = _reusable_manifest(published, snapshot.id)
    if manifest_sha is None:
        manifest_bytes = _write(published, snapshot, now)
        manifest_sha = _verify(published, snapshot.manifest_key, manifest_bytes)
    entry = _entry(snapshot, manifest_sha, head, warnings, prepared.code_version, now)
    try:
        create_entry(published, entry)
    except PreconditionFailedError:
        moved = latest(published)
        if moved is not None and moved.snapshot_id == snapshot.id:
            return _unchanged(moved)  # another publisher committed the very same content
        raise StaleParentError(
            f"{published.uri()}: commit {entry.sequence} was taken by snapshot "
            f"{moved.snapshot_id if moved else '?'} while snapshot {snapshot.id} was built on "
            f"{f'commit {head.sequence}' if head else 'an empty log'}; nothing committed"
        ) from None
    published.delete(keys.snapshot_attempt(snapshot.id))
    for warning in warnings:
        log.warning("snapshot %s: %s", snapshot.id, warning)
    log.info("committed snapshot %s as commit %d", snapshot.id, entry.sequence)
    return PublishResult(snapshot.id, entry.sequence, True, snapshot.manifest_key, diff, warnings)


def publish_snapshot(
    published: ObjectStore,
    datasets: Mapping[str, pd.DataFrame],
    *,
    now: Callable[[], str] = utc_now_iso,
    **options,
) -> PublishResult:
    """Publish `datasets` as one snapshot (prepare, then commit), or nothing when latest already has the
    same content. Options as prepare_snapshot; SnapshotError when the rows do not fit their schema or the
    diff gate blocks, StaleParentError when another publisher committed in between; nothing is committed
    then."""
    return commit_snapshot(published, prepare_snapshot(published, datasets, **options), now=now)


def _build(
    frames: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, pa.Schema],
    partition_by: Mapping[str, list[str]] | None,
    key_columns: Mapping[str, Sequence[str]],
    sources: list[dict],
    parameters: dict,
    validation: dict,
    dictionary_json: dict,
    dictionary_markdown: str,
    code_version: str,
    missing_inputs: Sequence[dict] = (),
) -> _Snapshot:
    _check_names(frames, schemas, partition_by or {})
    prepared, tables = [], {}
    for name in sorted(frames):
        dataset, table = _prepare(name, frames[name], schemas[name], partition_by, key_columns.get(name))
        prepared.append(dataset)
        tables[name] = table
    sources = sorted(sources, key=canonical_json)
    texts = {
        "json": json.dumps(
            dictionary_json, sort_keys=True, ensure_ascii=False, indent=2, default=str
        ).encode(),
        "md": dictionary_markdown.encode(),
    }
    ident = snapshot_id(prepared, texts, parameters, sources)
    documents = {keys.snapshot_dictionary(ident, extension): data for extension, data in texts.items()}
    objects = {
        key: f.data
        for d in prepared
        for key, f in zip(
            (keys.snapshot_data_file(ident, d.name, f.partition, i) for i, f in enumerate(d.files)),
            d.files,
            strict=True,
        )
    }
    objects.update(documents)
    described_documents = {
        key.rsplit(".", 1)[-1]: {"key": key, "sha256": sha256_hex(data), "size": len(data)}
        for key, data in documents.items()
    }
    manifest = build_manifest(
        ident,
        prepared,
        sources=sources,
        parameters=parameters,
        validation=validation,
        dictionary_json=dictionary_json,
        documents=described_documents,
        code_version=code_version,
        missing_inputs=list(missing_inputs),
    )
    manifest_bytes = _manifest_bytes(manifest)
    return _Snapshot(ident, json.loads(manifest_bytes), manifest_bytes, objects, prepared, tables)


def _manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2, default=str).encode()


def _record_accepted(snapshot: _Snapshot, blocks: list[str], accepted_by: str) -> _Snapshot:
    """The manifest with the gate's blocks an explicit accept let through, and who accepted them; the
    snapshot id (the content) is unchanged."""
    manifest = {**snapshot.manifest, "accepted_blocks": blocks, "accepted_by": accepted_by}
    manifest_bytes = _manifest_bytes(manifest)
    return replace(snapshot, manifest=json.loads(manifest_bytes), manifest_bytes=manifest_bytes)


def _check_names(
    frames: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, pa.Schema],
    partition_by: Mapping[str, list[str]],
) -> None:
    if not frames:
        raise SnapshotError("nothing to publish: no datasets given")
    bad = [name for name in frames if not _DATASET_NAME.match(name)]
    if bad:
        raise SnapshotError(f"dataset names {bad} are not lower_snake_case; they become folder names")
    missing = sorted(set(frames) - set(schemas))
    if missing:
        raise SnapshotError(f"datasets {missing} have no schema; schemas given for {sorted(schemas)}")
    stray = sorted(set(partition_by) - set(frames))
    if stray:
        raise SnapshotError(
            f"partition_by names datasets {stray} that are not published; datasets: {sorted(frames)}"
        )


def _prepare(
    name: str,
    frame: pd.DataFrame,
    schema: pa.Schema,
    partition_by: Mapping[str, list[str]] | None,
    key: Sequence[str] | None,
) -> tuple[PreparedDataset, pa.Table]:
    key = list(key if key is not None else tb.schema_key(schema))
    unknown = [k for k in key if k not in schema.names]
    if unknown:
        raise SnapshotError(
            f"dataset {name}: key columns {unknown} are not in its schema; columns: {schema.names}"
        )
    table = tb.sort_table(tb.to_arrow(name, frame, schema), key)
    requested = None if partition_by is None or name not in partition_by else partition_by[name]
    partitions = tb.resolve_partitioning(name, schema, table.num_rows, requested)
    period = tb.period_column(schema)
    prepared = PreparedDataset(
        name=name,
        files=tb.build_files(name, table, partitions),
        schema_json=tb.schema_to_json(schema),
        key=key,
        period_column=period,
        partition_by=partitions,
        rows=table.num_rows,
        rows_per_period=tb.rows_per_period(table, period),
    )
    return prepared, table


def _diff(published: ObjectStore, head: CommitEntry | None, snapshot: _Snapshot) -> SnapshotDiff:
    """Compare with the parent (the current latest): rows per dataset and period, disappeared keys, and
    the totals per period and region of the value columns (one read of the parent per dataset)."""
    after = {d.name: d.rows_per_period for d in snapshot.datasets}
    if head is None:
        return SnapshotDiff(periods=row_changes({}, after))
    parent = load_manifest(published, head)
    before = {name: entry["rows_per_period"] for name, entry in parent["datasets"].items()}
    new_keys = {d.name: d.key for d in snapshot.datasets}
    gone, values = [], []
    old_parameters, new_parameters = parent.get("parameters") or {}, snapshot.manifest["parameters"]
    changed = {
        name: moved
        for name, names in sorted(snapshot.depends_on.items())
        if (moved := [p for p in names if old_parameters.get(p) != new_parameters.get(p)])
    }
    for name, entry in sorted(parent["datasets"].items()):
        parent_columns = [f["name"] for f in entry["schema"]["fields"]]
        key = new_keys.get(name, entry["key"])
        key = key if key and all(k in parent_columns for k in key) else []
        new = snapshot.tables.get(name)
        totalled = [c for c in snapshot.totals.get(name, []) if c in parent_columns and new is not None]
        if not key and not totalled:
            continue
        groups = total_groups(new.schema) if totalled else []
        wanted = list(dict.fromkeys([*key, *(g for g in groups if g in parent_columns), *totalled]))
        old = scan(published, parent, name, columns=wanted)
        if key:
            gone.append(disappeared_keys(name, key, old.select(key), new))
        if totalled:
            values += value_changes(name, value_totals(old, totalled), value_totals(new, totalled))
    return SnapshotDiff(head.sequence, head.snapshot_id, row_changes(before, after), gone, values, changed)


def _reusable_manifest(published: ObjectStore, ident: str) -> str | None:
    """The manifest SHA-256 of an earlier commit of the same id whose files are all intact, so re-publishing
    old content (a revert) commits it again without rewriting an immutable snapshot."""
    earlier = [e for e in list_snapshots(published) if e.snapshot_id == ident]
    if not earlier:
        return None
    try:
        manifest = load_manifest(published, earlier[-1])
        _check_files(published, manifest_files(manifest))
    except SnapshotError:
        return None
    return earlier[-1].manifest_sha256


def _write(published: ObjectStore, snapshot: _Snapshot, now: Callable[[], str]) -> bytes:
    """Attempt marker first (it dates the leftovers of a crash), then files, then the manifest.

    Files under one id have the same bytes whoever writes them, so they are simply overwritten. The
    manifest is created once: if a crashed or concurrent publish of the same id left one, it is kept
    (a committed manifest never changes) and its bytes are returned.
    """
    marker = {"snapshot_id": snapshot.id, "started_at": now()}
    published.write_bytes(keys.snapshot_attempt(snapshot.id), json.dumps(marker).encode())
    for key, data in snapshot.objects.items():
        published.write_bytes(key, data)
    try:
        published.write_bytes(snapshot.manifest_key, snapshot.manifest_bytes, if_absent=True)
        return snapshot.manifest_bytes
    except PreconditionFailedError:
        existing = published.read_bytes(snapshot.manifest_key)
    _check_same_content(published.uri(snapshot.manifest_key), json.loads(existing), snapshot.manifest)
    return existing


def _check_same_content(origin: str, existing: dict, ours: dict) -> None:
    def files(manifest: dict) -> list[tuple[str, str]]:
        return sorted((f["key"], f["sha256"]) for f in manifest_files(manifest))

    if existing.get("snapshot_id") != ours["snapshot_id"] or files(existing) != files(ours):
        raise SnapshotError(
            f"{origin}: an existing manifest lists other files than this publish of snapshot "
            f"{ours['snapshot_id']}; expected {len(files(ours))} files with the same SHA-256s"
        )


def _verify(published: ObjectStore, manifest_key: str, manifest_bytes: bytes) -> str:
    """Re-read every file and the manifest; return the manifest's SHA-256 for the commit entry."""
    _check_files(published, manifest_files(json.loads(manifest_bytes)))
    manifest_sha = sha256_hex(manifest_bytes)
    _check_files(published, [{"key": manifest_key, "size": len(manifest_bytes), "sha256": manifest_sha}])
    return manifest_sha


def _check_files(published: ObjectStore, files: list[dict]) -> None:
    for expected in files:
        key = expected["key"]
        info = published.head(key)
        if info is None:
            raise SnapshotError(
                f"{published.uri(key)}: missing after write; expected {expected['size']} bytes"
            )
        if info.size != expected["size"]:
            raise SnapshotError(f"{published.uri(key)}: size {info.size}, expected {expected['size']}")
        try:
            found = sha256_hex(published.read_bytes(key))
        except ObjectNotFoundError:
            raise SnapshotError(f"{published.uri(key)}: vanished while being verified") from None
        if found != expected["sha256"]:
            raise SnapshotError(f"{published.uri(key)}: SHA-256 {found}, expected {expected['sha256']}")


def _entry(
    snapshot: _Snapshot,
    manifest_sha: str,
    head: CommitEntry | None,
    warnings: list[str],
    code_version: str,
    now: Callable[[], str],
) -> CommitEntry:
    return CommitEntry(
        sequence=head.sequence + 1 if head else 1,
        snapshot_id=snapshot.id,
        manifest_key=snapshot.manifest_key,
        manifest_sha256=manifest_sha,
        parent_sequence=head.sequence if head else None,
        parent_snapshot_id=head.snapshot_id if head else None,
        committed_at=now(),
        code_version=code_version,
        datasets={d.name: d.rows for d in snapshot.datasets},
        sources_count=len(snapshot.manifest["sources"]),
        warnings=list(warnings),
    )


def _unchanged(head: CommitEntry) -> PublishResult:
    return PublishResult(
        head.snapshot_id, None, False, head.manifest_key, SnapshotDiff(head.sequence, head.snapshot_id)
    )
