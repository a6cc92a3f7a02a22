"""Task runners: sequential in-process by default, a Dask cluster to fan out per filing and per period.

`dask` starts a local cluster of worker processes unless an address of a running scheduler is given
(production: a Dask cluster); the flows are the same either way.
"""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner

from greenmfg.commands import TASK_RUNNERS as RUNNERS

LOCAL_DASK_WORKERS = 2


def make_task_runner(name: str = "default", *, address: str | None = None, workers: int = LOCAL_DASK_WORKERS):
    """The task runner called `name`: 'default' (one task at a time, in order) or 'dask'."""
    if name == "default":
        return ThreadPoolTaskRunner(max_workers=1)
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
                "host": "127.0.0.1",
            }
        )
    raise ValueError(f"unknown task runner {name!r}; expected one of {list(RUNNERS)}")
