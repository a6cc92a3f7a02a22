"""ingest-filing: one landed object → raw archive → parse → validate → staged rows and quarantine."""

from __future__ import annotations

from prefect import flow
from prefect.deployments import run_deployment
from prefect.runtime import deployment

from flows.publish_indicators import publish_indicators
from tasks.artifacts import report_ingestion
from tasks.ingestion import ingest_landed_object

# Deployment (infra/prefect.yaml) that publishes after an event-driven ingest: it runs on the publisher's
# work pool, with the publisher's credentials, one run at a time.
PUBLISH_DEPLOYMENT = "publish-indicators/publish"
STATUSES_WITH_NEW_ROWS = frozenset({"accepted", "partly_rejected"})


@flow(name="ingest-filing", log_prints=False)
def ingest_filing(landing_key: str, build_docs: bool = True, publish_after: bool = False) -> dict:
    result = ingest_landed_object(landing_key, build_docs=build_docs)
    report_ingestion([result])
    if publish_after and result["status"] in STATUSES_WITH_NEW_ROWS:
        request_publication()
    return result


def request_publication() -> None:
    """Publish as a subflow: a run of the publish deployment on a server, in-process otherwise.

    A duplicate (a re-delivered event) or a rejected filing adds no rows, so it publishes nothing.
    """
    if deployment.id:
        run_deployment(PUBLISH_DEPLOYMENT, timeout=0, as_subflow=True)
    else:
        publish_indicators()
