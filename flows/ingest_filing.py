"""ingest-filing: one landed object → raw archive → parse → validate → staged rows and quarantine.

Imports stay light (no pandas, no Great Expectations) so a pool's fresh process starts the run quickly.
"""

from __future__ import annotations

from prefect import flow
from prefect.deployments import run_deployment
from prefect.runtime import deployment
from prefect.states import State

from tasks.alerts import announce_filings, ingest_outcome
from tasks.artifacts import report_ingestion
from tasks.deferred import TASK_WORKER_WAIT_SECONDS, publish_on_task_worker, run_on_task_worker
from tasks.ingestion import ingest_landed_object

# Deployment (infra/prefect.yaml) that publishes after an ingest run on a server without task workers: it
# runs on the publisher's work pool, with the publisher's credentials.
PUBLISH_DEPLOYMENT = "publish-indicators/publish"
STATUSES_WITH_NEW_ROWS = frozenset({"accepted", "partly_rejected"})


@flow(name="ingest-filing", log_prints=False)
def ingest_filing(
    landing_key: str,
    build_docs: bool = False,
    publish_after: bool = False,
    on_task_workers: bool = False,
    task_worker_wait_seconds: float = TASK_WORKER_WAIT_SECONDS,
) -> dict | State:
    """With `on_task_workers` (the event path) the ingest and the publication run in the warm ingester and
    publisher task workers, each with its own identity, instead of in this process.

    A rejected or held filing ends the run Failed with the reason (its bytes stay archived) and is announced
    (tasks/alerts.py).
    """
    if on_task_workers:
        result = run_on_task_worker(
            ingest_landed_object, landing_key, build_docs=build_docs, wait_seconds=task_worker_wait_seconds
        )
    else:
        result = ingest_landed_object(landing_key, build_docs=build_docs)
    report_ingestion([result])
    announce_filings([result])
    if publish_after and result["status"] in STATUSES_WITH_NEW_ROWS:
        request_publication(on_task_workers, task_worker_wait_seconds, requested_by=landing_key)
    return ingest_outcome(result)


def request_publication(
    on_task_workers: bool = False,
    task_worker_wait_seconds: float = TASK_WORKER_WAIT_SECONDS,
    *,
    requested_by: str = "",
) -> None:
    """Publish as a subflow: in the publisher task worker, as a run of the publish deployment on a server,
    or in-process on the embedded default.

    A duplicate (a re-delivered event) or a rejected filing adds no rows, so it publishes nothing.
    """
    if on_task_workers:
        run_on_task_worker(publish_on_task_worker, requested_by, wait_seconds=task_worker_wait_seconds)
    elif deployment.id:
        run_deployment(PUBLISH_DEPLOYMENT, timeout=0, as_subflow=True)
    else:
        from flows.publish_indicators import publish_indicators

        publish_indicators()
