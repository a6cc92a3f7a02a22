"""Telling the operator: greenmfg's alert events emitted from a run, logged in it, and its Failed state.

The server's automations (infra/automations.py) send a notification for each event and for every failed
or crashed run; what each event means is declared in greenmfg/alerts.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prefect.events import emit_event
from prefect.logging import get_run_logger
from prefect.states import Failed, State

from greenmfg import alerts
from greenmfg.errors import SnapshotError

if TYPE_CHECKING:  # the ingest flow imports this module and stays free of pandas
    from greenmfg.filing_calendar import CalendarRow

CALENDAR_RESOURCE_PREFIX = "greenmfg.calendar."
PUBLICATION_RESOURCE = "greenmfg.publication"


def announce_filings(results: Iterable[dict]) -> list[alerts.FilingAlert]:
    """An event and an error line in the run's log for every rejected or held filing among `results`."""
    found = []
    for result in results:
        alert = alerts.filing_alert(result)
        if alert is not None:
            get_run_logger().error(alert.message)
            emit_event(event=alert.event, resource=alert.resource, payload=alert.payload)
            found.append(alert)
    return found


def ingest_outcome(result: dict) -> dict | State:
    """The run's end: the result, or a Failed state whose message says why the filing is not in force."""
    alert = alerts.filing_alert(result)
    if alert is not None and alerts.fails_the_run(result):
        return Failed(message=alert.message)
    return result


def announce_late(rows: Iterable[CalendarRow]) -> int:
    """A `greenmfg.filing.late` event and a warning for each late filing; returns how many."""
    count = 0
    for row in rows:
        resource = {
            "prefect.resource.id": f"{CALENDAR_RESOURCE_PREFIX}{row.filing_type}.{row.period}",
            "greenmfg.filing.type": row.filing_type,
        }
        get_run_logger().warning(row.reason)
        emit_event(
            event=alerts.LATE_EVENT, resource=resource, payload={"reason": row.reason, **row.to_dict()}
        )
        count += 1
    return count


def blocked_publish(error: SnapshotError) -> State:
    """A publish the diff gate blocked ends Failed with the gate's message, announced; other errors raise."""
    if not alerts.is_blocked_publish(error):
        raise error
    get_run_logger().error(str(error))
    emit_event(
        event=alerts.BLOCKED_EVENT,
        resource={"prefect.resource.id": PUBLICATION_RESOURCE},
        payload={"reason": str(error)},
    )
    return Failed(message=str(error), data=error)  # a direct call of the flow raises it again
