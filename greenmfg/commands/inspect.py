"""`greenmfg inspect FILE`: show how a filing is read (type, header, mapping, units, dropped rows, sample)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa

from greenmfg import parquet
from greenmfg.commands import add_command, add_filing_type_option
from greenmfg.contracts import get_contract
from greenmfg.errors import FilingError
from greenmfg.parsing import ParsedFiling, parse, vocabulary
from greenmfg.parsing.headers import suggestions

SAMPLE_ROWS = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "inspect",
        summary="parse a filing and show how it was read",
        description="""\
Parses one file the way ingestion would, without validating or storing anything, and shows what
was read: detected filing type, sheet, header row, raw header → canonical column, units converted,
rows dropped (titles, totals, notes) and why, cells that could not be read, periods, and a sample.""",
        examples=[
            "greenmfg inspect 2020年规上工业企业统计.xlsx",
            "greenmfg inspect 贷款台账.csv --type green_loans",
            "greenmfg inspect 名录.xlsx --to rows.parquet   # the canonical rows as Parquet",
        ],
    )
    parser.add_argument("file", type=Path, help="CSV or XLSX filing")
    add_filing_type_option(parser)
    parser.add_argument("--to", type=Path, help="write the canonical rows to this Parquet file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise FilingError(str(args.file), f"cannot read file ({exc.strerror})") from None
    filings = parse(data, args.file.name, filing_type=args.filing_type)
    for filing in filings:
        print(describe(filing))
    if args.to:
        write_parquet(filings, args.to)
        print(f"wrote {sum(len(f.rows) for f in filings)} rows to {args.to}")
    return 0


def describe(filing: ParsedFiling) -> str:
    """A human-readable account of one parsed table."""
    lines = [
        f"file:          {filing.source_name} (sha256 {filing.sha256[:16]}…)",
        f"type:          {filing.filing_type}",
        f"format:        {filing.file_format}" + (f", encoding {filing.encoding}" if filing.encoding else ""),
        f"sheet:         {filing.sheet or '-'}",
        f"header row:    {filing.header_row}",
        "columns:",
        *(f"  {raw} → {canonical}" for raw, canonical in filing.column_mapping.items()),
    ]
    if filing.unmapped_headers:
        lines.append(f"unmapped:      {', '.join(filing.unmapped_headers)} (ignored; kept in the raw file)")
        lines += [
            f"  if {header} is {column}, add '{filing_type},{column},{header}' to headers.csv in the "
            "configuration folder (GREENMFG_CONFIG_DIR)"
            for filing_type, column, header in suggestions(filing.match, vocabulary())
        ]
    if filing.unit_conversions:
        lines.append("units:")
        for column, (unit, factor) in filing.unit_conversions.items():
            stated = f"{unit} × {factor:g}" if factor is not None else "no unit stated (cells carry theirs)"
            lines.append(f"  {column}: {stated}")
    if filing.inferences:
        lines.append("implied:")
        for inference in filing.inferences:
            value = inference["value"] if inference["rule"] is None else f"per row ({inference['rule']})"
            lines.append(f"  {inference['column']} = {value}: {inference['evidence']}")
    reasons = Counter(reason for _, reason in filing.dropped_rows)
    lines.append(
        f"rows:          {len(filing.rows) + len(filing.dropped_rows)} read, {len(filing.rows)} kept, "
        f"{len(filing.dropped_rows)} dropped"
    )
    lines += [f"  dropped {count}: {reason}" for reason, count in sorted(reasons.items())]
    errors = filing.cell_errors
    lines.append(f"cell errors:   {len(errors)}")
    if len(errors):
        for (column, expected), count in errors.groupby(["column", "expected"]).size().items():
            lines.append(f"  {column}: {count} not {expected}")
    lines.append(f"periods:       {', '.join(map(str, filing.periods)) or '-'}")
    lines += [f"note:          {note}" for note in filing.notes]
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        lines += ["sample:", filing.rows.head(SAMPLE_ROWS).to_string(max_colwidth=24)]
    return "\n".join(lines) + "\n"


def write_parquet(filings: list[ParsedFiling], path: Path) -> None:
    """Canonical rows with the contract's Arrow schema (descriptions and units in field metadata).

    Fields are written nullable: inspection shows a filing before validation, so a required cell may be empty.
    """
    types = {f.filing_type for f in filings}
    if len(types) != 1:
        raise FilingError(
            str(path),
            "tables of several filing types cannot share one Parquet file",
            found=sorted(types),
            expected="one filing type (choose it with --type)",
        )
    contract_schema = get_contract(types.pop()).arrow_schema()
    schema = pa.schema([f.with_nullable(True) for f in contract_schema], metadata=contract_schema.metadata)
    frame = pd.concat([f.rows for f in filings], ignore_index=True)
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    parquet.write(table, str(path))
