"""Read a committed snapshot: its manifest (checked against the commit log) and datasets as Arrow or pandas.

Only the files a manifest lists are read, so leftovers of a crashed publish in the same folder never are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from greenmfg.errors import ObjectNotFoundError, SnapshotError
from greenmfg.publish.commits import CommitEntry, resolve
from greenmfg.publish.manifest import sha256_hex
from greenmfg.publish.tables import schema_from_json
from greenmfg.storage import ObjectStore

Filters = ds.Expression | list | None


def load_manifest(published: ObjectStore, entry: CommitEntry) -> dict:
    """The manifest a commit points to, refusing one that is gone (pruned) or differs from the commit."""
    try:
        data = published.read_bytes(entry.manifest_key)
    except ObjectNotFoundError:
        raise SnapshotError(
            f"{published.uri(entry.manifest_key)}: manifest of snapshot {entry.snapshot_id} "
            f"(commit {entry.sequence}) is gone; the snapshot was pruned"
        ) from None
    found = sha256_hex(data)
    if found != entry.manifest_sha256:
        raise SnapshotError(
            f"{published.uri(entry.manifest_key)}: manifest SHA-256 is {found}, "
            f"commit {entry.sequence} recorded {entry.manifest_sha256}"
        )
    return json.loads(data)


def read_manifest(
    published: ObjectStore, snapshot_id: str | None = None, *, as_of: str | date | datetime | None = None
) -> dict:
    """The manifest of a committed snapshot (latest when neither id nor as-of is given)."""
    return load_manifest(published, resolve(published, snapshot_id=snapshot_id, as_of=as_of))


def dataset_entry(manifest: dict, dataset: str) -> dict:
    try:
        return manifest["datasets"][dataset]
    except KeyError:
        raise SnapshotError(
            f"snapshot {manifest['snapshot_id']} has no dataset {dataset!r}; "
            f"datasets: {sorted(manifest['datasets'])}"
        ) from None


def dataset_schema(manifest: dict, dataset: str) -> pa.Schema:
    """The full schema of a dataset, partition columns included, with field metadata."""
    return schema_from_json(dataset_entry(manifest, dataset)["schema"])


def scan(
    published: ObjectStore,
    manifest: dict,
    dataset: str,
    *,
    filters: Filters = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Read the files the manifest lists for one dataset, with Hive partition values typed by the schema."""
    entry = dataset_entry(manifest, dataset)
    schema = schema_from_json(entry["schema"])
    if columns is not None:
        unknown = [c for c in columns if c not in schema.names]
        if unknown:
            raise SnapshotError(f"dataset {dataset} has no column(s) {unknown}; columns: {schema.names}")
    filesystem, _ = published.arrow_filesystem()
    partitioning = ds.partitioning(pa.schema([schema.field(c) for c in entry["partition_by"]]), flavor="hive")
    dataset_obj = ds.dataset(
        [published.arrow_path(f["key"]) for f in entry["files"]],
        schema=schema,
        format="parquet",
        filesystem=filesystem,
        partitioning=partitioning,
        partition_base_dir=published.arrow_path(entry["prefix"]).rstrip("/"),
    )
    expression = pq.filters_to_expression(filters) if isinstance(filters, list) else filters
    try:
        table = dataset_obj.to_table(
            columns=list(columns) if columns is not None else None, filter=expression
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SnapshotError(f"dataset {dataset} of snapshot {manifest['snapshot_id']}: {exc}") from None
    return table.replace_schema_metadata(schema.metadata)


def read_dataset(
    published: ObjectStore,
    dataset: str,
    *,
    snapshot_id: str | None = None,
    as_of: str | date | datetime | None = None,
    filters: Filters = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """A dataset of a committed snapshot (latest by default). `filters` is a pyarrow expression or the
    list-of-tuples form pyarrow.parquet accepts, e.g. [("year", "=", 2020)]."""
    manifest = read_manifest(published, snapshot_id, as_of=as_of)
    return scan(published, manifest, dataset, filters=filters, columns=columns)


def read_dataframe(
    published: ObjectStore,
    dataset: str,
    *,
    snapshot_id: str | None = None,
    as_of: str | date | datetime | None = None,
    filters: Filters = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The same as read_dataset, as a pandas DataFrame typed like the contracts (see to_frame)."""
    table = read_dataset(
        published, dataset, snapshot_id=snapshot_id, as_of=as_of, filters=filters, columns=columns
    )
    return to_frame(table)


_NULLABLE_DTYPES = {pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype(), pa.bool_(): pd.BooleanDtype()}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """pandas with the contracts' dtypes: Int64, string, boolean, float64 and datetime64[s] for dates."""
    frame = table.to_pandas(types_mapper=_NULLABLE_DTYPES.get, date_as_object=False)
    for field in table.schema:
        if pa.types.is_date(field.type):
            frame[field.name] = frame[field.name].astype("datetime64[s]")
    return frame
