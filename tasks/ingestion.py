"""Tasks of ingestion: list what landed and was never ingested, ingest one landed object.

greenmfg.sweep (and pandas behind it) is imported inside the tasks: a flow run that defers its ingest to a
warm task worker (tasks/deferred.py) then never pays for it.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="list-pending-landings", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def list_pending_landings() -> list[str]:
    from greenmfg import sweep

    return [info.key for info in sweep.pending_landings(open_stores())]


@task(name="ingest-landed-object", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def ingest_landed_object(landing_key: str, build_docs: bool = False) -> dict:
    """Archive, parse, validate and stage one landed object; idempotent by content hash."""
    from greenmfg import sweep

    result = sweep.ingest_landed(open_stores(), landing_key, build_docs=build_docs)
    return {
        "landing_key": landing_key,
        "sha256": result.sha256,
        "original_name": result.original_name,
        "status": result.status,
        "message": result.message,
        "parts": [asdict(part) for part in result.parts],
    }
