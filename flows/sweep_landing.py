"""sweep-landing: ingest every landed object never ingested — the safety net for lost events."""

from __future__ import annotations

from prefect import flow

from tasks.artifacts import report_ingestion
from tasks.ingestion import ingest_landed_object, list_pending_landings


@flow(name="sweep-landing", log_prints=False)
def sweep_landing(build_docs: bool = True) -> list[dict]:
    pending = list_pending_landings()
    results = [ingest_landed_object(key, build_docs=build_docs) for key in pending]
    report_ingestion(results)
    return results
