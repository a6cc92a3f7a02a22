"""Tasks of publication: select the filings in force, derive the indicators, publish a snapshot."""

from __future__ import annotations

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import build
from greenmfg.policy import Policy, load_policy
from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="read-policy", cache_policy=NO_CACHE)
def read_policy() -> Policy:
    """The policy in force, from this process's settings: one policy for every year the run derives."""
    return load_policy()


@task(name="select-filings", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def select_filings() -> build.Selection:
    return build.select_filings(open_stores())


@task(name="find-unchanged-snapshot", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def unchanged_snapshot(selection: build.Selection, policy: Policy) -> dict | None:
    return build.unchanged_snapshot(open_stores(), selection, policy)


@task(name="load-accepted-rows", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def load_inputs(selection: build.Selection) -> dict[str, pd.DataFrame]:
    return build.load_inputs(open_stores(), selection)


@task(name="derive-indicators", cache_policy=NO_CACHE)
def derive(
    inputs: dict[str, pd.DataFrame], policy: Policy, datasets: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    return build.derive(inputs, policy, datasets=datasets)


@task(name="publish-snapshot", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def publish(datasets: dict[str, pd.DataFrame], selection: build.Selection, policy: Policy):
    return build.publish(open_stores(), datasets, selection, policy)


@task(name="publish-report", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def publish_report(snapshot_id: str) -> str:
    """The snapshot's validation Data Docs and HTML report, written next to its data; returns the report's
    address."""
    from greenmfg.report import publish_report as write_report
    from greenmfg.report.data_docs import publish_data_docs

    stores = open_stores()
    publish_data_docs(stores, snapshot_id)
    return stores.published.uri(write_report(stores, snapshot_id))
