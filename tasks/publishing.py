"""Tasks of publication: the policy in force, one publication (select, derive, commit on its parent), and
the snapshot's report."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import build, publication
from greenmfg.policy import Policy, load_policy
from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="read-policy", cache_policy=NO_CACHE)
def read_policy() -> Policy:
    """The policy in force, from this process's settings: one policy for every year the run derives."""
    return load_policy()


@task(name="nothing-to-publish", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def nothing_to_publish() -> bool:
    return build.nothing_to_publish(open_stores())


@task(name="publish-in-force", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def publish_in_force(policy: Policy, accept_diff: bool = False) -> publication.Publication:
    """The full derive of the filings in force, committed on the snapshot it was derived against (selected
    and derived again when another publisher committed first). A publication the diff gate blocks raises
    the gate's SnapshotError; a retry after an outage starts the publication over."""
    done = publication.publish_in_force(open_stores(), policy, accept_diff=accept_diff)
    blocked = done.blocked_error()
    if blocked is not None:
        raise blocked
    return done


@task(name="publish-report", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def publish_report(snapshot_id: str) -> str:
    """The snapshot's validation Data Docs and HTML report, written next to its data; returns the report's
    address."""
    from greenmfg.report import publish_report as write_report
    from greenmfg.report.data_docs import publish_data_docs

    stores = open_stores()
    publish_data_docs(stores, snapshot_id)
    return stores.published.uri(write_report(stores, snapshot_id))
