"""Task of the main job: seed the demonstration data set into an empty landing area."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from greenmfg import demonstration
from greenmfg.storage import open_stores
from tasks.retry import RETRY_OPTIONS


@task(name="land-demonstration", cache_policy=NO_CACHE, **RETRY_OPTIONS)
def land_demonstration(reference_dir: str, miit_dir: str) -> dict:
    """Land the reference filings and the MIIT lists, only when nothing at all is landed yet."""
    landing = demonstration.land_demonstration(open_stores(), Path(reference_dir), Path(miit_dir))
    return landing.to_dict()
