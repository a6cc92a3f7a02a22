"""Tasks of the filing calendar: check expected filings against the ingestion records, and show the result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from greenmfg import filing_calendar, staging
from greenmfg.settings import get_settings
from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="check-filing-calendar", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def check_calendar(
    as_of: str | None = None, calendar_file: str | None = None
) -> list[filing_calendar.CalendarRow]:
    """Expected vs received as of `as_of` (default today), with the deployment's calendar file if any."""
    rules = filing_calendar.load_rules(Path(calendar_file) if calendar_file else get_settings().calendar_file)
    records = staging.all_records(open_stores().staging)
    return filing_calendar.check(rules, records, date.fromisoformat(as_of) if as_of else date.today())


@task(name="report-filing-calendar", cache_policy=NO_CACHE)
def report_calendar(rows: list[filing_calendar.CalendarRow]) -> None:
    create_table_artifact(
        key="filing-calendar",
        table=[{name: getattr(row, name) for name in filing_calendar.TABLE_COLUMNS} for row in rows],
        description="Expected vs received filings per period: received, late (past its due date), expected.",
    )
