"""prune-snapshots: retention — old snapshots and files of publishes that never committed are removed."""

from __future__ import annotations

from prefect import flow

from greenmfg.publish import retention
from tasks.publication_slot import publication_slot
from tasks.retention import prune_published, report_prune


@flow(name="prune-snapshots", log_prints=False)
def prune_snapshots(
    keep_last: int = retention.DEFAULT_KEEP_LAST,
    keep_days: float = retention.DEFAULT_KEEP_DAYS,
    pinned: list[str] | None = None,
    dry_run: bool = False,
) -> dict:
    with publication_slot():  # never while a publication writes its files
        plan = prune_published(keep_last, keep_days, pinned or [], dry_run)
    report_prune(plan)
    return plan
