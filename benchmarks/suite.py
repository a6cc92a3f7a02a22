"""The in-process measurements of one benchmark run: the pipeline's own stages, GX validation against the same
checks in plain pandas, the no-op run, and a local store against S3. (Whole processes: whole_process.py and
small_filings.py; the run's plan: modes.py.)"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import contenders as c
from benchmarks.inputs import ENTERPRISE_TYPE, reference_inputs
from benchmarks.stores import MAX_FILE_BYTES, StoreFactory
from benchmarks.timing import Rounds, interleave, timed
from greenmfg.settings import Settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _pipeline_then_noop(run) -> tuple[float, dict[str, Any]]:
    """The pipeline (timed), then in the same store the no-op run as wired, and without the unchanged check
    (load and derive again, then find latest unchanged) for comparison."""
    seconds, details = timed(lambda: c.pipeline(run))
    details["noop_seconds"], noop = timed(lambda: c.noop(run))
    details["noop_stages"] = noop["stages"]
    details["noop_without_check_seconds"], _ = timed(lambda: c.noop_without_check(run))
    return seconds, details


def measure_stages(work: Path, rows: int, repeat: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The pipeline in-process with a clock on its stages (+ no-op), and GX validation vs the same checks in
    plain pandas on the same parsed rows, interleaved, at one size."""
    from benchmarks.validation_bench import run_gx, run_pandas
    from greenmfg.parsing import parse_one
    from greenmfg.validation import ValidationConfig, validate

    inputs = reference_inputs(work, rows, log=log)
    parsed = parse_one(
        inputs.enterprise[1].read_bytes(),
        inputs.enterprise[1].name,
        filing_type=ENTERPRISE_TYPE,
        settings=Settings(max_file_bytes=MAX_FILE_BYTES),
    )
    config = ValidationConfig()
    validate(parsed.rows.head(1000), ENTERPRISE_TYPE, config=config)  # warm-up: GX import and first context

    def validation(fn):
        def contender(_run) -> tuple[float, dict[str, Any]]:
            timed(lambda: None)  # the same collection before as every other contender
            seconds, quarantined = fn(parsed.rows, config)
            return seconds, {"quarantined": sorted(int(r) for r in quarantined)}

        return contender

    contenders = {
        "pipeline": _pipeline_then_noop,
        "validation_gx": validation(run_gx),
        "validation_pandas": validation(run_pandas),
    }
    factory = StoreFactory(work)
    log(f"{rows:,} rows in-process: {repeat} interleaved rounds of {', '.join(contenders)}")
    rounds = interleave(contenders, repeat, lambda: factory.round(inputs), log=log)
    _check_agreement(rounds)
    return summarise_stages(rounds, rows)


def _check_agreement(rounds: Rounds) -> None:
    """GX and the plain pandas checks quarantined the same rows."""
    gx = rounds.details["validation_gx"][0]["quarantined"]
    if gx != rounds.details["validation_pandas"][0]["quarantined"]:
        raise RuntimeError("GX and the pandas checks quarantined different rows")


def summarise_stages(rounds: Rounds, rows: int) -> dict[str, Any]:
    pipeline = rounds.details["pipeline"]
    stage_names = list(dict.fromkeys(s for d in pipeline for s in d["stages"]))
    return {
        "rows": rows,
        "repeat": len(rounds.seconds["pipeline"]),
        "seconds": rounds.seconds,
        "median_seconds": {name: rounds.median(name) for name in rounds.seconds},
        "ratios": {"validation_gx/validation_pandas": rounds.ratio("validation_gx", "validation_pandas")},
        "pipeline_stage_median_seconds": {
            s: statistics.median(d["stages"].get(s, 0.0) for d in pipeline) for s in stage_names
        },
        "missing_stages": pipeline[0].get("missing_stages", []),
        "noop_median_seconds": statistics.median(d["noop_seconds"] for d in pipeline),
        "noop_stage_median_seconds": {
            s: statistics.median(d["noop_stages"][s] for d in pipeline) for s in pipeline[0]["noop_stages"]
        },
        "noop_without_check_median_seconds": statistics.median(
            d["noop_without_check_seconds"] for d in pipeline
        ),
        "rows_accepted": pipeline[0]["rows_accepted"],
        "rows_quarantined_by_validation": len(rounds.details["validation_gx"][0]["quarantined"]),
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
            s: statistics.median(d["stages"][s] for d in rounds.details["pipeline_s3"])
            for s in rounds.details["pipeline_s3"][0]["stages"]
        },
    }
