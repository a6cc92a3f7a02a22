"""Results as JSON and as Markdown tables, with the targets of issue 6 beside each figure."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ONE_M, FIVE_M = 1_000_000, 5_000_000
STAGE_ORDER = (
    "sweep_list", "ingest", "archive", "parse", "validate", "validation_outputs", "stage_parquet",
    "select_check", "load", "derive", "publish", "report",
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    figure: str
    target: str
    measure: Callable[[dict], float | None]  # None when this run did not measure it
    limit: float
    unit: str = "×"


def _ratio(rows: int, name: str) -> Callable[[dict], float | None]:
    def measure(results: dict) -> float | None:
        size = results["sizes"].get(str(rows))
        return size["ratios"][name]["median_of_ratios"] if size else None

    return measure


def _size(rows: int, key: str) -> Callable[[dict], float | None]:
    def measure(results: dict) -> float | None:
        size = results["sizes"].get(str(rows))
        return size[key] if size else None

    return measure


def _memory(results: dict) -> float | None:
    size, memory = results["sizes"].get(str(ONE_M)), results["memory"].get(str(ONE_M))
    if not size or not memory:
        return None
    return (memory["peak_rss_bytes"] - memory["baseline_rss_bytes"]) / size["arrow_bytes"]


def _scaling(results: dict) -> float | None:
    one, five = results["sizes"].get(str(ONE_M)), results["sizes"].get(str(FIVE_M))
    if not one or not five:
        return None
    per_row = {
        rows: size["median_seconds"]["pipeline"] / size["rows"] for rows, size in ((1, one), (5, five))
    }
    return per_row[5] / per_row[1]


TARGETS = (
    Target("pipeline / floor, 1M rows", "≤ 4.0", _ratio(ONE_M, "pipeline/floor"), 4.0),
    Target("pipeline / simple alternative, 1M rows", "≤ 1.5", _ratio(ONE_M, "pipeline/simple"), 1.5),
    Target(
        "validation / same checks in pandas, 1M rows",
        "≤ 2.0",
        _ratio(ONE_M, "validation_gx/validation_pandas"),
        2.0,
    ),
    Target(
        "no-op run (nothing new landed), 1M rows staged",
        "≤ 1 s",
        _size(ONE_M, "noop_median_seconds"),
        1.0,
        "s",
    ),
    Target("peak memory above the process baseline, 1M rows", "≤ 4 × Arrow size", _memory, 4.0),
    Target("time per row, 5M vs 1M", "≤ 1.2 (within 20 %)", _scaling, 1.2),
)


def machine(load_start: tuple[float, ...]) -> dict[str, Any]:
    versions = {name: metadata.version(name) for name in ("pandas", "pyarrow", "great-expectations", "numpy")}
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_start": list(load_start),
        "load_average_end": list(os.getloadavg()),
        "versions": versions,
    }


def evaluate(results: dict) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        value = target.measure(results)
        rows.append(
            {
                "figure": target.figure,
                "target": target.target,
                "measured": value,
                "unit": target.unit,
                "met": None if value is None else value <= target.limit,
            }
        )
    return rows


def write(results: dict, out_dir: Path, stem: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:.2f} s" if unit == "s" else f"{value:.2f}"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"### {results['mode']} mode ({m['cpus']} cores, Python {m['python']}, load average "
        f"{m['load_average_start'][0]:.1f} at start, {m['load_average_end'][0]:.1f} at end)",
        "",
        "| figure | measured | target | met |",
        "|---|---|---|---|",
    ]
    for row in results["targets"]:
        met = "—" if row["met"] is None else ("met" if row["met"] else "**missed**")
        lines.append(f"| {row['figure']} | {_fmt(row['measured'], row['unit'])} | {row['target']} | {met} |")
    lines += [
        "",
        "Median seconds per contender (ratios are medians of the per-round ratios):",
        "",
        "| rows | rounds | floor | simple | pipeline | GX validation | pandas checks "
        "| pipeline/floor | pipeline/simple | validation/pandas | no-op | no-op without check "
        "| peak RSS (baseline) | Arrow size |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, size in results["sizes"].items():
        s, r = size["median_seconds"], size["ratios"]
        memory = results["memory"].get(key)
        rss = (
            f"{memory['peak_rss_bytes'] / 2**20:,.0f} MiB ({memory['baseline_rss_bytes'] / 2**20:,.0f})"
            if memory
            else "—"
        )
        lines.append(
            f"| {int(key):,} | {size['repeat']} | {s['floor']:.2f} | {s['simple']:.2f} | {s['pipeline']:.2f} "
            f"| {s['validation_gx']:.2f} | {s['validation_pandas']:.2f} "
            f"| {r['pipeline/floor']['median_of_ratios']:.2f} "
            f"| {r['pipeline/simple']['median_of_ratios']:.2f} "
            f"| {r['validation_gx/validation_pandas']['median_of_ratios']:.2f} "
            f"| {size['noop_median_seconds']:.2f} | {size['noop_without_check_median_seconds']:.2f} | {rss} "
            f"| {size['arrow_bytes'] / 2**20:,.0f} MiB |"
        )
    measured = next(iter(results["sizes"].values()))["pipeline_stage_median_seconds"]
    stages = [s for s in STAGE_ORDER if s in measured] + [s for s in measured if s not in STAGE_ORDER]
    lines += [
        "",
        "Pipeline stages, median seconds (`ingest` contains archive, parse, validate, validation_outputs "
        "and stage_parquet):",
        "",
        "| rows | " + " | ".join(stages) + " |",
        "|---|" + "---|" * len(stages),
    ]
    for key, size in results["sizes"].items():
        values = size["pipeline_stage_median_seconds"]
        lines.append(f"| {int(key):,} | " + " | ".join(f"{values.get(s, 0.0):.2f}" for s in stages) + " |")
    storage = results.get("storage")
    if storage:
        s, r = storage["median_seconds"], storage["ratios"]
        lines += [
            "",
            f"Storage at {storage['rows']:,} rows ({storage['repeat']} rounds), median seconds:",
            "",
            "| store | floor | pipeline |",
            "|---|---|---|",
            f"| local folder | {s['floor_local']:.2f} | {s['pipeline_local']:.2f} |",
            f"| SeaweedFS S3 | {s['floor_s3']:.2f} | {s['pipeline_s3']:.2f} |",
            f"| S3 / local | {r['floor_s3/floor_local']['median_of_ratios']:.2f} "
            f"| {r['pipeline_s3/pipeline_local']['median_of_ratios']:.2f} |",
        ]
    return "\n".join(lines) + "\n"
