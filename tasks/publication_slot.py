"""One publication at a time, whichever path commits it: a pool's flow run, a task worker, the CLI.

Snapshots are committed optimistically (a lost commit race is retried), but two publications racing can
still let the one that read fewer filings commit last. On a Prefect server they share the global
concurrency limit PUBLICATION_LIMIT (created with one slot by infra/deploy.py); the embedded default runs
one process with no one to race, so there is nothing to hold.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from prefect.concurrency.sync import concurrency
from prefect.settings import get_current_settings

PUBLICATION_LIMIT = "greenmfg-publication"


def publication_slot() -> AbstractContextManager:
    """Hold the publication slot for the body of a `with` (waits while another publication holds it)."""
    if get_current_settings().api.url is None:
        return nullcontext()
    return concurrency(PUBLICATION_LIMIT, occupy=1, strict=False)
