"""Rows staged earlier in this process, handed to derive without reading them back from the store.

`greenmfg run` (the main-job flow) ingests and then publishes in one process: the accepted rows it has just
written as staged Parquet are the rows the publication loads. Inside `handing_over()`, staging remembers
each staged table with the etag its write returned, and loading a staged part takes the remembered table
while the stored object still has that etag (a reparse by another process replaces the object, and then it
is read again). Outside that scope nothing is kept: a long-lived ingester worker never publishes, so it
would only hold memory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyarrow as pa

from greenmfg.storage import ObjectStore

# Tables beyond this many bytes in one scope are not kept (read back instead): a bound on what a run of
# many large filings holds between ingesting and publishing.
MAX_HELD_BYTES = 2 * 1024**3


@dataclass
class _Held:
    max_bytes: int
    tables: dict[str, tuple[str, pa.Table]] = field(default_factory=dict)
    held_bytes: int = 0


_lock = threading.Lock()
_scope: _Held | None = None


@contextmanager
def handing_over(max_bytes: int = MAX_HELD_BYTES) -> Iterator[None]:
    """Within this block (one per process at a time), staged tables are handed over to the loads."""
    global _scope
    with _lock:
        outer, _scope = _scope, _scope or _Held(max_bytes)
    try:
        yield
    finally:
        with _lock:
            _scope = outer


def remember(store: ObjectStore, key: str, etag: str, table: pa.Table) -> None:
    """Keep `table`, just written to `key` with `etag`, for a load in this scope (no-op outside one)."""
    with _lock:
        if _scope is None:
            return
        address = store.uri(key)
        previous = _scope.tables.pop(address, None)
        if previous is not None:
            _scope.held_bytes -= previous[1].nbytes
        if _scope.held_bytes + table.nbytes <= _scope.max_bytes:
            _scope.tables[address] = (etag, table)
            _scope.held_bytes += table.nbytes


def recall(store: ObjectStore, key: str) -> pa.Table | None:
    """The table remembered for `key` if the stored object is still the one written, else None."""
    with _lock:
        held = None if _scope is None else _scope.tables.get(store.uri(key))
    if held is None:
        return None
    info = store.head(key)
    return held[1] if info is not None and info.etag == held[0] else None
