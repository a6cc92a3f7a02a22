"""A few real reference filings (two years, a small city), generated once per test session."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import uuid
from functools import cache
from pathlib import Path

import pandas as pd

from greenmfg import build, landing_copy, sweep
from greenmfg.ingest import IngestResult
from greenmfg.policy import Policy
from greenmfg.storage import Stores
from helpers.stores import stores_for
from infra.seaweedfs import SeaweedFS

YEARS = (2019, 2020)
ENTERPRISES = 40  # enough for every indicator, small enough to ingest in about a second per filing


@cache
def reference_dir() -> Path:
    from greenmfg.reference import generate

    folder = Path(tempfile.mkdtemp(prefix="greenmfg-reference-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    generate(folder / "filings", years=YEARS, enterprises=ENTERPRISES)
    return folder / "filings"


def landing_files(*, years: tuple[int, ...] = YEARS, corrections: bool = True) -> list[tuple[str, Path]]:
    """(landing key, path) of the reference filings of `years` (names carry the year), in landing order."""
    files = []
    for key, path in landing_copy.landing_files(reference_dir()):
        if any(str(year) in path.name for year in years) and (corrections or "更正" not in path.name):
            files.append((key, path))
    return files


def land_and_ingest(stores: Stores, files: list[tuple[str, Path]]) -> list[IngestResult]:
    """Land each file, then ingest it, one after the other (so landing order is receiving order)."""
    results = []
    for key, path in files:
        stores.landing.write_bytes(key, path.read_bytes())
        results.append(sweep.ingest_landed(stores, key, build_docs=False))
    return results


def derive(stores: Stores, params: Policy | None = None, *, years: tuple[int, ...] | None = None):
    """(datasets, selection, params) as the publish flow builds them, from everything staged or only the
    filings in force for `years`."""
    params = params or Policy()
    selection = build.select_filings(stores)
    if years is not None:
        chosen = {slot: part for slot, part in selection.chosen.items() if slot[1] in years}
        shas = {part.sha256 for part in chosen.values()}
        selection = build.Selection(chosen, [r for r in selection.records if r["sha256"] in shas])
    datasets: dict[str, pd.DataFrame] = build.derive(build.load_inputs(stores, selection), params)
    return datasets, selection, params


_STAGED: dict[tuple[str, tuple[int, ...]], str] = {}
_STAGING_LOCK = threading.Lock()


def staged_prefix(server: SeaweedFS, years: tuple[int, ...] = YEARS) -> str:
    """A key prefix on `server` where the reference filings of `years` are landed and ingested (once per
    session)."""
    with _STAGING_LOCK:
        if (server.endpoint, years) not in _STAGED:
            prefix = f"reference-{'-'.join(map(str, years))}-{uuid.uuid4().hex[:8]}"
            land_and_ingest(stores_for(server, "ingester", prefix), landing_files(years=years))
            _STAGED[server.endpoint, years] = prefix
        return _STAGED[server.endpoint, years]
