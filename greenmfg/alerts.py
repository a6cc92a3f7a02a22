"""What an operator must be told about: the events greenmfg emits, and which ingestion outcomes raise one.

Pure: the Prefect layer (tasks/alerts.py) emits the events and fails the runs; the server's automations
(infra/automations.py) turn each event into a notification.
"""

from __future__ import annotations

from dataclasses import dataclass

REJECTED_EVENT = "greenmfg.filing.rejected"
HELD_EVENT = "greenmfg.filing.held"
LATE_EVENT = "greenmfg.filing.late"
BLOCKED_EVENT = "greenmfg.publish.blocked"
FILING_RESOURCE_PREFIX = "greenmfg.filing."
# The prefix of the SnapshotError a blocked diff gate raises (greenmfg/publish/diff.py).
DIFF_GATE_BLOCKED = "diff gate blocked the publish"

# Ingestion status → the event it raises and the words its message starts with ("held for review" is the
# state of a held correction, issue 13).
STATUS_ALERTS: dict[str, tuple[str, str]] = {
    "rejected": (REJECTED_EVENT, "rejected"),
    "unreadable": (REJECTED_EVENT, "rejected"),
    "refused": (REJECTED_EVENT, "rejected"),
    "partly_rejected": (REJECTED_EVENT, "partly rejected"),
    "held": (HELD_EVENT, "held for review"),
}
# A partly rejected workbook still publishes its accepted tables: its run is not failed, only reported.
FAILING_STATUSES = frozenset(STATUS_ALERTS) - {"partly_rejected"}


@dataclass(frozen=True)
class FilingAlert:
    """One filing the operator must hear about: the event to emit and the one-line reason."""

    event: str
    words: str
    landing_key: str
    sha256: str
    reason: str

    @property
    def message(self) -> str:
        """The failed run's message and the notification's text: what happened, to which file, and why."""
        return f"{self.words}: {self.landing_key or self.sha256[:12]}: {self.reason}"

    @property
    def resource(self) -> dict[str, str]:
        return {
            "prefect.resource.id": f"{FILING_RESOURCE_PREFIX}{self.sha256 or 'unarchived'}",
            "greenmfg.landing.key": self.landing_key,
        }

    @property
    def payload(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "sha256": self.sha256}


def filing_alert(result: dict) -> FilingAlert | None:
    """The alert an ingestion result (tasks/ingestion.py's dict) calls for, or None when all went well.

    A duplicate raises none: its first delivery did.
    """
    status = result.get("status", "")
    if status not in STATUS_ALERTS:
        return None
    event, words = STATUS_ALERTS[status]
    reason = result.get("message") or status
    return FilingAlert(event, words, result.get("landing_key") or "", result.get("sha256") or "", reason)


def fails_the_run(result: dict) -> bool:
    """Whether an ingest run of this result ends Failed (rejected, unreadable, refused, held)."""
    return result.get("status") in FAILING_STATUSES


def is_blocked_publish(error: BaseException) -> bool:
    """Whether a publish failed on the diff gate (the message starts with DIFF_GATE_BLOCKED)."""
    return str(error).startswith(DIFF_GATE_BLOCKED)
