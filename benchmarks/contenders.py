"""What is timed in-process: the floor, this pipeline (with its stages) and the no-op run.

Each contender reads the same landed enterprise filing from the same store and writes to that store, so
the store kind (local folder or S3) is part of what every one of them pays. (Whole processes, imports
included, are timed by benchmarks/whole_process.py against the independent peers.)
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from benchmarks.stores import Round
from greenmfg import build
from greenmfg.policy import Policy, load_policy
from greenmfg.sweep import ingest_landed, pending_landings

SCRATCH = "bench/"  # where the floor writes in the staging area


def _read_landed(run: Round) -> pa.BufferReader:
    """The landed object's bytes, fetched whole as the pipeline's sweep fetches them (one GET on S3)."""
    return pa.BufferReader(run.stores.landing.read_bytes(run.inputs.enterprise[0]))


def _write_scratch(run: Round, name: str, table: pa.Table) -> int:
    """Parquet with pyarrow's defaults (as the floor process writes it) to the staging area."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    run.stores.staging.write_bytes(SCRATCH + name, data)
    return len(data)


# ------------------------------------------------------------------ floor


def floor(run: Round) -> dict[str, Any]:
    """pyarrow reads the CSV and writes it as Parquet to the same store: the least any pipeline does."""
    with _read_landed(run) as stream:
        table = pacsv.read_csv(stream)
    return {"rows": table.num_rows, "parquet_bytes": _write_scratch(run, "floor.parquet", table)}


# ------------------------------------------------------------------ this pipeline


# (module, attribute, stage): the pipeline's own functions, wrapped with a clock for one run.
STAGE_HOOKS = (
    ("greenmfg.archive", "archive_filing", "archive"),
    ("greenmfg.parsing", "parse", "parse"),
    ("greenmfg.validation", "validate", "validate"),
    ("greenmfg.validation", "write_outputs", "validation_outputs"),
    ("greenmfg.ingest", "_stage", "stage_parquet"),
)


def missing_hooks() -> list[str]:
    """Hooked functions the core no longer has (their stages go unmeasured)."""
    return [f"{m}.{a}" for m, a, _ in STAGE_HOOKS if getattr(importlib.import_module(m), a, None) is None]


@contextmanager
def stage_clock() -> Iterator[dict[str, float]]:
    """Seconds spent inside each hooked pipeline function while the block runs (the real calls, timed).

    A hook whose function no longer exists (the core is being reshaped) is skipped, and its stage is missing
    from the results (`missing_hooks` names it) rather than stopping the benchmark."""
    spent: dict[str, float] = {}
    saved = []
    for module_name, attribute, stage in STAGE_HOOKS:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute, None)
        if original is None:
            continue
        saved.append((module, attribute, original))

        def clocked(*args, __original=original, __stage=stage, **kwargs):
            start = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                spent[__stage] = spent.get(__stage, 0.0) + time.perf_counter() - start

        setattr(module, attribute, clocked)
    try:
        yield spent
    finally:
        for module, attribute, original in saved:
            setattr(module, attribute, original)


def pipeline(run: Round, *, build_docs: bool = False) -> dict[str, Any]:
    """sweep → ingest (archive, parse, validate, stage) → select, load, derive → publish; core calls only,
    as the sweep-landing and publish-indicators flows make them, without a Prefect server. No Data Docs by
    default, as `greenmfg ingest` (whose process time these stages explain) builds none unless asked."""
    params = load_policy(run.settings)
    stages: dict[str, float] = {}
    with stage_clock() as spent:
        start = time.perf_counter()
        pending = pending_landings(run.stores)
        stages["sweep_list"] = time.perf_counter() - start
        mark = time.perf_counter()
        results = [
            ingest_landed(run.stores, info.key, settings=run.settings, build_docs=build_docs)
            for info in pending
        ]
        stages["ingest"] = time.perf_counter() - mark
    stages.update(spent)
    published = _publish(run, params, stages)
    statuses = sorted({r.status for r in results})
    if statuses != ["accepted"] or not published["is_new"]:
        raise RuntimeError(f"pipeline run did not ingest and publish: statuses {statuses}, {published}")
    rows_accepted = sum(p.rows_accepted for r in results for p in r.parts)
    return {"stages": stages, "rows_accepted": rows_accepted, "missing_stages": missing_hooks()}


def _publish(run: Round, params: Policy, stages: dict[str, float]):
    """The publish-indicators flow's calls: select, unchanged check, load, derive, publish, report."""
    from greenmfg.report import publish_report

    mark = time.perf_counter()
    selection = build.select_filings(run.stores)
    unchanged = build.unchanged_snapshot(run.stores, selection, params)
    stages["select_check"] = time.perf_counter() - mark
    if unchanged is not None:
        return unchanged
    mark = time.perf_counter()
    inputs = build.load_inputs(run.stores, selection)
    stages["load"] = time.perf_counter() - mark
    mark = time.perf_counter()
    datasets = build.derive(inputs, params)
    stages["derive"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result = build.publish(run.stores, datasets, selection, params)
    stages["publish"] = time.perf_counter() - mark
    mark = time.perf_counter()
    publish_report(run.stores, result.snapshot_id)
    stages["report"] = time.perf_counter() - mark
    return result.to_dict()


def noop(run: Round) -> dict[str, Any]:
    """The pipeline again with nothing new landed, as the flows run it: the sweep finds nothing pending and
    publish-indicators finds latest built from the same filings (greenmfg.build.unchanged_snapshot)."""
    params = load_policy(run.settings)
    stages: dict[str, float] = {}
    start = time.perf_counter()
    pending = pending_landings(run.stores)
    stages["sweep_list"] = time.perf_counter() - start
    if pending:
        raise RuntimeError(f"no-op run found pending landings: {[p.key for p in pending]}")
    if _publish(run, params, stages)["is_new"]:
        raise RuntimeError("no-op run published a new snapshot")
    return {"stages": stages}


def noop_without_check(run: Round) -> dict[str, Any]:
    """For comparison: the no-op run without the unchanged check (load, derive, then publish finds latest
    unchanged), as the flow ran before the check was wired in."""
    params = load_policy(run.settings)
    if pending_landings(run.stores):
        raise RuntimeError("no-op run found pending landings")
    selection = build.select_filings(run.stores)
    datasets = build.derive(build.load_inputs(run.stores, selection), params)
    if build.publish(run.stores, datasets, selection, params).is_new:
        raise RuntimeError("no-op run without the check published a new snapshot")
    return {}
