"""publish-indicators: derive every indicator from the filings in force and publish them as a snapshot."""

from __future__ import annotations

from prefect import flow
from prefect.states import State

from greenmfg.errors import SnapshotError
from greenmfg.summaries import publication_markdown
from tasks.alerts import blocked_publish
from tasks.artifacts import report_publication
from tasks.publication_slot import publication_slot
from tasks.publishing import publish_in_force, publish_report, read_policy


@flow(name="publish-indicators", log_prints=False)
def publish_indicators(accept_diff: bool = False) -> dict | State:
    """The policy (thresholds, caps, factors) comes from the settings of the process that publishes. The
    snapshot is committed only on the one it was derived against (greenmfg/publication.py). A publish the
    diff gate blocks ends Failed with the gate's reasons, and is announced; `accept_diff` lets it through,
    recorded in the manifest."""
    policy = read_policy()
    with publication_slot():
        try:
            publication = publish_in_force(policy, accept_diff)
        except SnapshotError as error:
            return blocked_publish(error)
    if not publication.is_new:
        return publication.to_dict()
    report_url = publish_report(publication.snapshot_id)
    report_publication(publication_markdown(publication.result, publication.datasets, report_url))
    return publication.to_dict() | {"report": report_url}
