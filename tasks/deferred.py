"""Work deferred to the warm task workers (infra/task_worker.py), and the wait for its result.

A process work pool starts a fresh Python per flow run; deferring the heavy steps to long-lived task workers
keeps the event path's latency to the work itself. Each role's worker holds only that role's credentials.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from prefect import State, Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.flows import load_flow_from_entrypoint
from prefect.futures import PrefectFuture

from tasks.ingestion import ingest_landed_object

# How long a flow run waits for a task worker to take and finish its deferred work.
TASK_WORKER_WAIT_SECONDS = 600.0
# The wait listens for the task run's completion event, and asks the API this often in case the event is
# late (a busy server's event stream can lag by several seconds).
STATE_POLL_SECONDS = 0.5


class TaskWorkerUnavailable(RuntimeError):
    """No task worker of the role finished the deferred task in time (is one running?)."""


# The flow publish_on_task_worker runs, named as its deployment names it (infra/prefect.yaml), so tasks/
# never imports flows/: the flows build on the tasks, not the other way round.
PUBLISH_ENTRYPOINT = "flows.publish_indicators:publish_indicators"


@task(name="publish-on-task-worker", cache_policy=NO_CACHE)
def publish_on_task_worker(requested_by: str = "") -> dict:
    """The publish-indicators flow, run as a subflow inside the warm publisher task worker, with the policy
    of that worker's settings. `requested_by` (the landing key that led to it) is shown with the task run.

    The task must keep a parameter: Prefect 3.9 stores the deferring run's context, which links this run as
    its subflow, only with a deferred task's parameters (prefect/tasks.py, create_run: `if deferred and
    (parameters or wait_for)`), and a parameter's default counts.
    """
    return load_flow_from_entrypoint(PUBLISH_ENTRYPOINT, use_placeholder_flow=False)()


# Role → the tasks its task worker serves (the flows defer exactly these objects, so the task keys match).
SERVED: dict[str, tuple[Task, ...]] = {
    "ingester": (ingest_landed_object,),
    "publisher": (publish_on_task_worker,),
}


def run_on_task_worker(
    work: Task, *args: Any, wait_seconds: float = TASK_WORKER_WAIT_SECONDS, **kwargs: Any
) -> Any:
    """Defer `work` to a task worker serving it and wait for its result (its failure is raised here)."""
    role = next(name for name, served in SERVED.items() if work in served)
    future = work.delay(*args, **kwargs)
    if not wait_until_final(future, wait_seconds):
        raise TaskWorkerUnavailable(
            f"no {role} task worker finished {work.name!r} within {wait_seconds:g} s; check "
            "`greenmfg stack status` (a landing left behind is ingested by the daily sweep)"
        )
    return future.result()


def wait_until_final(future: PrefectFuture, wait_seconds: float) -> bool:
    """Whether the task run reached a final state within `wait_seconds`.

    A deferred run the API has not recorded yet, or recorded without a state, is polled for: Prefect's own
    wait raises on it ("has no state which means it hasn't started yet"), which failed event-driven runs.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        state = recorded_state(future.task_run_id)
        if state is not None and state.is_final():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if state is None:
            time.sleep(min(STATE_POLL_SECONDS, remaining))
        else:
            future.wait(timeout=min(STATE_POLL_SECONDS, remaining))


def recorded_state(task_run_id: UUID) -> State | None:
    """The task run's state as the API has it; None while the API has no run or no state for it."""
    with get_client(sync_client=True) as client:
        try:
            return client.read_task_run(task_run_id).state
        except ObjectNotFound:
            return None
