"""main-job: what `greenmfg run` does — seed the demonstration into an empty landing area, sweep, publish,
read the headline figures back."""

from __future__ import annotations

from prefect import flow

from flows.publish_indicators import publish_indicators
from flows.sweep_landing import sweep_landing
from greenmfg.demonstration import MIIT_DIR
from greenmfg.handover import handing_over
from tasks.demonstration import land_demonstration
from tasks.headline import read_headline_figures
from tasks.publishing import nothing_to_publish
from tasks.runners import make_task_runner

HEADLINE_YEAR = 2020  # the year of DOMAIN.md's headline figures


@flow(name="main-job", log_prints=False)
def main_job(
    reference_dir: str = ".greenmfg/reference",
    miit_dir: str = str(MIIT_DIR),
    year: int = HEADLINE_YEAR,
    build_docs: bool = False,
    task_runner: str = "default",
    dask_address: str | None = None,
) -> dict:
    """Nothing is published when nothing is staged (every landed file refused or rejected) and nothing was
    published before. The rows this process stages are handed to the publication without reading them back
    (greenmfg/handover.py)."""
    seeded = land_demonstration(reference_dir, miit_dir)
    runner = make_task_runner(task_runner, address=dask_address)
    with handing_over():
        ingested = sweep_landing.with_options(task_runner=runner)(build_docs=build_docs)
        if nothing_to_publish():
            return {"demonstration": seeded, "ingested": ingested, "published": None, "figures": None}
        published = publish_indicators()
    figures = read_headline_figures(published["snapshot_id"], year)
    return {"demonstration": seeded, "ingested": ingested, "published": published, "figures": figures}
