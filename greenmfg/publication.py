"""One publication, whoever runs it (the CLI, the flows, a task worker): select the filings in force, derive
every dataset from them, and commit on the parent read before selecting — or select and derive again when
another publisher committed meanwhile, so content built on a stale parent is never committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from greenmfg import build
from greenmfg.errors import SnapshotError, StaleParentError
from greenmfg.policy import Policy
from greenmfg.publish import PreparedSnapshot, PublishResult, commit_snapshot, latest
from greenmfg.publish.diff import gate
from greenmfg.storage import Stores, keys

log = logging.getLogger(__name__)

# A publication loses once per commit another publisher makes while it derives, and each publisher commits
# once: 8 publishers started together need at most 8 attempts. Losing more often means one that never stops.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Publication:
    """What a publication found and did. `prepared` is None when latest was already built from the same
    filings, policy and code (nothing derived); `result` is None unless it went through a commit."""

    selection: build.Selection
    datasets: dict[str, pd.DataFrame] | None
    prepared: PreparedSnapshot | None
    result: PublishResult | None
    attempts: int
    report: str  # where the snapshot's report is (written after a commit by greenmfg.report)
    unchanged: dict | None = None  # build.unchanged_snapshot's description of latest

    @property
    def verdict(self) -> str:
        """ "unchanged", "blocked", "warnings" or "pass" (the diff gate's, against the parent)."""
        return "unchanged" if self.prepared is None else self.prepared.verdict

    @property
    def snapshot_id(self) -> str:
        return self.unchanged["snapshot_id"] if self.prepared is None else self.prepared.snapshot_id

    @property
    def is_new(self) -> bool:
        return self.result is not None and self.result.is_new

    def blocked_error(self) -> SnapshotError | None:
        """The gate's error when it blocked this publication (a flow run ends Failed with it), else None."""
        if self.verdict != "blocked":
            return None
        try:
            gate(self.prepared.diff, self.prepared.policy, accept_diff=self.prepared.accept_diff)
        except SnapshotError as error:
            return error
        return None

    def to_dict(self) -> dict:
        """Plain values, for flow results and JSON output."""
        if self.prepared is None:
            return {**self.unchanged, "verdict": "unchanged", "attempts": self.attempts}
        result = self.result
        return {
            "snapshot_id": self.snapshot_id,
            "sequence": result.sequence if result else None,
            "is_new": self.is_new,
            "manifest_key": self.prepared.snapshot.manifest_key,
            "diff": (result.diff if result else self.prepared.diff).to_dict(),
            "warnings": list(result.warnings if result else self.prepared.warnings),
            "verdict": self.verdict,
            "attempts": self.attempts,
            "report": self.report,
        }


def publish_in_force(
    stores: Stores,
    policy: Policy,
    *,
    accept_diff: bool = False,
    dry_run: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
) -> Publication:
    """Publish the full derive of the filings in force under `policy`: every period of every dataset, so
    a snapshot holds exactly the rows of the filings its manifest lists as sources.

    The commit is compare-and-swap on the latest read before the filings are selected: when another
    publisher commits first, the filings are selected and the datasets derived again (their new inputs
    included), up to `max_attempts` times. A dry run, a blocked diff gate (without `accept_diff`) and
    content equal to latest commit nothing. Raises SnapshotError when latest keeps moving.
    """
    for attempt in range(1, max_attempts + 1):
        parent = latest(stores.published)
        selection = build.select_filings(stores)
        unchanged = build.unchanged_snapshot(stores, selection, policy)
        if unchanged is not None:
            return Publication(selection, None, None, None, attempt, unchanged["report"], unchanged)
        inputs = build.load_inputs(stores, selection)
        datasets = build.derive(inputs, policy)
        prepared = build.prepare(
            stores, datasets, selection, policy, accept_diff=accept_diff, parent=parent, inputs=inputs
        )
        report = stores.published.uri(keys.snapshot_report(prepared.snapshot_id))
        if dry_run or prepared.verdict in ("unchanged", "blocked"):
            return Publication(selection, datasets, prepared, None, attempt, report)
        try:
            result = commit_snapshot(stores.published, prepared)
        except StaleParentError as moved:
            log.info("%s; selecting the filings and deriving again (attempt %d)", moved, attempt + 1)
            continue
        return Publication(selection, datasets, prepared, result, attempt, report)
    raise SnapshotError(
        f"{stores.published.uri()}: another publisher committed first {max_attempts} times in a row; "
        "nothing was committed by this publication, run it again"
    )
