"""Results as JSON and Markdown, each figure beside issue 14's target and goal.

    python -m benchmarks.report benchmarks/results/full.json [--readme]

prints the tables for docs/benchmarks.md (every table, seconds included) or, with --readme, the ratios only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.modes import FIVE_M, ONE_M

MIB = 2**20
STAGE_ORDER = (
    "sweep_list",
    "ingest",
    "archive",
    "parse",
    "validate",
    "validation_outputs",
    "stage_parquet",
    "select_check",
    "load",
    "derive",
    "publish",
    "report",
)
PROCESS_NAMES = {
    "pipeline": "pipeline (ingest + publish)",
    "pandas": "pandas",
    "duckdb": "DuckDB",
    "floor": "floor",
}


@dataclass(frozen=True)
class Target:
    figure: str
    before: str  # issue 14's "now"
    measure: Callable[
        [dict], tuple[float, str] | None
    ]  # (value, note); None when this run did not measure it
    target: float
    goal: float
    unit: str = "×"


def _process_ratio(name: str) -> Callable[[dict], tuple[float, str] | None]:
    def measure(results: dict) -> tuple[float, str] | None:
        size = results["processes"].get(str(ONE_M))
        return (size["ratios"][name]["median_of_ratios"], "") if size and name in size["ratios"] else None

    return measure


def _peak_ratio(results: dict) -> tuple[float, str] | None:
    size = results["processes"].get(str(ONE_M))
    return (size["peak_ratios"]["pipeline/pandas"], "") if size else None


def _small(results: dict) -> tuple[float, str] | None:
    small = results.get("small_filings")
    if not small:
        return None
    note = "" if small["filings"] == 200 else f"{small['filings']} filings"
    return small["ratios"]["pipeline/pandas"]["median_of_ratios"], note


def _latency(results: dict) -> tuple[float, str] | None:
    latency = results.get("latency")
    if not latency:
        return None
    return latency["median_seconds"], "" if latency["uploads"] >= 9 else f"{latency['uploads']} uploads"


def _per_row(results: dict) -> tuple[float, str] | None:
    one, five = results["processes"].get(str(ONE_M)), results["processes"].get(str(FIVE_M))
    if not one or not five:
        return None
    per_row = [size["median_seconds"]["pipeline"] / size["rows"] for size in (five, one)]
    return per_row[0] / per_row[1], ""


TARGETS = (
    Target(
        "1M-row filing, `greenmfg ingest` + `greenmfg publish` as processes ÷ the pandas script as a process",
        "3.2",
        _process_ratio("pipeline/pandas"),
        2.0,
        1.5,
    ),
    Target("the same ÷ the DuckDB-SQL script", "2.7", _process_ratio("pipeline/duckdb"), 1.7, 1.2),
    Target(
        "200 small filings ingested + one publish ÷ a pandas loop doing the same checks",
        "unmeasured",
        _small,
        3.0,
        1.5,
    ),
    Target("landing → published on the local stack, median of ≥ 9 uploads", "5.6 s", _latency, 4.0, 3.0, "s"),
    Target("peak memory at 1M rows ÷ the pandas script's", "1.22", _peak_ratio, 1.3, 1.0),
    Target("time per row 5M ÷ 1M", "0.87", _per_row, 1.1, 1.0),
)


def machine(load_start: tuple[float, ...]) -> dict[str, Any]:
    names = ("pandas", "pyarrow", "great-expectations", "numpy", "duckdb")
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_start": list(load_start),
        "load_average_end": list(os.getloadavg()),
        "versions": {name: metadata.version(name) for name in names},
    }


def evaluate(results: dict) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        found = target.measure(results)
        value, note = found if found else (None, "")
        rows.append(
            {
                "figure": target.figure,
                "before": target.before,
                "measured": value,
                "note": note,
                "unit": target.unit,
                "target": target.target,
                "goal": target.goal,
                "met": None if value is None else value <= target.target,
                "goal_met": None if value is None else value <= target.goal,
            }
        )
    return rows


def write(results: dict, out_dir: Path, stem: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path


# ------------------------------------------------------------------ Markdown


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:.2f} s" if unit == "s" else f"{value:.2f}"


def _limit(value: float, unit: str) -> str:
    return f"≤ {value:g} s" if unit == "s" else f"≤ {value:g}"


def _verdict(row: dict) -> str:
    if row["met"] is None:
        return "—"
    if row["goal_met"]:
        return "goal met"
    return "target met" if row["met"] else "**missed**"


def _section(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A titled Markdown table, preceded by a blank line."""
    lines = ["", title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def heading(results: dict) -> list[str]:
    m = results["machine"]
    return [
        f"### {results['mode']} mode ({m['cpus']} cores, Python {m['python']}, load average "
        f"{m['load_average_start'][0]:.1f} at start, {m['load_average_end'][0]:.1f} at end)"
    ]


def targets_table(results: dict) -> list[str]:
    rows = [
        [
            row["figure"],
            row["before"],
            _value(row["measured"], row["unit"]) + (f" ({row['note']})" if row["note"] else ""),
            _limit(row["target"], row["unit"]),
            _limit(row["goal"], row["unit"]),
            _verdict(row),
        ]
        for row in results["targets"]
    ]
    return _section(
        "Issue 14's figures:", ["figure", "before (issue 14)", "measured", "target", "goal", "met"], rows
    )


def _ratio(summary: dict, name: str) -> str:
    return f"{summary['ratios'][name]['median_of_ratios']:.2f}" if name in summary["ratios"] else "—"


def _rows(key: str) -> str:
    return f"{int(key):,}"


def process_tables(results: dict, *, seconds: bool) -> list[str]:
    sizes = results["processes"]
    if not sizes:
        return []
    first = next(iter(sizes.values()))
    names = [n for n in PROCESS_NAMES if n in first["median_seconds"]]  # JSON sorts keys: order them again
    wanted = (*(f"pipeline/{n}" for n in names[1:]), "pandas/floor", "duckdb/floor")
    ratios = [r for r in wanted if r in first["ratios"]]
    peaks = [f"pipeline/{n}" for n in names if f"pipeline/{n}" in first["peak_ratios"]]
    shown = [PROCESS_NAMES.get(n, n) for n in names]
    timing = [
        [_rows(key), str(size["repeat"]), *(f"{size['median_seconds'][n]:.2f}" for n in names if seconds)]
        + [_ratio(size, r) for r in ratios]
        for key, size in sizes.items()
    ]
    title = "Whole processes, start to exit; ratios are medians of the per-round ratios"
    lines = _section(
        title + (", seconds medians:" if seconds else ":"),
        ["rows", "rounds", *(shown if seconds else []), *ratios],
        timing,
    )
    memory = [
        [_rows(key)]
        + [f"{size['peak_rss_bytes'][n] / MIB:,.0f}" for n in names if seconds]
        + [f"{size['peak_ratios'][r]:.2f}" for r in peaks]
        for key, size in sizes.items()
    ]
    lines += _section(
        "Peak resident memory per process (the pipeline: the larger of its two processes)"
        + (", median MiB:" if seconds else ":"),
        ["rows", *(shown if seconds else []), *peaks],
        memory,
    )
    if seconds:
        split = [
            [_rows(key)]
            + [f"{size['pipeline_median_seconds'][s]:.2f}" for s in ("ingest", "publish")]
            + [f"{size['pipeline_peak_rss_bytes'][s] / MIB:,.0f}" for s in ("ingest", "publish")]
            for key, size in sizes.items()
        ]
        header = ["rows", "ingest s", "publish s", "ingest MiB", "publish MiB"]
        lines += _section("The pipeline's two processes, medians:", header, split)
    return lines


def small_table(results: dict, *, seconds: bool) -> list[str]:
    small = results.get("small_filings")
    if not small:
        return []
    header = ["filings", "rows each", "rounds"]
    row = [str(small["filings"]), f"{small['rows_per_filing']:,}", str(small["repeat"])]
    if seconds:
        split, median = small["pipeline_median_seconds"], small["median_seconds"]
        header += ["pipeline: ingest", "publish", "both", "pandas loop"]
        row += [f"{split['ingest']:.2f}", f"{split['publish']:.2f}"]
        row += [f"{median['pipeline']:.2f}", f"{median['pandas']:.2f}"]
    title = (
        "Many small filings: one `greenmfg ingest FOLDER` + one `greenmfg publish` against the pandas loop:"
    )
    return _section(title, [*header, "pipeline/pandas"], [[*row, _ratio(small, "pipeline/pandas")]])


def stage_tables(results: dict) -> list[str]:
    sizes = results["stages"]
    if not sizes:
        return []
    measured = list(
        dict.fromkeys(s for size in sizes.values() for s in size["pipeline_stage_median_seconds"])
    )
    stages = [s for s in STAGE_ORDER if s in measured] + [s for s in measured if s not in STAGE_ORDER]
    rows = []
    for key, size in sizes.items():
        values, median = size["pipeline_stage_median_seconds"], size["median_seconds"]
        rows.append(
            [_rows(key), str(size["repeat"]), f"{median['pipeline']:.2f}"]
            + [f"{values.get(name, 0.0):.2f}" for name in stages]
            + [f"{median['validation_gx']:.2f}", f"{median['validation_pandas']:.2f}"]
            + [_ratio(size, "validation_gx/validation_pandas"), f"{size['noop_median_seconds']:.2f}"]
            + [f"{size['noop_without_check_median_seconds']:.2f}"]
        )
    header = ["rows", "rounds", "pipeline", *stages, "GX validation", "pandas checks", "GX/pandas", "no-op"]
    title = (
        "In-process, median seconds: the pipeline's own functions with a clock (`ingest` contains archive, "
        "parse, validate, validation_outputs and stage_parquet); GX against the same checks in plain pandas:"
    )
    lines = _section(title, [*header, "no-op without check"], rows)
    missing = sorted({m for size in sizes.values() for m in size.get("missing_stages", [])})
    if missing:
        lines += ["", f"Not clocked (no longer in the core): {', '.join(missing)}."]
    return lines


def storage_table(results: dict) -> list[str]:
    storage = results.get("storage")
    if not storage:
        return []
    s = storage["median_seconds"]
    rows = [
        ["local folder", f"{s['floor_local']:.2f}", f"{s['pipeline_local']:.2f}"],
        ["SeaweedFS S3", f"{s['floor_s3']:.2f}", f"{s['pipeline_s3']:.2f}"],
        [
            "S3 / local",
            _ratio(storage, "floor_s3/floor_local"),
            _ratio(storage, "pipeline_s3/pipeline_local"),
        ],
    ]
    title = f"Storage at {storage['rows']:,} rows, in-process ({storage['repeat']} rounds), median seconds:"
    return _section(title, ["store", "floor", "pipeline"], rows)


def latency_table(results: dict) -> list[str]:
    latency = results.get("latency")
    if not latency:
        return []
    rows = [["landing → published", f"{latency['median_seconds']:.2f}"]]
    rows += [
        [name.replace("_", " "), f"{value:.2f}"] for name, value in latency["stage_median_seconds"].items()
    ]
    title = (
        f"Landing → published on the local stack, {latency['uploads']} uploads, median seconds "
        f"(min {latency['min_seconds']:.1f}, max {latency['max_seconds']:.1f}):"
    )
    return _section(title, ["stage", "median s"], rows)


def _checked(what: str, counts: dict[str, int]) -> str:
    return (
        f"{what}: {counts['filings']} filing(s), {counts['rows']:,} rows, {counts['accepted']:,} accepted, "
        f"{counts['entries']} quarantine entries, {counts['indicator_rows']} indicator rows"
    )


def checks_lines(results: dict) -> list[str]:
    """What the checks before timing compared (they raise on any difference, so a result means agreement)."""
    lines = [
        f"- {_rows(key)} rows, both peers the same as the pipeline on "
        + "; ".join(_checked(what, checked["pandas"]) for what, checked in size["checks"].items())
        for key, size in results["processes"].items()
    ]
    if results.get("small_filings"):
        lines.append("- small filings, the pandas loop the same as the pipeline on " + _checked(
            "all", results["small_filings"]["check"]))  # fmt: skip
    return ["", "Checked before timing:", "", *lines] if lines else []


def markdown(results: dict, *, readme: bool = False) -> str:
    seconds = not readme
    lines = heading(results) + targets_table(results)
    lines += process_tables(results, seconds=seconds) + small_table(results, seconds=seconds)
    if seconds:
        lines += stage_tables(results) + storage_table(results) + latency_table(results)
        lines += checks_lines(results)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a results JSON written by `python -m benchmarks`")
    parser.add_argument("--readme", action="store_true", help="the ratios only, for the README")
    args = parser.parse_args(argv)
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"benchmarks.report: {args.results}: cannot read a results JSON ({exc})", file=sys.stderr)
        return 2
    if "processes" not in results:
        print(
            f"benchmarks.report: {args.results}: written by an earlier suite (no whole-process figures); "
            "expected the output of `python -m benchmarks`",
            file=sys.stderr,
        )
        return 2
    print(markdown(results, readme=args.readme), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
