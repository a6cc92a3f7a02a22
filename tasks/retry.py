"""Retry policy: transient storage failures only, with exponential backoff; bad input fails fast."""

from __future__ import annotations

from prefect.tasks import exponential_backoff

from greenmfg.errors import TransientStorageError

RETRIES = 4
RETRY_DELAYS = exponential_backoff(backoff_factor=1)(RETRIES)  # 1, 2, 4, 8 s (plus jitter)
RETRY_JITTER = 0.5


def is_transient(task, task_run, state) -> bool:
    """Retry when the task failed on the object store being unreachable, never on a bad filing."""
    try:
        state.result()
    except TransientStorageError:
        return True
    except Exception:
        return False
    return False


RETRY_OPTIONS = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_jitter_factor": RETRY_JITTER,
    "retry_condition_fn": is_transient,
}
