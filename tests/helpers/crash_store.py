"""Store wrappers that stop the caller at its k-th store operation, for in-process crash and race tests.

Each area of a Stores is wrapped with one shared counter; before the k-th operation (read, write, head, list,
delete, or opening the area's Arrow filesystem) the wrapper acts:
  - `crashing`: raises SimulatedCrash, a BaseException, so no `except Exception` of the code under test can
    swallow it — the call stops there, as a killed process would; a "restart" is the same call again with
    the unwrapped stores (tests/helpers/kill_switch.py does this with a real SIGKILL, for S3 only);
  - `pausing`: says so, and waits until told to go on, so another thread can act in between.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyarrow.fs as pafs

from greenmfg.storage import ObjectInfo, ObjectStore, Stores

PAUSE_TIMEOUT_SECONDS = 300


class SimulatedCrash(BaseException):
    """The process stopped before a store operation; nothing after it ran (not an Exception: no handler of
    the code under test may catch it)."""


class Countdown:
    """Operations seen so far over the wrapped areas; `reach(where)` runs before the `at`-th one."""

    def __init__(self, at: int, reach: Callable[[str], None]) -> None:
        self.at, self.reach = at, reach
        self.operations = 0
        self.reached: str | None = None
        self._lock = threading.Lock()

    def tick(self, area: str, operation: str, key: str) -> None:
        with self._lock:
            self.operations += 1
            if self.operations != self.at:
                return
            self.reached = f"operation {self.operations}: {operation} {area}/{key}"
        self.reach(self.reached)


class CountingStore(ObjectStore):
    """One area, delegating to `inner`, each operation counted first."""

    def __init__(self, inner: ObjectStore, area: str, countdown: Countdown) -> None:
        self.inner, self.area, self.countdown = inner, area, countdown
        self.url = inner.url

    def read_bytes(self, key: str) -> bytes:
        self.countdown.tick(self.area, "read", key)
        return self.inner.read_bytes(key)

    def write_bytes(
        self, key: str, data: bytes, *, if_absent: bool = False, if_match: str | None = None
    ) -> str:
        self.countdown.tick(self.area, "write", key)
        return self.inner.write_bytes(key, data, if_absent=if_absent, if_match=if_match)

    def head(self, key: str) -> ObjectInfo | None:
        self.countdown.tick(self.area, "head", key)
        return self.inner.head(key)

    def list(self, prefix: str = "") -> list[ObjectInfo]:
        self.countdown.tick(self.area, "list", prefix)
        return self.inner.list(prefix)

    def delete(self, key: str) -> None:
        self.countdown.tick(self.area, "delete", key)
        self.inner.delete(key)

    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        self.countdown.tick(self.area, "arrow filesystem", "")
        return self.inner.arrow_filesystem()


def _wrapped(stores: Stores, countdown: Countdown) -> Stores:
    areas = ("landing", "raw", "staging", "published")
    return Stores(**{area: CountingStore(getattr(stores, area), area, countdown) for area in areas})


def crashing(stores: Stores, crash_at: int) -> tuple[Stores, Countdown]:
    """`stores` whose `crash_at`-th operation (1-based, over all four areas) raises SimulatedCrash."""

    def crash(where: str) -> None:
        raise SimulatedCrash(where)

    countdown = Countdown(crash_at, crash)
    return _wrapped(stores, countdown), countdown


def pausing(
    stores: Stores, pause_at: int, paused: threading.Event, resume: threading.Event
) -> tuple[Stores, Countdown]:
    """`stores` that set `paused` before their `pause_at`-th operation and wait there for `resume`."""

    def pause(where: str) -> None:
        paused.set()
        if not resume.wait(PAUSE_TIMEOUT_SECONDS):
            raise TimeoutError(f"paused at {where} for {PAUSE_TIMEOUT_SECONDS} s: nobody said to go on")

    countdown = Countdown(pause_at, pause)
    return _wrapped(stores, countdown), countdown
