"""ingest-filing: one landed object → raw archive → parse → validate → staged rows and quarantine."""

from __future__ import annotations

from prefect import flow

from tasks.artifacts import report_ingestion
from tasks.ingestion import ingest_landed_object


@flow(name="ingest-filing", log_prints=False)
def ingest_filing(landing_key: str, build_docs: bool = True) -> dict:
    result = ingest_landed_object(landing_key, build_docs=build_docs)
    report_ingestion([result])
    return result
