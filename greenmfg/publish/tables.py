"""DataFrames to deterministic Parquet bytes: typed by the declared schema, sorted, split in Hive partitions.

The same rows and schema always give the same bytes: a stable sort over every column (key first), fixed
writer options, no pandas index or pandas metadata, nothing time-dependent in the file.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from greenmfg.errors import SnapshotError
from greenmfg.parquet import parquet_bytes

# Without an explicit partitioning, a dataset is split by its period column from this many rows on.
AUTO_PARTITION_MIN_ROWS = 100_000
PERIOD_COLUMN_CANDIDATES = ("year", "period")
_PARTITION_TYPES = (pa.types.is_integer, pa.types.is_string, pa.types.is_date)


@dataclass(frozen=True)
class DataFile:
    """One Parquet file of a dataset, in memory, before it is written."""

    partition: tuple[tuple[str, str], ...]  # (column, path-encoded value), in partition order
    data: bytes
    rows: int


def schema_key(schema: pa.Schema) -> tuple[str, ...]:
    """Key columns from the schema metadata (`key` or `primary_key`: comma-separated or a JSON list)."""
    metadata = schema.metadata or {}
    raw = metadata.get(b"primary_key") or metadata.get(b"key")
    if not raw:
        return ()
    text = raw.decode()
    names = json.loads(text) if text.lstrip().startswith("[") else [n.strip() for n in text.split(",")]
    return tuple(str(n) for n in names if n)


def period_column(schema: pa.Schema) -> str | None:
    """The column that carries the period: `period_column` metadata, else `year` or `period` if present."""
    declared = (schema.metadata or {}).get(b"period_column")
    if declared:
        return declared.decode()
    return next((c for c in PERIOD_COLUMN_CANDIDATES if c in schema.names), None)


def to_arrow(dataset: str, frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Type the rows by the declared schema; missing, extra or mistyped columns and nulls in non-nullable
    columns are errors that name the dataset, the column and the evidence."""
    missing = [name for name in schema.names if name not in frame.columns]
    extra = [str(name) for name in frame.columns if name not in schema.names]
    if missing or extra:
        raise SnapshotError(
            f"dataset {dataset}: columns differ from its schema; missing {missing}, unexpected {extra}"
        )
    arrays = []
    for field in schema:
        try:
            array = pa.array(frame[field.name], type=field.type, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise SnapshotError(
                f"dataset {dataset}: column {field.name} cannot be stored as {field.type}: {exc}"
            ) from None
        if not field.nullable and array.null_count:
            raise SnapshotError(
                f"dataset {dataset}: column {field.name} is declared non-nullable but has "
                f"{array.null_count} null value(s)"
            )
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def sort_table(table: pa.Table, key: Sequence[str]) -> pa.Table:
    """Stable sort by the key, then by every other sortable column, so row order never depends on input."""
    sortable = [f.name for f in table.schema if not pa.types.is_nested(f.type)]
    order = [*key, *(name for name in sortable if name not in key)]
    if not order or table.num_rows < 2:
        return table
    return table.sort_by([(name, "ascending") for name in order])


def resolve_partitioning(
    dataset: str, schema: pa.Schema, rows: int, requested: Sequence[str] | None
) -> list[str]:
    """The partition columns: as requested, else the period column once rows reach AUTO_PARTITION_MIN_ROWS."""
    if requested is None:
        period = period_column(schema)
        return [period] if period and rows >= AUTO_PARTITION_MIN_ROWS else []
    for name in requested:
        if name not in schema.names:
            raise SnapshotError(
                f"dataset {dataset}: partition column {name!r} is not in its schema; columns: {schema.names}"
            )
        if not any(check(schema.field(name).type) for check in _PARTITION_TYPES):
            raise SnapshotError(
                f"dataset {dataset}: partition column {name} has type {schema.field(name).type}; "
                "expected an integer, string or date column"
            )
    return list(requested)


def encode_partition_value(value: object) -> str:
    """A partition value as it appears in a Hive directory name (URI-encoded, as pyarrow decodes it)."""
    if isinstance(value, date):
        return value.isoformat()
    return quote(str(value), safe="")


def split_partitions(dataset: str, table: pa.Table, columns: Sequence[str]) -> list[tuple[dict, pa.Table]]:
    """Rows per partition value (sorted by value), partition columns removed from the rows as Hive does."""
    if not columns or table.num_rows == 0:
        return [({}, table.drop_columns(list(columns)))]
    for name in columns:
        if table.column(name).null_count:
            raise SnapshotError(f"dataset {dataset}: partition column {name} has null values")
    distinct = table.group_by(list(columns)).aggregate([]).to_pylist()
    distinct.sort(key=lambda row: tuple(row[name] for name in columns))
    parts = []
    for values in distinct:
        mask = None
        for name in columns:
            condition = pc.equal(table.column(name), pa.scalar(values[name], table.schema.field(name).type))
            mask = condition if mask is None else pc.and_(mask, condition)
        parts.append((values, table.filter(mask).drop_columns(list(columns))))
    return parts


def build_files(dataset: str, table: pa.Table, partition_by: Sequence[str]) -> list[DataFile]:
    """One file per partition (a dataset without partitions, or with no rows, is one file)."""
    files = []
    for values, rows in split_partitions(dataset, table, partition_by):
        partition = tuple((name, encode_partition_value(values[name])) for name in partition_by if values)
        files.append(DataFile(partition, parquet_bytes(rows), rows.num_rows))
    return files


def rows_per_period(table: pa.Table, period: str | None) -> dict[str, int]:
    """Row counts by period value (as text), or one count under `all` when the dataset has no period."""
    if period is None:
        return {"all": table.num_rows}
    counts = table.group_by(period).aggregate([([], "count_all")]).to_pylist()
    return {str(row[period]): row["count_all"] for row in sorted(counts, key=lambda r: str(r[period]))}


def schema_to_json(schema: pa.Schema) -> dict:
    """A readable description (names, types, nullability, field metadata) plus the exact serialised schema."""
    return {
        "fields": [
            {
                "name": f.name,
                "type": str(f.type),
                "nullable": f.nullable,
                "metadata": {k.decode(): v.decode() for k, v in (f.metadata or {}).items()},
            }
            for f in schema
        ],
        "metadata": {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()},
        "arrow_ipc_base64": base64.b64encode(schema.serialize().to_pybytes()).decode(),
    }


def schema_from_json(described: dict) -> pa.Schema:
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(described["arrow_ipc_base64"])))
