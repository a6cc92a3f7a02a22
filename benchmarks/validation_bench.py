"""Benchmark: GX validation of a million-row enterprise filing vs the same checks in plain pandas.

    .venv/bin/python benchmarks/validation_bench.py [--rows N] [--repeat R] [--input FILE] [--json OUT]

Without --input, builds canonical enterprise_stats rows with numpy (greenmfg.validation.sample) and injects
faults into 0.1 % of them so the quarantine path runs too. --input takes a filing (CSV/XLSX, e.g. from
`greenmfg reference-data --enterprises N`) or a Parquet file of canonical rows. Runs are interleaved (the
order alternating) after a warm-up; prints the medians and their ratio and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from greenmfg.validation import ValidationConfig, validate
from greenmfg.validation.plain import accepted_rows, offending_positions
from greenmfg.validation.sample import clean_rows

FILING_TYPE = "enterprise_stats"


def load_rows(args: argparse.Namespace) -> pd.DataFrame:
    if args.input is None:
        rows = clean_rows(FILING_TYPE, args.rows, seed=1)
        rng = np.random.default_rng(2)
        bad = rng.choice(len(rows), size=max(1, args.rows // 1000), replace=False)
        third = len(bad) // 3
        rows.loc[bad[:third], "water_10k_t"] = -1.0
        rows.loc[bad[third : 2 * third], "district_code"] = "330599"
        rows.loc[bad[2 * third :], "value_added_10k_yuan"] = (
            rows.loc[bad[2 * third :], "gross_output_10k_yuan"] * 2
        )
        return rows
    if args.input.suffix == ".parquet":
        return pd.read_parquet(args.input)
    from greenmfg.parsing import parse

    filings = [f for f in parse(args.input.read_bytes(), args.input.name) if f.filing_type == FILING_TYPE]
    if not filings:
        sys.exit(f"{args.input}: no {FILING_TYPE} table found")
    return filings[0].rows


def run_gx(rows: pd.DataFrame, config: ValidationConfig) -> tuple[float, set[int]]:
    start = time.perf_counter()
    outcome = validate(rows, FILING_TYPE, config=config)
    elapsed = time.perf_counter() - start
    return elapsed, set(outcome.quarantine.loc[outcome.quarantine["action"] == "quarantined", "source_row"])


def run_pandas(rows: pd.DataFrame, config: ValidationConfig) -> tuple[float, set[int]]:
    start = time.perf_counter()
    found = offending_positions(rows, FILING_TYPE, config=config)
    accepted = accepted_rows(rows, FILING_TYPE, found, config)
    elapsed = time.perf_counter() - start
    return elapsed, set(rows["source_row"]) - set(accepted["source_row"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--json", type=Path, default=Path("validation_bench.json"))
    args = parser.parse_args()
    config = ValidationConfig()
    rows = load_rows(args)
    validate(rows.head(1000), FILING_TYPE, config=config)  # warm-up: GX import and context
    gx_times, pandas_times = [], []
    for i in range(args.repeat):
        order = (run_gx, run_pandas) if i % 2 == 0 else (run_pandas, run_gx)
        results = {fn.__name__: fn(rows, config) for fn in order}
        gx_times.append(results["run_gx"][0])
        pandas_times.append(results["run_pandas"][0])
        if results["run_gx"][1] != {int(r) for r in results["run_pandas"][1]}:
            sys.exit("GX and pandas disagree on the quarantined rows")
        print(f"run {i + 1}: gx {gx_times[-1]:.2f} s, pandas {pandas_times[-1]:.2f} s", flush=True)
    report = {
        "rows": len(rows),
        "repeat": args.repeat,
        "quarantined_rows": len(results["run_gx"][1]),
        "gx_seconds": gx_times,
        "pandas_seconds": pandas_times,
        "gx_median_seconds": statistics.median(gx_times),
        "pandas_median_seconds": statistics.median(pandas_times),
        "ratio_of_medians": statistics.median(gx_times) / statistics.median(pandas_times),
        "median_of_ratios": statistics.median(g / p for g, p in zip(gx_times, pandas_times, strict=True)),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"median gx {report['gx_median_seconds']:.2f} s, pandas {report['pandas_median_seconds']:.2f} s, "
        f"ratio {report['ratio_of_medians']:.2f} (median of ratios {report['median_of_ratios']:.2f}); "
        f"wrote {args.json}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
