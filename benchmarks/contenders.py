"""What is timed: the floor, the simple pandas alternative, this pipeline (with its stages) and the no-op run.

Each contender reads the same landed enterprise filing from the same store and writes to that store, so
the store kind (local folder or S3) is part of what every one of them pays.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from benchmarks.inputs import ENTERPRISE_TYPE, YEAR, Inputs
from benchmarks.stores import Round
from greenmfg import build, codes
from greenmfg.cities import selected
from greenmfg.contracts import get_contract
from greenmfg.ingest import parquet_bytes
from greenmfg.policy import Policy, load_policy
from greenmfg.standard_coal import tce_per_canonical_unit
from greenmfg.sweep import ingest_landed, pending_landings

SCRATCH = "bench/"  # where the floor and the simple alternative write in the staging area


def _read_landed(run: Round) -> pa.BufferReader:
    """The landed object's bytes, fetched whole as the pipeline's sweep fetches them (one GET on S3)."""
    return pa.BufferReader(run.stores.landing.read_bytes(run.inputs.enterprise[0]))


def _write_scratch(run: Round, name: str, table: pa.Table) -> int:
    """Parquet with the pipeline's own options (zstd, 256k-row groups) to the staging area."""
    data = parquet_bytes(table)
    run.stores.staging.write_bytes(SCRATCH + name, data)
    return len(data)


# ------------------------------------------------------------------ floor


def floor(run: Round) -> dict[str, Any]:
    """pyarrow reads the CSV and writes it as Parquet to the same store: the least any pipeline does."""
    with _read_landed(run) as stream:
        table = pacsv.read_csv(stream)
    return {"rows": table.num_rows, "parquet_bytes": _write_scratch(run, "floor.parquet", table)}


# ------------------------------------------------------------------ simple alternative


@dataclass(frozen=True)
class SimplePlan:
    """What a hand-written script would hard-code: header renames, unit factors, code maps, dtypes."""

    rename: dict[str, str]
    divisors: dict[str, float]  # 千元 → 万元 is ÷ 10, as the parser does it
    code_maps: dict[str, dict[str, str]]  # label or alias → code, per coded column
    read_dtypes: dict[str, str]


def simple_plan(inputs: Inputs) -> SimplePlan:
    """Taken once, untimed, from how the parser reads the first rows of the same file."""
    from greenmfg.parsing import parse_one

    path = inputs.enterprise[1]
    with open(path, "rb") as handle:
        head = b"".join(line for _, line in zip(range(200), handle, strict=False))
    parsed = parse_one(head, path.name, filing_type=ENTERPRISE_TYPE)
    contract = get_contract(ENTERPRISE_TYPE)
    text_columns = {c.name for c in contract.columns if c.dtype == "string" or c.dtype == "bool"}
    code_maps = {c.name: dict(codes.aliases(c.codes)) for c in contract.columns if c.codes}
    code_maps["district_code"].update(selected().district_aliases())
    return SimplePlan(
        rename=dict(parsed.column_mapping),
        divisors={c: round(1 / f) for c, (_, f) in parsed.unit_conversions.items() if f != 1.0},
        code_maps=code_maps,
        read_dtypes={raw: "string" for raw, c in parsed.column_mapping.items() if c in text_columns},
    )


def simple_alternative(run: Round, plan: SimplePlan) -> dict[str, Any]:
    """pandas read_csv, the same checks vectorised, the energy-intensity arithmetic, to_parquet."""
    from greenmfg.validation.plain import accepted_rows, offending_positions

    contract = get_contract(ENTERPRISE_TYPE)
    with _read_landed(run) as stream:
        frame = pd.read_csv(stream, dtype=plan.read_dtypes)
    frame = frame.rename(columns=plan.rename)
    for column, divisor in plan.divisors.items():
        frame[column] = frame[column] / divisor
    frame["year"] = YEAR
    for column, mapping in plan.code_maps.items():
        frame[column] = frame[column].map(mapping).fillna(frame[column])
    frame["is_above_size"] = frame["is_above_size"].map({"是": True, "否": False})
    frame["industry_division"] = frame["industry_code"].str.slice(0, 2)
    frame["source_sha256"] = "0" * 64
    frame["source_row"] = np.arange(2, len(frame) + 2)
    frame["inferred_values"] = pd.NA
    frame = frame.astype(contract.pandas_dtypes())
    found = offending_positions(frame, ENTERPRISE_TYPE)
    accepted = accepted_rows(frame, ENTERPRISE_TYPE, found)
    indicator = energy_intensity(accepted)
    _write_scratch(run, "simple_rows.parquet", pa.Table.from_pandas(accepted, preserve_index=False))
    _write_scratch(run, "simple_indicator.parquet", pa.Table.from_pandas(indicator, preserve_index=False))
    return {"rows": len(frame), "accepted": len(accepted), "indicator_rows": len(indicator)}


def energy_intensity(rows: pd.DataFrame) -> pd.DataFrame:
    """tce from energy by type × standard-coal factors, summed by district and division, / value added."""
    from greenmfg.indicators.energy import ENERGY_COLUMNS

    factors = tce_per_canonical_unit(Policy(), YEAR)
    counted = rows[rows["is_above_size"].fillna(False) & rows["value_added_10k_yuan"].notna()]
    quantities = counted[list(ENERGY_COLUMNS)].astype("float64").fillna(0.0).to_numpy()
    energy = quantities @ np.array([factors[c] for c in ENERGY_COLUMNS])
    sums = (
        counted.assign(energy_tce=energy, enterprises=1)
        .groupby(["year", "district_code", "industry_division"], observed=True)[
            ["enterprises", "energy_tce", "value_added_10k_yuan"]
        ]
        .sum()
        .reset_index()
    )
    sums["energy_per_10k_yuan_value_added"] = sums["energy_tce"] / sums["value_added_10k_yuan"]
    return sums


# ------------------------------------------------------------------ this pipeline


# (module, attribute, stage): the pipeline's own functions, wrapped with a clock for one run.
STAGE_HOOKS = (
    ("greenmfg.archive", "archive_filing", "archive"),
    ("greenmfg.parsing", "parse", "parse"),
    ("greenmfg.validation", "validate", "validate"),
    ("greenmfg.validation", "write_outputs", "validation_outputs"),
    ("greenmfg.ingest", "_stage", "stage_parquet"),
)


@contextmanager
def stage_clock() -> Iterator[dict[str, float]]:
    """Seconds spent inside each hooked pipeline function while the block runs (the real calls, timed)."""
    import importlib

    spent: dict[str, float] = {}
    saved = []
    for module_name, attribute, stage in STAGE_HOOKS:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)
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


def pipeline(run: Round, *, build_docs: bool = True) -> dict[str, Any]:
    """sweep → ingest (archive, parse, validate, stage) → select, load, derive → publish; core calls only,
    as the sweep-landing and publish-indicators flows make them, without a Prefect server."""
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
    return {"stages": stages, "rows_accepted": sum(p.rows_accepted for r in results for p in r.parts)}


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
