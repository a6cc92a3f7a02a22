"""Test subprocess: the real `greenmfg` command line, with the kill switch's pause (so the test can stop the
object store at a chosen write) and a log of every attempt of the publish task (to see its retries).

Usage: python tests/helpers/cli_under_outage.py ARGS...   (the same ARGS as `greenmfg ARGS...`)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from greenmfg import publication  # noqa: E402
from greenmfg.cli import main  # noqa: E402
from helpers import kill_switch  # noqa: E402

ATTEMPTS = "GREENMFG_TEST_ATTEMPTS"  # file that gets one line (a monotonic time) per publish attempt


def log_attempts(path: Path) -> None:
    """Wrap publication.publish_in_force (looked up at call time by the publish task) to note when each
    attempt of the task starts."""
    publish = publication.publish_in_force

    def noted(*args, **kwargs):
        with path.open("a") as handle:
            handle.write(f"{time.monotonic()}\n")
        return publish(*args, **kwargs)

    publication.publish_in_force = noted


if __name__ == "__main__":
    kill_switch.install_from_env()
    if os.environ.get(ATTEMPTS):
        log_attempts(Path(os.environ[ATTEMPTS]))
    sys.exit(main(sys.argv[1:]))
