"""publish-indicators: derive the indicators from all staged, accepted filings and publish a snapshot."""

from __future__ import annotations

from prefect import flow
from prefect.states import State

from greenmfg.errors import SnapshotError
from greenmfg.summaries import publication_markdown
from tasks.alerts import blocked_publish
from tasks.artifacts import report_publication
from tasks.publication_slot import publication_slot
from tasks.publishing import (
    derive,
    load_inputs,
    publish,
    publish_report,
    read_policy,
    select_filings,
    unchanged_snapshot,
)


@flow(name="publish-indicators", log_prints=False)
def publish_indicators() -> dict | State:
    """The policy (thresholds, caps, factors) comes from the settings of the process that publishes; a publish
    the diff gate blocks ends Failed with the gate's reasons, and is announced."""
    policy = read_policy()
    with publication_slot():
        selection = select_filings()
        unchanged = unchanged_snapshot(selection, policy)
        if unchanged is not None:
            return unchanged
        inputs = load_inputs(selection)
        datasets = derive(inputs, policy)
        try:
            result = publish(datasets, selection, policy)
        except SnapshotError as error:
            return blocked_publish(error)
    report_url = publish_report(result.snapshot_id)
    report_publication(publication_markdown(result, datasets, report_url))
    return result.to_dict() | {"report": report_url}
