"""reprocess: re-derive (and, when asked, re-parse and re-validate) a range of periods, then publish."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.states import State

from greenmfg.errors import SnapshotError
from greenmfg.summaries import publication_markdown
from tasks.alerts import announce_filings, blocked_publish
from tasks.artifacts import report_ingestion, report_publication
from tasks.publication_slot import publication_slot
from tasks.publishing import derive, load_inputs, publish, publish_report, read_policy, select_filings
from tasks.reprocessing import assemble, plan_reprocess, revalidate
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
    task_runner: str = "default",
    dask_address: str | None = None,
) -> dict | State:
    """`task_runner` ('default' or 'dask', at `dask_address` or a local cluster) fans out the re-validation.
    The policy comes from the settings; when it differs from the latest snapshot's, every period is derived
    again, so that a snapshot never mixes policies across years. A publish the diff gate blocks ends
    Failed."""
    plan = plan_reprocess(year_from, year_to, filing_type, dataset, reparse)
    if dry_run:
        return {"plan": plan.to_dict(), "published": None}
    if plan.reparse_filings:
        runner = make_task_runner(task_runner, address=dask_address)
        revalidated = revalidate_filings.with_options(task_runner=runner)(plan.reparse_filings)
        report_ingestion(revalidated)
        announce_filings(revalidated)
    policy = read_policy()
    with publication_slot():
        selection = select_filings()
        inputs = load_inputs(selection)
        datasets = assemble(derive(inputs, policy), plan, policy)
        try:
            result = publish(datasets, selection, policy)
        except SnapshotError as error:
            return blocked_publish(error)
    report_url = publish_report(result.snapshot_id)
    report_publication(publication_markdown(result, datasets, report_url))
    return {"plan": plan.to_dict(), "published": result.to_dict() | {"report": report_url}}
