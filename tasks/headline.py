"""Task of the main job: the bureau's headline figures for one year, read back from a published snapshot."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import headline
from greenmfg.storage import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="read-headline-figures", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def read_headline_figures(snapshot_id: str, year: int) -> dict:
    return headline.headline_figures(open_stores().published, snapshot_id, year)
