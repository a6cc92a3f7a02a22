"""A warm Prefect task worker for one role: the event-driven path runs its work here, without a process start.

A process work pool starts a fresh Python for every flow run, and importing Prefect, pandas and Great
Expectations costs that run ~10 s before it reads a byte. A task worker imports them once, then waits on the
server's websocket for deferred runs of its tasks (tasks/deferred.py), so a landed filing is validated and
published in the time the work itself takes.

    python -m infra.task_worker ingester|publisher [--status-port PORT]

One process per role, each with that role's credentials in its environment (the stack sets them): the
ingester runs ingest-landed-object, the publisher the publish-indicators flow. Each runs one task at a time
(Great Expectations' cached context is not shared across threads, and snapshots are committed one after
another); start more processes of a role to take more at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
from pathlib import Path

from infra.ports import answers

ROLES = ("ingester", "publisher")
# The warm-up's filings: one type landed as CSV and as a workbook, from a small generated city.
REHEARSAL_FILING_TYPE = "green_loans"
REHEARSAL_ENTERPRISES = 40
REHEARSAL_YEARS = (2017, 2019)


def warm_up(role: str) -> None:
    """Pay the slow first call now, before the first filing lands.

    The ingester rehearses a whole ingest (CSV and workbook parsing, validation, Data Docs, staging) on
    small generated filings in a throwaway local store; the publisher imports what publishing uses. Both
    open their stores (botocore loads its service models once per process) and Prefect's run engines.
    """
    import fastapi.encoders  # noqa: F401 - Prefect serialises a subflow's parameters with it
    import prefect.concurrency.sync
    import prefect.flow_engine
    import prefect.task_engine
    import prefect.utilities.visualization  # noqa: F401

    from greenmfg.storage import open_stores

    open_stores()
    if role == "ingester":
        _rehearse_ingest()
    else:
        import greenmfg.build
        import greenmfg.indicators
        import greenmfg.report  # noqa: F401


def _rehearse_ingest() -> None:
    from greenmfg import sweep
    from greenmfg.reference import generate
    from greenmfg.settings import AREAS
    from greenmfg.storage import Stores
    from greenmfg.storage.local import LocalStore

    with tempfile.TemporaryDirectory(prefix="greenmfg-warm-up-") as scratch:
        folder = Path(scratch)
        generate(folder / "reference", enterprises=REHEARSAL_ENTERPRISES, years=REHEARSAL_YEARS)
        stores = Stores(**{area: LocalStore(folder / area) for area in AREAS})
        for path in sorted((folder / "reference" / REHEARSAL_FILING_TYPE).iterdir()):
            key = f"{REHEARSAL_FILING_TYPE}/{path.name}"
            stores.landing.write_bytes(key, path.read_bytes())
            sweep.ingest_landed(stores, key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--status-port", type=int, help="serve GET /status on 127.0.0.1:PORT")
    args = parser.parse_args(argv)
    from prefect.task_worker import aserve

    from tasks.deferred import SERVED

    served = SERVED[args.role]
    warm_up(args.role)
    # aserve in our own loop: the synchronous serve() with a status port fails in Prefect 3.9 (uvicorn's
    # logging setup flushes Prefect's API log handler from its global loop).
    asyncio.run(_serve_until_terminated(aserve(*served, limit=1, status_server_port=args.status_port), args))
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=5)  # the task runs' last events reach the server before we exit
    return 0


async def _serve_until_terminated(serving, args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT, then stop at once (`greenmfg stack down` stops the flow runs first).

    The status server (uvicorn) takes over both signals when it starts and only ends itself on them, which
    left the worker running until it was killed; so once it answers, our handler replaces its.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(serving)

    def stop(*_: object) -> None:
        loop.call_soon_threadsafe(task.cancel)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    if args.status_port is not None:
        url = f"http://127.0.0.1:{args.status_port}/status"
        while not task.done() and not await asyncio.to_thread(answers, url):
            await asyncio.sleep(0.2)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
    with contextlib.suppress(asyncio.CancelledError):
        await task


if __name__ == "__main__":
    sys.exit(main())
