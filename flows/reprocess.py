"""reprocess: re-derive (and, when asked, re-parse and re-validate) a range of periods, then publish."""

from __future__ import annotations

from prefect import flow

from greenmfg.indicators import IndicatorParameters
from greenmfg.summaries import publication_markdown
from tasks.artifacts import report_ingestion, report_publication
from tasks.publishing import derive, load_inputs, publish, select_filings
from tasks.reprocessing import assemble, plan_reprocess, revalidate


@flow(name="reprocess", log_prints=False)
def reprocess(
    year_from: int,
    year_to: int,
    filing_type: str | None = None,
    dataset: str | None = None,
    reparse: bool = False,
    dry_run: bool = False,
    star_threshold: int = IndicatorParameters.star_threshold,
) -> dict:
    plan = plan_reprocess(year_from, year_to, filing_type, dataset, reparse)
    if dry_run:
        return {"plan": plan.to_dict(), "published": None}
    report_ingestion(revalidate(plan.reparse_filings))
    params = IndicatorParameters(star_threshold=star_threshold)
    selection = select_filings()
    inputs = load_inputs(selection)
    datasets = assemble(derive(inputs, params), plan)
    result = publish(datasets, selection, params)
    report_publication(publication_markdown(result, datasets))
    return {"plan": plan.to_dict(), "published": result.to_dict()}
