"""`greenmfg read`: print or export one dataset of a committed snapshot, optionally filtered."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from greenmfg.commands import add_command
from greenmfg.errors import GreenmfgError
from greenmfg.indicators import DATASETS
from greenmfg.parquet import parquet_bytes
from greenmfg.publish import dataset_schema, resolve, to_frame
from greenmfg.publish.reader import load_manifest, scan
from greenmfg.storage import open_stores

FORMATS = ("table", "csv", "json", "parquet")
TABLE_ROWS = 40
_WHERE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")
# Two conditions in one --where ("a=1 AND b=2") would otherwise compare a with the text "1 AND b=2": no rows.
_JOINED = re.compile(r"\s(and|or|&&|\|\|)\s", re.IGNORECASE)
_OPERATORS = {
    "=": pc.equal, "==": pc.equal, "!=": pc.not_equal,
    ">": pc.greater, ">=": pc.greater_equal, "<": pc.less, "<=": pc.less_equal,
}  # fmt: skip
# A cell starting with one of these becomes a formula in a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "read",
        summary="print or export a published dataset",
        description="""\
Reads one dataset of a committed snapshot (the latest, or one pinned by id or date), optionally
filtered, and prints it as a table or exports it as CSV, JSON or Parquet. CSV cells that a
spreadsheet would run as a formula are prefixed with '.""",
        examples=[
            "greenmfg read green_coverage --where year=2020 --where region_code=330500",
            "greenmfg read green_finance --format csv > finance.csv",
            "greenmfg read incentives --as-of 2021-03-01 --format parquet --output incentives.parquet",
        ],
    )
    parser.add_argument(
        "dataset",
        metavar="DATASET",
        help=f"a dataset of the snapshot; the indicator datasets are {', '.join(sorted(DATASETS))}",
    )
    pin = parser.add_mutually_exclusive_group()
    pin.add_argument("--snapshot", metavar="ID", help="a committed snapshot id (default: latest)")
    pin.add_argument("--as-of", metavar="DATE", help="the snapshot that was latest at this date or ISO time")
    parser.add_argument(
        "--where", action="append", default=[], metavar="EXPR",
        help="filter like year=2020 or region_code=330500 (also !=, >, >=, <, <=); repeat to AND",
    )  # fmt: skip
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--output", type=Path, metavar="PATH", help="write to a file (required for parquet)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "parquet" and args.output is None:
        raise GreenmfgError("--format parquet writes binary data: give --output PATH")
    published = open_stores().published
    entry = resolve(published, snapshot_id=args.snapshot, as_of=args.as_of)
    manifest = load_manifest(published, entry)
    schema = dataset_schema(manifest, args.dataset)
    table = scan(published, manifest, args.dataset, filters=parse_where(args.where, schema))
    rendered = render(table, args.format)
    if args.output is not None:
        args.output.write_bytes(rendered)
        print(f"{table.num_rows} rows of {args.dataset} (snapshot {entry.snapshot_id}) → {args.output}")
    else:
        write_stdout(rendered)
    return 0


def write_stdout(data: bytes) -> None:
    """Write to stdout; a reader that stops early (`| head`) is not an error."""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_where(expressions: list[str], schema: pa.Schema) -> ds.Expression | None:
    """AND of `column op value` conditions, each value typed by the column's type in the schema."""
    combined = None
    for text in expressions:
        match = _WHERE.match(text)
        if not match:
            raise GreenmfgError(f"--where {text!r}: expected COLUMN=VALUE (or !=, >, >=, <, <=)")
        name, operator, raw = match.groups()
        if _JOINED.search(raw) and not _quoted(raw):
            raise GreenmfgError(
                f"--where {text!r}: one condition per --where; repeat it to AND conditions "
                "(e.g. --where year=2020 --where region_code=330500)"
            )
        if name not in schema.names:
            raise GreenmfgError(
                f"--where {text!r}: no column {name!r}; valid columns: {', '.join(schema.names)}"
            )
        value = typed_value(raw, schema.field(name).type, text)
        condition = _OPERATORS[operator](ds.field(name), pa.scalar(value, schema.field(name).type))
        combined = condition if combined is None else combined & condition
    return combined


def _quoted(raw: str) -> bool:
    """One quoted value: 'a b' is, 'a' AND b = 'c' is not."""
    return len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[0] not in raw[1:-1]


def typed_value(raw: str, arrow_type: pa.DataType, origin: str) -> object:
    text = raw[1:-1] if _quoted(raw) else raw
    try:
        if pa.types.is_integer(arrow_type):
            return int(text)
        if pa.types.is_floating(arrow_type):
            return float(text)
        if pa.types.is_boolean(arrow_type):
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if pa.types.is_date(arrow_type):
            return date.fromisoformat(text)
        if pa.types.is_timestamp(arrow_type):
            return datetime.fromisoformat(text)
    except ValueError:
        raise GreenmfgError(f"--where {origin!r}: {text!r} is not a valid {arrow_type} value") from None
    return text


def render(table: pa.Table, fmt: str) -> bytes:
    if fmt == "parquet":
        return parquet_bytes(table)
    if fmt == "json":
        return (json.dumps(table.to_pylist(), ensure_ascii=False, indent=1, default=str) + "\n").encode()
    frame = to_frame(table)
    if fmt == "csv":
        # CRLF line ends (RFC 4180) make pandas quote a cell holding a bare "\r", which would split the row.
        return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode()
    shown = frame.head(TABLE_ROWS).to_string(index=False, max_colwidth=40)
    footer = f"\n({table.num_rows} rows; first {TABLE_ROWS} shown)\n" if table.num_rows > TABLE_ROWS else "\n"
    return (shown + footer).encode()


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would evaluate get a leading single quote; numbers are left alone."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            text = column.astype("string")
            risky = text.str.startswith(_FORMULA_STARTS).fillna(False).astype(bool)
            result[name] = text.where(~risky, "'" + text)
    return result
