"""check-filing-calendar: expected vs received filings per period; every late one is announced."""

from __future__ import annotations

from prefect import flow

from greenmfg.filing_calendar import late
from tasks.alerts import announce_late
from tasks.calendar import check_calendar, report_calendar


@flow(name="check-filing-calendar", log_prints=False)
def check_filing_calendar(as_of: str | None = None, calendar_file: str | None = None) -> list[dict]:
    """`as_of` (YYYY-MM-DD, default today) and `calendar_file` (default: settings) are for rehearsals."""
    rows = check_calendar(as_of, calendar_file)
    report_calendar(rows)
    announce_late(late(rows))
    return [row.to_dict() for row in rows]
