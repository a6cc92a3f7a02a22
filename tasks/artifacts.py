"""Prefect artifacts of a run: ingestion summary, quarantine counts, indicators, snapshot link."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from greenmfg import summaries


@task(name="report-ingestion", cache_policy=NO_CACHE)
def report_ingestion(results: list[dict]) -> None:
    rows = summaries.ingestion_rows(results)
    create_table_artifact(
        key="ingestion-summary",
        table=rows,
        description="Filings ingested: rows parsed, accepted, quarantined and dropped, failed expectations.",
    )
    create_markdown_artifact(
        key="validation-summary",
        markdown=summaries.validation_markdown(results),
        description="Great Expectations results per filing: checked, failed, severity.",
    )


@task(name="report-publication", cache_policy=NO_CACHE)
def report_publication(markdown: str) -> None:
    create_markdown_artifact(key="snapshot", markdown=markdown, description="Published snapshot")
