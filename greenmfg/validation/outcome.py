"""What a validation returns: accepted rows, quarantine entries, a per-expectation summary and the verdict."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

# Columns of the quarantine table besides the filing type's key columns (which follow source_row).
QUARANTINE_HEAD = ("source_sha256", "source_row")
QUARANTINE_TAIL = ("expectation", "rule", "severity", "action", "column", "offending_value", "message")
# What happened to the row: severity → action.
ACTIONS = {"critical": "rejected", "row": "quarantined", "warning": "flagged"}


@dataclass(frozen=True)
class ExpectationSummary:
    """One expectation's outcome: how many values it checked and how many failed."""

    rule: str
    expectation: str
    severity: str
    column: str
    checked: int
    failed: int
    status: str  # passed | failed | not run
    sample: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass(frozen=True)
class ValidationSummary:
    """Per expectation and in total; deterministic (no wall-clock value), written as summary.json."""

    filing_type: str
    source_name: str
    expectations: list[ExpectationSummary]
    rows_in: int
    rows_accepted: int
    rows_quarantined: int
    rows_flagged: int
    is_rejected: bool
    rejection_reasons: list[str]

    @property
    def failed(self) -> list[ExpectationSummary]:
        return [e for e in self.expectations if e.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def table(self, *, only_failed: bool = False) -> str:
        """A plain-text table: expectation, severity, checked, failed."""
        shown = self.failed if only_failed else [e for e in self.expectations if e.status != "not run"]
        width = max([len(e.rule) for e in shown] + [len("expectation")])
        lines = [f"{'expectation':<{width}}  {'severity':<8}  {'checked':>9}  {'failed':>8}"]
        for e in shown:
            lines.append(f"{e.rule:<{width}}  {e.severity:<8}  {e.checked:>9}  {e.failed:>8}")
        return "\n".join(lines)


@dataclass
class ValidationOutcome:
    """The verdict on one parsed filing. When rejected, `accepted` is empty: nothing of it is used."""

    filing_type: str
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    summary: ValidationSummary
    is_rejected: bool
    rejection_reasons: list[str]
    gx_result: Any = field(default=None, repr=False)
