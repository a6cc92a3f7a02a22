"""The report's filing-calendar section: expected vs received per filing type and period (pure).

Judged as of the snapshot's commit date, so the same snapshot gives the same report.
"""

from __future__ import annotations

from collections.abc import Sequence

from greenmfg.filing_calendar import EXPECTED, LATE, RECEIVED, CalendarRow
from greenmfg.report.model import Label, Section, Table

STATUS = {
    RECEIVED: Label("已收到", "received"),
    LATE: Label("逾期未收到", "late"),
    EXPECTED: Label("未到期", "not yet due"),
}


def calendar_section(rows: Sequence[CalendarRow], as_of: str) -> Section:
    """One row per expected (filing type, period): its due date, status and the filing in force."""
    header = (
        Label("来文类型", "Filing type"),
        Label("期别", "Period"),
        Label("截止日期", "Due date"),
        Label("状态", "Status"),
        Label("逾期天数", "Days late"),
        Label("采用的来文", "Filing in force"),
    )
    table = Table(
        header,
        tuple(
            (
                row.filing_type,
                str(row.period),
                row.due_date,
                f"{STATUS[row.status].zh} {STATUS[row.status].en}",
                row.days_late,
                row.filing,
            )
            for row in rows
        ),
        numeric=(False, False, False, False, True, False),
    )
    late = sum(row.status == LATE for row in rows)
    intro = Label(
        f"截至 {as_of}（本快照发布日），按来文日历应收 {len(rows)} 份，逾期未收到 {late} 份。",
        f"As of {as_of} (when this snapshot was committed), the filing calendar expects {len(rows)} filings; "
        f"{late} are late.",
    )
    tables = ((Label("应收与实收", "Expected vs received"), table),)
    return Section(Label("来文日历", "Filing calendar"), tables=tables, intro=intro)
