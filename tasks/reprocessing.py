"""Tasks of reprocessing: plan what to re-validate and report on, re-validate archived filings."""

from __future__ import annotations

from dataclasses import asdict

from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import build, progress, reprocess
from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="plan-reprocess", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def plan_reprocess(
    year_from: int, year_to: int, filing_type: str | None, dataset: str | None, reparse: bool
) -> reprocess.ReprocessPlan:
    selection = build.select_filings(open_stores())
    return reprocess.plan(
        selection, year_from, year_to, filing_type=filing_type, dataset=dataset, reparse=reparse
    )


@task(name="revalidate-filing", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def revalidate(sha256: str, position: int, total: int, build_docs: bool = False) -> dict:
    """Parse and validate one archived filing again (the reprocess flow maps this over its filings)."""
    result = reprocess.reingest(open_stores(), sha256, build_docs=build_docs)
    progress.step(f"re-validated {sha256[:12]}", position, total)
    return {
        "landing_key": result.record.get("landing_key", ""),
        "sha256": result.sha256,
        "status": result.status,
        "message": result.message,
        "parts": [asdict(p) for p in result.parts],
    }
