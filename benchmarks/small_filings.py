"""Many small filings: one `greenmfg ingest FOLDER` + one `greenmfg publish` against the pandas peer looping
over the same files, as whole processes, after a round whose outputs are checked against each other.

The filings are enterprise statistics of several reference cities (`greenmfg reference-data`, other seeds),
a few thousand rows each, over many years: each year comes in another of the bureau's layouts (header
spellings, 千元/万元/亿元, a year column or the year in the file name, with or without BOM), and each city
re-files one year as a correction. Cities follow one another in landing order, so a city's filing is compared
for drift with another city's: the drift rules (row count, deleted keys) are turned into warnings for this
figure (validation.toml beside the filings), which both contenders compute and neither acts on.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import agreement
from benchmarks.inputs import ENTERPRISE_TYPE
from benchmarks.processes import ingest_and_publish, pipeline_environment, process_round, script
from benchmarks.timing import interleave
from greenmfg.storage import local_stores

YEARS = (2012, 2030)  # nineteen years and a correction: twenty filings per city
DRIFT_AS_WARNINGS = """\
# The filings come from several reference cities in turn: drift against another city's filing is meaningless,
# so it is reported, not acted on (benchmarks/small_filings.py).
[severities]
"enterprise_stats.row_count_change" = "warning"
"enterprise_stats.deleted_keys" = "warning"
"""


def small_filings(work: Path, count: int, rows: int, *, log: Callable[[str], None]) -> Path:
    """work/small-<count>x<rows>/: enterprise_stats/city-<k>/<file> and validation.toml, made once."""
    from greenmfg.reference import generate

    folder = work / f"small-{count}x{rows}"
    made = folder / "made.json"
    wanted = {"count": count, "rows": rows, "years": list(YEARS)}
    if made.is_file() and json.loads(made.read_text(encoding="utf-8")) == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    log(f"generating {count} small filings of {rows:,} enterprises each in {folder}")
    copied = 0
    seed = 0
    while copied < count:
        seed += 1
        source = work / "small-cities" / f"{rows}-seed-{seed}"
        generate(source, seed=seed, enterprises=rows, years=YEARS)
        city = folder / ENTERPRISE_TYPE / f"city-{seed:02d}"
        city.mkdir(parents=True)
        for path in sorted((source / ENTERPRISE_TYPE).iterdir())[: count - copied]:
            shutil.copyfile(path, city / path.name)
            copied += 1
        shutil.rmtree(source)
    (folder / "validation.toml").write_text(DRIFT_AS_WARNINGS, encoding="utf-8")
    made.write_text(json.dumps(wanted), encoding="utf-8")
    return folder


def measure(work: Path, count: int, rows: int, repeat: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """A checked round, then `repeat` interleaved rounds of the pipeline and the pandas loop."""
    folder = small_filings(work, count, rows, log=log)
    filings = folder / ENTERPRISE_TYPE
    config = folder / "validation.toml"

    def timed(details: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        return details["seconds"], details

    contenders = {
        "pipeline": lambda run: timed(
            ingest_and_publish([filings], pipeline_environment(run.store, config), run.logs)
        ),
        "pandas": lambda run: timed(script("pandas_peer", [filings], run.out("pandas"), run.logs)),
    }
    log(f"{count} small filings: checking the pandas loop against the pipeline")
    with process_round(work, None) as run:
        for contender in contenders.values():
            contender(run)
        checked = agreement.check("pandas", run.out("pandas"), local_stores(run.store))
    log(f"{count} small filings: {repeat} interleaved rounds of {', '.join(contenders)} as processes")
    rounds = interleave(contenders, repeat, lambda: process_round(work, None), log=log)
    return {
        "filings": count,
        "rows_per_filing": rows,
        "repeat": repeat,
        "seconds": rounds.seconds,
        "median_seconds": {name: rounds.median(name) for name in rounds.seconds},
        "ratios": {"pipeline/pandas": rounds.ratio("pipeline", "pandas")},
        "pipeline_median_seconds": {
            step: rounds.median_detail("pipeline", f"{step}_seconds") for step in ("ingest", "publish")
        },
        "check": checked,
    }
