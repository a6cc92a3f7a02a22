"""The only door to Great Expectations: a cached in-memory context, suites from JSON, runs on DataFrames.

GX is imported lazily (it takes seconds), with its analytics and progress bars off.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import pandas as pd

# Cheap result formats for the first pass; row indices only for expectations that failed.
BOOLEAN_ONLY: dict[str, Any] = {"result_format": "BOOLEAN_ONLY"}
SUMMARY: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
COMPLETE: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}


def gx_module():
    """great_expectations, imported on first use with analytics disabled."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory batch under 1 GB by hashing all its values (seconds on a million
    # rows). The fingerprint is only batch metadata, which we drop anyway: skip it.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return great_expectations


_CONTEXT_LOCK = threading.Lock()  # the context is built once, whichever thread asks first


def _batch_definition():
    with _CONTEXT_LOCK:
        return _build_batch_definition()


@cache
def _build_batch_definition():
    gx = gx_module()
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    # In memory, and without the temporary docs site GX's default ephemeral context creates in /tmp.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    asset = context.data_sources.add_pandas("greenmfg").add_dataframe_asset("canonical_rows")
    return asset.add_batch_definition_whole_dataframe("whole_filing")


def warm_up() -> None:
    """Import GX and build the context now: a long-lived worker pays this once, not on its first filing."""
    _batch_definition()


def warm_up_in_background() -> threading.Thread:
    """Start importing GX on another thread while this one reads a filing: the import is seconds of Python,
    the reading mostly Arrow code that runs outside the interpreter lock, so the two overlap on two cores.
    The first validation then waits for the context only as long as the import still has to run."""
    thread = threading.Thread(target=_batch_definition, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def build_suite(name: str, expectations: list[dict[str, Any]]):
    """A GX ExpectationSuite from expectation JSON dicts (type, kwargs, meta)."""
    gx = gx_module()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return gx.ExpectationSuite(
        name=name,
        expectations=[ExpectationConfiguration(**e).to_domain_obj() for e in expectations],
    )


def run(name: str, expectations: list[dict[str, Any]], frame: pd.DataFrame, result_format: dict[str, Any]):
    """Validate `frame` against the expectations; returns GX's ExpectationSuiteValidationResult."""
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(build_suite(name, expectations), result_format=result_format)


# From this many rows on, a batch per column beats one batch of the whole frame. Measured on parsed reference
# enterprise rows (docs/benchmarks.md): 2,000 rows 0.27 s in one batch vs 0.36 s per column, 100,000 rows
# 0.44 s either way, 1,000,000 rows 2.51 s vs 1.21 s.
COLUMN_BATCHES_FROM_ROWS = 100_000


def run_by_column(
    name: str, expectations: list[dict[str, Any]], frame: pd.DataFrame, result_format: dict[str, Any]
):
    """The same validation as `run`, one GX batch per column (the expectations on it, the column alone).

    GX's pandas engine works over the whole batch frame for every metric it computes, so its cost grows with
    the frame's width: on a million rows, 39 column expectations over a 39-column frame took 1.7 s, each
    column alone 0.7 s in all (docs/benchmarks.md). Below COLUMN_BATCHES_FROM_ROWS rows one batch is quicker:
    every GX run has a fixed cost, and a small filing would pay it per column. The results are GX's, merged
    into one suite result either way.
    """
    if len(frame) < COLUMN_BATCHES_FROM_ROWS:  # every GX run has a fixed cost, whatever its size
        return merge_results(name, [run(name, expectations, frame, result_format)])
    groups: dict[str, list[dict[str, Any]]] = {}
    for expectation in expectations:
        groups.setdefault(expectation["kwargs"]["column"], []).append(expectation)
    results = [run(name, group, frame[[column]], result_format) for column, group in groups.items()]
    return merge_results(name, results)


def merge_results(name: str, results: list[Any]):
    """One suite result of several runs (passes or columns), without wall-clock values."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.validator.validation_statistics import calc_validation_statistics

    merged = [r for result in results for r in result.results]
    stats = calc_validation_statistics(merged)
    meta = dict(results[0].meta) if results else {}
    meta["batch_markers"] = {}
    meta.pop("validation_time", None)
    meta.pop("run_id", None)
    return ExpectationSuiteValidationResult(
        success=stats.success,
        results=merged,
        suite_name=name,
        meta=meta,
        statistics={
            "evaluated_expectations": stats.evaluated_expectations,
            "successful_expectations": stats.successful_expectations,
            "unsuccessful_expectations": stats.unsuccessful_expectations,
            "success_percent": stats.success_percent,
        },
    )
