"""Write a validation's outputs to the staging store: quarantine Parquet, summary JSON, GX results, Data Docs.

Data Docs are built by a file-backed GX context in a temporary working folder that is removed afterwards;
only the generated site is uploaded. No wall-clock value is written: the GX run time is fixed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow as pa

from greenmfg.parquet import parquet_bytes
from greenmfg.storage import ObjectStore, keys
from greenmfg.validation import gx
from greenmfg.validation.outcome import ValidationOutcome

# GX wants a run time; a fixed one keeps the outputs reproducible (the archive records when a run happened).
_RUN_TIME = "2000-01-01T00:00:00+00:00"


# GX's fonts and images are ~4 MB per site; pages render without them, so they are not copied per filing.
_SKIPPED_STATIC = ("static/fonts/", "static/images/")


def _is_bulky_static(path: Path, site: Path) -> bool:
    return path.relative_to(site).as_posix().startswith(_SKIPPED_STATIC)


def quarantine_parquet(outcome: ValidationOutcome) -> bytes:
    """The quarantine table as Parquet bytes, strings and a nullable source row, stable across runs."""
    table = pa.Table.from_pandas(outcome.quarantine, preserve_index=False)
    table = table.replace_schema_metadata({"filing_type": outcome.filing_type})
    return parquet_bytes(table)


def write_outputs(
    staging: ObjectStore,
    filing_type: str,
    sha256: str,
    outcome: ValidationOutcome,
    *,
    build_docs: bool = False,
) -> dict[str, str]:
    """Write every output of one validation and return their keys (quarantine, summary, gx_result, docs)."""
    written = {
        "quarantine": keys.quarantine(filing_type, sha256),
        "summary": keys.validation_summary(filing_type, sha256),
    }
    staging.write_bytes(written["quarantine"], quarantine_parquet(outcome))
    staging.write_bytes(written["summary"], outcome.summary.to_json().encode("utf-8"))
    if outcome.gx_result is not None:
        written["gx_result"] = keys.validation_gx_result(filing_type, sha256)
        body = json.dumps(outcome.gx_result.to_json_dict(), ensure_ascii=False, indent=1, default=str)
        staging.write_bytes(written["gx_result"], body.encode("utf-8"))
        if build_docs:
            written["data_docs"] = upload_data_docs(staging, filing_type, sha256, outcome)
    return written


def upload_data_docs(staging: ObjectStore, filing_type: str, sha256: str, outcome: ValidationOutcome) -> str:
    """Build Data Docs in a temporary file context, upload the site and return the key of its index."""
    from greenmfg.validation.suites import suite_dict

    great_expectations = gx.gx_module()
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    prefix = keys.data_docs_prefix(filing_type, sha256)
    with tempfile.TemporaryDirectory(prefix="greenmfg-gx-") as workdir:
        context = great_expectations.get_context(mode="file", project_root_dir=workdir)
        context.variables.progress_bars = {"globally": False}
        suite = suite_dict(filing_type)
        context.suites.add(gx.build_suite(filing_type, suite["expectations"]))
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=filing_type),
            run_id=RunIdentifier(run_name=sha256[:12], run_time=_RUN_TIME),
            batch_identifier=sha256[:12],
        )
        context.validation_results_store.set(key, outcome.gx_result)
        context.build_data_docs()
        site = Path(workdir) / "gx" / "uncommitted" / "data_docs" / "local_site"
        for path in sorted(p for p in site.rglob("*") if p.is_file() and not _is_bulky_static(p, site)):
            staging.write_bytes(prefix + path.relative_to(site).as_posix(), path.read_bytes())
    return prefix + "index.html"
