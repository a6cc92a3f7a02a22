"""reprocess: re-derive (and, when asked, re-parse and re-validate) a range of periods, then publish."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.states import State

from greenmfg.errors import SnapshotError
from greenmfg.indicators import IndicatorParameters
from greenmfg.summaries import publication_markdown
from tasks.alerts import announce_filings, blocked_publish
from tasks.artifacts import report_ingestion, report_publication
from tasks.publication_slot import publication_slot
from tasks.publishing import derive, load_inputs, publish, publish_report, select_filings
from tasks.reprocessing import assemble, plan_reprocess, revalidate
from tasks.runners import make_task_runner


@flow(name="reprocess", log_prints=False, task_runner=make_task_runner())
def reprocess(
    year_from: int,
    year_to: int,
    filing_type: str | None = None,
    dataset: str | None = None,
    reparse: bool = False,
    dry_run: bool = False,
    star_threshold: int = IndicatorParameters.star_threshold,
) -> dict | State:
    plan = plan_reprocess(year_from, year_to, filing_type, dataset, reparse)
    if dry_run:
        return {"plan": plan.to_dict(), "published": None}
    shas = plan.reparse_filings
    revalidated = revalidate.map(shas, list(range(1, len(shas) + 1)), unmapped(len(shas))).result()
    report_ingestion(revalidated)
    announce_filings(revalidated)
    params = IndicatorParameters(star_threshold=star_threshold)
    with publication_slot():
        selection = select_filings()
        inputs = load_inputs(selection)
        datasets = assemble(derive(inputs, params), plan)
        try:
            result = publish(datasets, selection, params)
        except SnapshotError as error:
            return blocked_publish(error)
    report_url = publish_report(result.snapshot_id)
    report_publication(publication_markdown(result, datasets, report_url))
    return {"plan": plan.to_dict(), "published": result.to_dict() | {"report": report_url}}
