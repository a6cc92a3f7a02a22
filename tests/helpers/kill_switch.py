"""Count a process's S3 operations and act at the k-th one: SIGKILL itself, or pause for the test.

Installed inside a test subprocess (never in production code): it wraps S3Store's methods, so the crash
points are exact store operations of the real publish or ingestion code running unchanged.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from greenmfg.storage.s3 import S3Store

OPERATIONS = ("read_bytes", "write_bytes", "head", "list", "delete")
KILL_AT = "GREENMFG_TEST_KILL_AT"  # 1-based number of the operation the process dies just before
BUCKETS = "GREENMFG_TEST_BUCKETS"  # comma-separated buckets whose operations are counted (default: all)
KILL_BEFORE_WRITE = "GREENMFG_TEST_KILL_BEFORE_WRITE"  # "<key substring>[#n]": die before the n-th such write
PAUSE_AT = "GREENMFG_TEST_PAUSE_AT"  # number of the write before which the process waits for the test
PAUSE_DIR = "GREENMFG_TEST_PAUSE_DIR"  # folder of the handshake files `paused` and `resume`


class Counter:
    """Operations seen so far on the watched buckets."""

    def __init__(self) -> None:
        self.operations = 0
        self.writes = 0


def install(
    buckets: set[str] | None, on_operation: Callable[[Counter, str, str], None] | None = None
) -> Counter:
    """Wrap every S3Store operation; `on_operation(counter, name, key)` runs before each watched one."""
    counter = Counter()
    for name in OPERATIONS:
        original = getattr(S3Store, name)

        def wrapper(self, *args, _original=original, _name=name, **kwargs):
            if buckets is None or self.bucket in buckets:
                counter.operations += 1
                counter.writes += _name == "write_bytes"
                if on_operation is not None:
                    on_operation(counter, _name, str(args[0]) if args else kwargs.get("key", ""))
            return _original(self, *args, **kwargs)

        setattr(S3Store, name, wrapper)
    return counter


def install_from_env() -> Counter:
    """The switch described by the GREENMFG_TEST_* variables (nothing happens when none is set)."""
    buckets = {b for b in os.environ.get(BUCKETS, "").split(",") if b} or None
    kill_at = int(os.environ[KILL_AT]) if os.environ.get(KILL_AT) else None
    pause_at = int(os.environ[PAUSE_AT]) if os.environ.get(PAUSE_AT) else None
    pause_dir = Path(os.environ.get(PAUSE_DIR, "."))
    pattern, _, nth = os.environ.get(KILL_BEFORE_WRITE, "").partition("#")
    matching = {"writes": 0}

    def act(counter: Counter, name: str, key: str) -> None:
        if kill_at is not None and counter.operations >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if pattern and name == "write_bytes" and pattern in key:
            matching["writes"] += 1
            if matching["writes"] >= int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)
        if pause_at is not None and name == "write_bytes" and counter.writes == pause_at:
            (pause_dir / "paused").touch()
            while not (pause_dir / "resume").exists():
                time.sleep(0.05)

    return install(buckets, act)
