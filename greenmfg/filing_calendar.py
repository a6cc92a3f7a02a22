"""The filing calendar: which filings are expected for which periods by which due date, against what arrived.

The calendar is data (greenmfg/codes/filing_calendar.toml, or the file GREENMFG_CALENDAR_FILE names); the
check is pure: rules, the ingestion records and a date in, one row per expected (filing type, period) out.
"""

from __future__ import annotations

import calendar as month_lengths
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from greenmfg import codes, staging
from greenmfg.contracts import CONTRACTS
from greenmfg.errors import SettingsError

DEFAULT_CALENDAR = codes.CODES_DIR / "filing_calendar.toml"
EVERY = ("year", "month", "publication")
# Status of an expected filing: one in force, none and past its due date, none and not yet due.
RECEIVED, LATE, EXPECTED = "received", "late", "expected"


@dataclass(frozen=True)
class Rule:
    """One `[[expect]]` entry of the calendar file."""

    filing_type: str
    every: str
    due: str | int
    first_period: int | None = None
    last_period: int | None = None


@dataclass(frozen=True)
class Expected:
    filing_type: str
    period: int
    due_date: date


@dataclass(frozen=True)
class CalendarRow:
    """Expected vs received for one (filing type, period), as of a date."""

    filing_type: str
    period: int
    due_date: str
    status: str
    received_at: str | None = None
    filing: str | None = None
    days_late: int | None = None
    rejected_filings: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def reason(self) -> str:
        """One line for a late-filing event: what is missing, since when."""
        rejected = f"; {self.rejected_filings} filing(s) for it rejected" if self.rejected_filings else ""
        return (
            f"{self.filing_type} for period {self.period} was due {self.due_date} and has not been received "
            f"({self.days_late} days late{rejected})"
        )


def load_rules(path: Path | None = None) -> list[Rule]:
    """The calendar's rules, checked: a bad file is one error naming the file, the entry and the problem."""
    path = Path(path or DEFAULT_CALENDAR)
    try:
        with open(path, "rb") as handle:
            entries = tomllib.load(handle).get("expect", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"filing calendar {path}: cannot be read ({exc})") from None
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"filing calendar {path}, [[expect]] entry {number}"
        try:
            rule = Rule(**entry)
        except TypeError as exc:
            raise SettingsError(f"{where}: {exc}; expected keys {list(Rule.__dataclass_fields__)}") from None
        _check_rule(rule, where)
        rules.append(rule)
    return rules


def _check_rule(rule: Rule, where: str) -> None:
    if rule.filing_type not in CONTRACTS:
        raise SettingsError(
            f"{where}: unknown filing type {rule.filing_type!r}; expected one of {sorted(CONTRACTS)}"
        )
    if rule.every not in EVERY:
        raise SettingsError(f"{where}: every = {rule.every!r}; expected one of {list(EVERY)}")
    try:
        _due_date(rule, 2000 if rule.every == "year" else 200001, date(2000, 1, 1))
    except (ValueError, TypeError):
        expected = {"year": '"MM-DD"', "month": '"DD"', "publication": "a number of days"}[rule.every]
        raise SettingsError(f"{where}: due = {rule.due!r}; expected {expected}") from None
    if rule.every != "publication" and rule.first_period is None:
        raise SettingsError(f"{where}: first_period is required for every = {rule.every!r}")


def _due_date(rule: Rule, period: int, published: date | None = None) -> date:
    if rule.every == "year":
        month, day = (int(part) for part in str(rule.due).split("-"))
        return _clamped(period + 1, month, day)
    if rule.every == "month":
        year, month = divmod(period, 100)
        if not 1 <= month <= 12:
            raise ValueError(period)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _clamped(year, month, int(rule.due))
    if published is None or isinstance(rule.due, str):
        raise ValueError(rule.due)
    return published + timedelta(days=int(rule.due))


def _clamped(year: int, month: int, day: int) -> date:
    """The day of that month, or its last day (a due date of 02-29 in a common year is 02-28)."""
    if not 1 <= day <= 31:
        raise ValueError(day)
    return date(year, month, min(day, month_lengths.monthrange(year, month)[1]))


def expected(rules: Iterable[Rule], as_of: date) -> list[Expected]:
    """Every (filing type, period) whose period has ended (or whose batch was published) by `as_of`."""
    found = []
    for rule in rules:
        if rule.every == "publication":
            periods = [
                (int(row["batch"]), date.fromisoformat(row["published_date"]))
                for row in codes.rows("miit_official_counts")
                if row["filing_type"] == rule.filing_type
            ]
            ended = [(p, published) for p, published in periods if published <= as_of]
        else:
            last = as_of.year - 1 if rule.every == "year" else _previous_month(as_of)
            ended = [(p, None) for p in _periods(rule, last)]
        for period, published in ended:
            if rule.first_period is not None and period < rule.first_period:
                continue
            if rule.last_period is not None and period > rule.last_period:
                continue
            found.append(Expected(rule.filing_type, period, _due_date(rule, period, published)))
    return sorted(found, key=lambda e: (e.filing_type, e.period))


def _previous_month(as_of: date) -> int:
    return (as_of.year - 1) * 100 + 12 if as_of.month == 1 else as_of.year * 100 + as_of.month - 1


def _periods(rule: Rule, last: int) -> list[int]:
    first = int(rule.first_period or last)
    if rule.every == "year":
        return list(range(first, last + 1))
    months = []
    period = first
    while period <= last:
        months.append(period)
        year, month = divmod(period, 100)
        period = (year + 1) * 100 + 1 if month == 12 else period + 1
    return months


def check(rules: Iterable[Rule], records: Iterable[dict], as_of: date) -> list[CalendarRow]:
    """Expected vs received: the filing in force for each expected slot, or how late it is."""
    records = list(records)
    in_force = staging.winners(staging.staged_parts(records))
    rejected = _rejected_per_slot(records)
    rows = []
    for slot in expected(rules, as_of):
        key = (slot.filing_type, slot.period)
        part = in_force.get(key)
        late_by = (as_of - slot.due_date).days if part is None and as_of > slot.due_date else None
        status = RECEIVED if part is not None else LATE if late_by is not None else EXPECTED
        rows.append(
            CalendarRow(
                filing_type=slot.filing_type,
                period=slot.period,
                due_date=slot.due_date.isoformat(),
                status=status,
                received_at=part.received_at if part else None,
                filing=part.original_name if part else None,
                days_late=late_by,
                rejected_filings=rejected.get(key, 0),
            )
        )
    return rows


def _rejected_per_slot(records: Iterable[dict]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for record in records:
        for part in record.get("parts", []):
            if part.get("status") == "rejected":
                for period in part.get("periods", []):
                    key = (part["filing_type"], int(period))
                    counts[key] = counts.get(key, 0) + 1
    return counts


def late(rows: Iterable[CalendarRow]) -> list[CalendarRow]:
    return [row for row in rows if row.status == LATE]


TABLE_COLUMNS = ("filing_type", "period", "due_date", "status", "days_late", "received_at", "filing")
