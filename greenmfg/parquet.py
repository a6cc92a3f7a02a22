"""The one Parquet writer: staged rows, quarantine tables, snapshot datasets and exports all get the same
options, so a file's bytes depend on its rows only (no writer timestamp), and a change of options is one
edit here (it changes every snapshot's id, as it should).

zstd at level 1 with row groups of a million rows wrote the million-row staging table fastest of the
settings measured (docs/benchmarks.md) at about the size of level 3; floats are not dictionary-encoded:
measured values rarely repeat, and trying costs a third of the write.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 1,
    "row_group_size": 1 << 20,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
    "write_page_index": False,
}


def write(table: pa.Table, where: str | io.IOBase | pa.NativeFile) -> None:
    """`table` as Parquet to a path or a writable stream."""
    dictionary = [field.name for field in table.schema if not pa.types.is_floating(field.type)]
    pq.write_table(table, where, use_dictionary=dictionary, **OPTIONS)


def parquet_bytes(table: pa.Table) -> bytes:
    """`table` as Parquet bytes."""
    buffer = io.BytesIO()
    write(table, buffer)
    return buffer.getvalue()
