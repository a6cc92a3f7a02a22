"""The only door to Great Expectations: a cached in-memory context, suites from JSON, runs on DataFrames.

GX is imported lazily (it takes seconds), with its analytics and progress bars off.
"""

from __future__ import annotations

import os
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


@cache
def _batch_definition():
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
