"""Tasks of retention: apply (or rehearse) the retention rules to the published area, and show what went."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from greenmfg.publish import retention
from tasks.credentials import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="apply-retention", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def prune_published(keep_last: int, keep_days: float, pinned: list[str], dry_run: bool) -> dict:
    published = open_stores().published
    plan = retention.apply_retention(
        published, keep_last=keep_last, keep_days=keep_days, pinned=pinned, dry_run=dry_run
    )
    return plan.to_dict()


@task(name="report-retention", cache_policy=NO_CACHE)
def report_prune(plan: dict) -> None:
    verb = "would delete" if plan["dry_run"] else "deleted"
    lines = [
        f"Retention {verb} {len(plan['pruned'])} snapshot(s) and {len(plan['uncommitted'])} uncommitted "
        f"attempt(s); kept {len(plan['kept'])}.",
        "",
        *(f"- snapshot {ident}" for ident in plan["pruned"]),
        *(f"- uncommitted {ident}" for ident in plan["uncommitted"]),
    ]
    create_markdown_artifact(key="retention", markdown="\n".join(lines), description="Retention run")
