"""One publication at a time among the flows: a pool's flow run, a task worker.

Correctness does not depend on it: a commit is compare-and-swap on its parent, and a publication that loses
the race selects and derives again (greenmfg/publication.py), with or without Prefect. The slot only saves
that wasted work: on a Prefect server the flows share the global concurrency limit PUBLICATION_LIMIT
(created with one slot by infra/deploy.py); the embedded default runs one process, so there is nothing to
hold.
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
