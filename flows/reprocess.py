"""reprocess: re-validate the archived filings of a range when asked, then publish the full derive."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.states import State

from flows.publish_indicators import publish_indicators
from tasks.alerts import announce_filings
from tasks.artifacts import report_ingestion
from tasks.reprocessing import plan_reprocess, revalidate
from tasks.runners import make_task_runner


@flow(name="revalidate-filings", log_prints=False)
def revalidate_filings(shas: list[str]) -> list[dict]:
    """Parse and validate archived filings again, fanned out on the task runner the caller chose."""
    return revalidate.map(shas, list(range(1, len(shas) + 1)), unmapped(len(shas))).result()


@flow(name="reprocess", log_prints=False)
def reprocess(
    year_from: int,
    year_to: int,
    filing_type: str | None = None,
    dataset: str | None = None,
    reparse: bool = False,
    dry_run: bool = False,
    accept_diff: bool = False,
    task_runner: str = "default",
    dask_address: str | None = None,
) -> dict | State:
    """The range, filing type and dataset choose the filings re-validated with `reparse` (fanned out on
    `task_runner`: 'default' or 'dask', at `dask_address` or a local cluster) and what the report focuses
    on; the snapshot is the full derive of the filings in force under the settings' policy (the
    publish-indicators subflow), so it never mixes inputs or policies across years. A publish the diff gate
    blocks ends Failed."""
    plan = plan_reprocess(year_from, year_to, filing_type, dataset, reparse)
    if dry_run:
        return {"plan": plan.to_dict(), "published": None}
    if plan.reparse_filings:
        runner = make_task_runner(task_runner, address=dask_address)
        revalidated = revalidate_filings.with_options(task_runner=runner)(plan.reparse_filings)
        report_ingestion(revalidated)
        announce_filings(revalidated)
    published = publish_indicators(accept_diff, return_state=True)
    if not published.is_completed():
        return published
    return {"plan": plan.to_dict(), "published": published.result()}
