"""Tasks of reprocessing: plan, re-validate archived filings, assemble the datasets of the new snapshot."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import build, reprocess
from greenmfg.storage import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="plan-reprocess", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def plan_reprocess(
    year_from: int, year_to: int, filing_type: str | None, dataset: str | None, reparse: bool
) -> reprocess.ReprocessPlan:
    selection = build.select_filings(open_stores())
    return reprocess.plan(
        selection, year_from, year_to, filing_type=filing_type, dataset=dataset, reparse=reparse
    )


@task(name="revalidate-filings", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def revalidate(shas: list[str], build_docs: bool = True) -> list[dict]:
    results = reprocess.reingest_all(open_stores(), shas, build_docs=build_docs)
    return [
        {
            "landing_key": r.record.get("landing_key", ""),
            "sha256": r.sha256,
            "status": r.status,
            "message": r.message,
            "parts": [asdict(p) for p in r.parts],
        }
        for r in results
    ]


@task(name="assemble-datasets", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def assemble(derived: dict[str, pd.DataFrame], plan: reprocess.ReprocessPlan) -> dict[str, pd.DataFrame]:
    return reprocess.assemble(open_stores().published, derived, plan)
