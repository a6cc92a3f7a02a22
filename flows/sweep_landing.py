"""sweep-landing: ingest every landed object never ingested — the safety net for lost events."""

from __future__ import annotations

from prefect import flow, unmapped

from tasks.alerts import announce_filings
from tasks.artifacts import report_ingestion
from tasks.ingestion import ingest_landed_object, list_pending_landings
from tasks.runners import make_task_runner


@flow(name="sweep-landing", log_prints=False, task_runner=make_task_runner())
def sweep_landing(build_docs: bool = False) -> list[dict]:
    pending = list_pending_landings()
    results = ingest_landed_object.map(pending, build_docs=unmapped(build_docs)).result()
    report_ingestion(results)
    announce_filings(results)  # reported and notified; the sweep itself completes
    return results
