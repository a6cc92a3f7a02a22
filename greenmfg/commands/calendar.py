"""`greenmfg calendar`: expected vs received filings per period, from the filing calendar."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from greenmfg import filing_calendar, staging
from greenmfg.errors import GreenmfgError
from greenmfg.settings import get_settings
from greenmfg.storage import open_stores
from greenmfg.summaries import markdown_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("calendar", help="expected vs received filings per period (late ones too)")
    parser.add_argument("--as-of", metavar="DATE", help="judge as of this date, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--calendar", type=Path, metavar="FILE",
        help="a calendar file (default: $GREENMFG_CALENDAR_FILE, else the packaged one)",
    )  # fmt: skip
    parser.add_argument("--late", action="store_true", help="only the late filings")
    parser.add_argument("--json", action="store_true", help="JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    except ValueError:
        raise GreenmfgError(f"--as-of {args.as_of!r}: expected a date YYYY-MM-DD") from None
    rules = filing_calendar.load_rules(args.calendar or get_settings().calendar_file)
    rows = filing_calendar.check(rules, staging.all_records(open_stores().staging), as_of)
    if args.late:
        rows = filing_calendar.late(rows)
    if args.json:
        print(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=1))
        return 0
    table = [{name: getattr(row, name) for name in filing_calendar.TABLE_COLUMNS} for row in rows]
    print(markdown_table(table, list(filing_calendar.TABLE_COLUMNS)))
    counts = {
        status: sum(row.status == status for row in rows)
        for status in (filing_calendar.RECEIVED, filing_calendar.LATE, filing_calendar.EXPECTED)
    }
    print(f"as of {as_of}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return 0
