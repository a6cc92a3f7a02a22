"""`greenmfg validate FILE [--type T]`: parse a filing, validate each table, print the verdict.

Exits 3 when a table would be rejected (a critical expectation failed), 0 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from greenmfg.commands import add_command, add_filing_type_option
from greenmfg.errors import FilingError, ValidationRejectedError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "validate",
        summary="parse and validate a filing; exit 3 if it would be rejected",
        description="""\
Parses one file and runs its Great Expectations suite, without storing anything: which
expectations failed, how many rows would be accepted, quarantined or flagged, and whether the
filing would be rejected (a critical expectation failed).

exit status: 0 the filing would be accepted (rows may be quarantined); 3 it would be rejected;
2 it cannot be read.""",
        examples=[
            "greenmfg validate 2020年绿色贷款申请.csv",
            "greenmfg validate 名录.xlsx --type green_register --all",
        ],
    )
    parser.add_argument("file", type=Path, help="CSV or XLSX filing")
    add_filing_type_option(parser)
    parser.add_argument(
        "--all",
        dest="show_all",
        action="store_true",
        help="list every expectation, not only those that failed",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg.parsing import parse
    from greenmfg.validation import validate

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise FilingError(str(args.file), f"cannot read file ({exc.strerror})") from None
    rejected: list[str] = []
    for filing in parse(data, args.file.name, filing_type=args.filing_type):
        outcome = validate(
            filing.rows, filing.filing_type, cell_errors=filing.cell_errors, source_name=filing.source_name
        )
        summary = outcome.summary
        where = f" (sheet {filing.sheet})" if filing.sheet else ""
        print(f"{filing.source_name}{where}: {filing.filing_type}, {summary.rows_in} rows")
        if filing.dropped_rows:
            print(
                f"  dropped by the parser: {len(filing.dropped_rows)} rows (e.g. row "
                f"{filing.dropped_rows[0][0]}: {filing.dropped_rows[0][1]})"
            )
        print(
            summary.table(only_failed=not args.show_all)
            if summary.failed or args.show_all
            else "  every expectation passed"
        )
        for failure in summary.failed:
            if failure.sample or failure.detail:
                print(f"  {failure.rule}: {failure.detail or ', '.join(failure.sample)}")
        print(
            f"accepted {summary.rows_accepted}, quarantined {summary.rows_quarantined}, "
            f"flagged {summary.rows_flagged}"
        )
        if outcome.is_rejected:
            print("REJECTED:")
            print("\n".join(f"  {reason}" for reason in outcome.rejection_reasons))
            rejected.append(f"{filing.filing_type}{where}")
    if rejected:
        raise ValidationRejectedError(
            f"{args.file}: rejected by a critical expectation: {', '.join(rejected)}; found the reasons above"
        )
    return 0
