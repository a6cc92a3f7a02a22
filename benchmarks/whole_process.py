"""One enterprise filing, four contenders as whole processes, interleaved: the pipeline's ingest + publish,
the pandas peer, the DuckDB peer and the floor. Before any timing, a round whose outputs are checked: the
peers must accept, quarantine and flag exactly the pipeline's rows and give its energy-intensity figures, on
the filing measured and on a copy of its first rows carrying every kind of fault (benchmarks/faults.py)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from benchmarks import agreement, faults
from benchmarks.inputs import reference_inputs
from benchmarks.processes import (
    ProcessRound,
    ingest_and_publish,
    pipeline_environment,
    prepared_store,
    process_round,
    script,
)
from benchmarks.timing import Rounds, interleave
from greenmfg.storage import local_stores

PEERS = ("pandas", "duckdb")
PEER_SCRIPTS = {"pandas": "pandas_peer", "duckdb": "duckdb_peer"}
FAULTY_ROWS = 2000  # rows of the faulty copy checked before timing


def contenders(filing: Path) -> dict[str, Callable[[ProcessRound], tuple[float, dict[str, Any]]]]:
    def timed(details: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        return details["seconds"], details

    def peer(name: str):
        return lambda run: timed(script(PEER_SCRIPTS[name], [filing], run.out(name), run.logs))

    return {
        "pipeline": lambda run: timed(
            ingest_and_publish([filing], pipeline_environment(run.store), run.logs)
        ),
        **{name: peer(name) for name in PEERS},
        "floor": lambda run: timed(script("floor", [filing], run.out("floor") / "floor.parquet", run.logs)),
    }


def checked_round(work: Path, template: Path, filing: Path) -> dict[str, Any]:
    """Every contender once on `filing` (untimed), then the peers' outputs checked against the pipeline's, and
    the floor's row count against the rows the peers read."""
    with process_round(work, template) as run:
        for contender in contenders(filing).values():
            contender(run)
        checked = {peer: agreement.check(peer, run.out(peer), local_stores(run.store)) for peer in PEERS}
        floor_rows = pq.read_metadata(run.out("floor") / "floor.parquet").num_rows
    if floor_rows != checked["pandas"]["rows"]:
        raise agreement.Disagreement(
            f"{filing}: the floor wrote {floor_rows} rows; the peers read {checked['pandas']['rows']}"
        )
    return checked


def measure(work: Path, rows: int, repeat: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The four contenders at `rows` enterprise rows: checked first, then `repeat` interleaved rounds."""
    inputs = reference_inputs(work, rows, log=log)
    filing = inputs.enterprise[1]
    log(f"{rows:,} rows: a store with the small filings of the year ingested (setup, untimed)")
    template = prepared_store(work, f"template-{rows}", sorted({path.parent for _, path in inputs.others}))
    faulty = work / "faulty" / filing.name
    placed = faults.write_faulty(filing, faulty, min(rows, FAULTY_ROWS))
    log(f"checking the peers against the pipeline: a copy with {len(placed)} kinds of fault, then the filing")
    checks = {
        "faulty": checked_round(work, template, faulty),
        "filing": checked_round(work, template, filing),
    }
    names = list(contenders(filing))
    log(f"{rows:,} rows: {repeat} interleaved rounds of {', '.join(names)} as processes")
    rounds = interleave(contenders(filing), repeat, lambda: process_round(work, template), log=log)
    return summarise(rounds, rows, filing.stat().st_size) | {"checks": checks}


def _peak_ratio(rounds: Rounds, numerator: str, denominator: str) -> float:
    pairs = zip(rounds.details[numerator], rounds.details[denominator], strict=True)
    return statistics.median(n["peak_rss_bytes"] / d["peak_rss_bytes"] for n, d in pairs)


def summarise(rounds: Rounds, rows: int, csv_bytes: int) -> dict[str, Any]:
    names = list(rounds.seconds)
    pipeline = rounds.details["pipeline"]
    return {
        "rows": rows,
        "csv_bytes": csv_bytes,
        "repeat": len(rounds.seconds["pipeline"]),
        "seconds": rounds.seconds,
        "median_seconds": {name: rounds.median(name) for name in names},
        "ratios": {f"pipeline/{n}": rounds.ratio("pipeline", n) for n in names if n != "pipeline"}
        | {f"{p}/floor": rounds.ratio(p, "floor") for p in PEERS},
        "peak_rss_bytes": {
            name: statistics.median(d["peak_rss_bytes"] for d in rounds.details[name]) for name in names
        },
        "peak_ratios": {f"pipeline/{p}": _peak_ratio(rounds, "pipeline", p) for p in PEERS},
        "pipeline_median_seconds": {
            step: statistics.median(d[f"{step}_seconds"] for d in pipeline) for step in ("ingest", "publish")
        },
        "pipeline_peak_rss_bytes": {
            step: statistics.median(d[f"{step}_peak_rss_bytes"] for d in pipeline)
            for step in ("ingest", "publish")
        },
    }
