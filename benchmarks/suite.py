"""The measurements of one benchmark run: per size, interleaved rounds; memory; local store vs S3."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks import contenders as c
from benchmarks.inputs import ENTERPRISE_TYPE, reference_inputs
from benchmarks.memory import in_subprocess
from benchmarks.stores import MAX_FILE_BYTES, StoreFactory
from benchmarks.timing import Rounds, interleave, timed
from greenmfg.settings import Settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass(frozen=True)
class Mode:
    name: str
    sizes: tuple[int, ...]
    repeat: int
    storage_rows: int | None  # size of the local-vs-S3 comparison (None: skipped)
    memory_repeat: int  # pipeline runs in fresh processes per size for the peak memory (0: skipped)


QUICK = Mode("quick", (100_000, 1_000_000), 3, 100_000, 1)
FULL = Mode("full", (100_000, 1_000_000, 5_000_000), 5, 1_000_000, 3)


def _pipeline_then_noop(run) -> tuple[float, dict[str, Any]]:
    """The pipeline (timed), then in the same store the no-op run as wired, and without the unchanged check
    (load and derive again, then find latest unchanged) for comparison."""
    seconds, details = timed(lambda: c.pipeline(run))
    details["noop_seconds"], noop = timed(lambda: c.noop(run))
    details["noop_stages"] = noop["stages"]
    details["noop_without_check_seconds"], _ = timed(lambda: c.noop_without_check(run))
    return seconds, details


def measure_size(work: Path, rows: int, repeat: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """Floor, simple alternative, pipeline (+ no-op) and validation vs pandas, interleaved, at one size."""
    from benchmarks.validation_bench import run_gx, run_pandas
    from greenmfg.contracts import get_contract
    from greenmfg.parsing import parse_one
    from greenmfg.validation import ValidationConfig, validate

    inputs = reference_inputs(work, rows, log=log)
    plan = c.simple_plan(inputs)
    parsed = parse_one(
        inputs.enterprise[1].read_bytes(),
        inputs.enterprise[1].name,
        filing_type=ENTERPRISE_TYPE,
        settings=Settings(max_file_bytes=MAX_FILE_BYTES),
    )
    schema = get_contract(ENTERPRISE_TYPE).arrow_schema()
    arrow_bytes = pa.Table.from_pandas(parsed.rows[schema.names], schema=schema, preserve_index=False).nbytes
    config = ValidationConfig()
    validate(parsed.rows.head(1000), ENTERPRISE_TYPE, config=config)  # warm-up: GX import and first context

    def validation(fn):
        def contender(_run) -> tuple[float, dict[str, Any]]:
            timed(lambda: None)  # the same collection before as every other contender
            seconds, quarantined = fn(parsed.rows, config)
            return seconds, {"quarantined": sorted(int(r) for r in quarantined)}

        return contender

    contenders = {
        "floor": lambda run: timed(lambda: c.floor(run)),
        "simple": lambda run: timed(lambda: c.simple_alternative(run, plan)),
        "pipeline": _pipeline_then_noop,
        "validation_gx": validation(run_gx),
        "validation_pandas": validation(run_pandas),
    }
    factory = StoreFactory(work)
    log(f"{rows:,} rows: {repeat} interleaved rounds of {', '.join(contenders)}")
    rounds = interleave(contenders, repeat, lambda: factory.round(inputs), log=log)
    _check_agreement(rounds)
    result = summarise_size(rounds, rows, inputs.size_bytes, arrow_bytes)
    return result


def _check_agreement(rounds: Rounds) -> None:
    """The contenders did the same work: same rows accepted, same rows quarantined."""
    simple = {d["accepted"] for d in rounds.details["simple"]}
    pipeline = {d["rows_accepted"] for d in rounds.details["pipeline"]}
    if simple != pipeline:
        raise RuntimeError(f"simple alternative accepted {simple} rows, the pipeline {pipeline}")
    gx = rounds.details["validation_gx"][0]["quarantined"]
    if gx != rounds.details["validation_pandas"][0]["quarantined"]:
        raise RuntimeError("GX and the pandas checks quarantined different rows")


def summarise_size(rounds: Rounds, rows: int, csv_bytes: int, arrow_bytes: int) -> dict[str, Any]:
    stage_names = list(rounds.details["pipeline"][0]["stages"])
    return {
        "rows": rows,
        "csv_bytes": csv_bytes,
        "arrow_bytes": arrow_bytes,
        "repeat": len(rounds.seconds["floor"]),
        "seconds": rounds.seconds,
        "median_seconds": {name: rounds.median(name) for name in rounds.seconds},
        "ratios": {
            "pipeline/floor": rounds.ratio("pipeline", "floor"),
            "pipeline/simple": rounds.ratio("pipeline", "simple"),
            "simple/floor": rounds.ratio("simple", "floor"),
            "validation_gx/validation_pandas": rounds.ratio("validation_gx", "validation_pandas"),
        },
        "pipeline_stage_median_seconds": {
            s: _median([d["stages"].get(s, 0.0) for d in rounds.details["pipeline"]]) for s in stage_names
        },
        "noop_median_seconds": _median([d["noop_seconds"] for d in rounds.details["pipeline"]]),
        "noop_stage_median_seconds": {
            s: _median([d["noop_stages"][s] for d in rounds.details["pipeline"]])
            for s in rounds.details["pipeline"][0]["noop_stages"]
        },
        "noop_without_check_median_seconds": _median(
            [d["noop_without_check_seconds"] for d in rounds.details["pipeline"]]
        ),
        "rows_accepted": rounds.details["pipeline"][0]["rows_accepted"],
        "rows_quarantined_by_validation": len(rounds.details["validation_gx"][0]["quarantined"]),
    }


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def measure_memory(work: Path, rows: int, repeat: int) -> dict[str, Any]:
    """Median peak and baseline over `repeat` fresh processes: a peak varies by a few hundred MiB from run
    to run (reader threads and the Arrow allocator release memory at different moments)."""
    runs = [in_subprocess(work, rows) for _ in range(repeat)]
    return {
        "runs": runs,
        "peak_rss_bytes": _median([r["peak_rss_bytes"] for r in runs]),
        "baseline_rss_bytes": _median([r["baseline_rss_bytes"] for r in runs]),
        "peak_rss_max_bytes": max(r["peak_rss_bytes"] for r in runs),
    }


@contextlib.contextmanager
def seaweedfs() -> Iterator[Any]:
    """A SeaweedFS on loopback for the run, in a temporary state folder removed afterwards."""
    from infra import seaweedfs as infra

    state = Path(tempfile.mkdtemp(prefix="gm-bench-s3-"))
    server = infra.start(state)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(state, ignore_errors=True)


def measure_storage(work: Path, rows: int, repeat: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """Floor and pipeline on a local folder and on SeaweedFS S3, interleaved in the same rounds."""
    inputs = reference_inputs(work, rows, log=log)
    with seaweedfs() as server:
        local, s3 = StoreFactory(work), StoreFactory(work, server)

        @contextlib.contextmanager
        def both() -> Iterator[dict[str, Any]]:
            with local.round(inputs) as on_disk, s3.round(inputs) as on_s3:
                yield {"local": on_disk, "s3": on_s3}

        contenders = {
            "floor_local": lambda runs: timed(lambda: c.floor(runs["local"])),
            "floor_s3": lambda runs: timed(lambda: c.floor(runs["s3"])),
            "pipeline_local": lambda runs: timed(lambda: c.pipeline(runs["local"])),
            "pipeline_s3": lambda runs: timed(lambda: c.pipeline(runs["s3"])),
        }
        log(f"storage at {rows:,} rows: {repeat} interleaved rounds of {', '.join(contenders)}")
        rounds = interleave(contenders, repeat, both, log=log)
    return {
        "rows": rows,
        "repeat": repeat,
        "seconds": rounds.seconds,
        "median_seconds": {name: rounds.median(name) for name in rounds.seconds},
        "ratios": {
            "floor_s3/floor_local": rounds.ratio("floor_s3", "floor_local"),
            "pipeline_s3/pipeline_local": rounds.ratio("pipeline_s3", "pipeline_local"),
        },
        "pipeline_s3_stage_median_seconds": {
            s: _median([d["stages"][s] for d in rounds.details["pipeline_s3"]])
            for s in rounds.details["pipeline_s3"][0]["stages"]
        },
    }
