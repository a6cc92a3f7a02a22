"""Flows the warm engine tests run through `infra.engine_client`: one reports what its process sees."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from prefect import flow
from prefect.logging import get_run_logger
from prefect.settings import get_current_settings

from greenmfg.settings import get_settings

LOG_LINE = "warm engine observation written"
# Read on import, as a flow module may: in a warm server this fills greenmfg's settings cache with the
# server's environment, which a forked run must not keep.
IMPORTED_WITH_BLOCK = get_settings().s3_credentials_block


def _process() -> dict:
    return {"pid": os.getpid(), "parent": os.getppid(), "cwd": os.getcwd()}


@flow(name="observe-engine")
def observe(out: str) -> None:
    """Write what this run's process sees: its settings (Prefect's and greenmfg's), environment and parent."""
    settings = get_settings()
    seen = _process() | {
        "api_url": get_current_settings().api.url,
        "credentials_block": settings.s3_credentials_block,
        "mark": os.environ.get("ENGINE_TEST_MARK"),
        "threads": len(os.listdir("/proc/self/task")),
    }
    Path(out).write_text(json.dumps(seen), encoding="utf-8")
    get_run_logger().info(LOG_LINE)


@flow(name="linger-engine")
def linger(out: str) -> None:
    """Say where it runs, then wait to be cancelled or killed."""
    Path(out).write_text(json.dumps(_process()), encoding="utf-8")
    time.sleep(120)
