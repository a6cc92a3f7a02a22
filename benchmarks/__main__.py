"""`python -m benchmarks [--quick | --full]`: run the benchmarks, write JSON and Markdown results."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import report, suite

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_const", const="quick", dest="mode", help="100k and 1M rows")
    group.add_argument("--full", action="store_const", const="full", dest="mode", help="100k, 1M and 5M rows")
    parser.add_argument("--sizes", help="comma-separated row counts instead of the mode's")
    parser.add_argument("--repeat", type=int, help="rounds per size instead of the mode's")
    parser.add_argument("--storage-rows", type=int, help="size of the local-vs-S3 comparison; 0 skips it")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="re-measure only peak memory into the existing results file",
    )
    parser.add_argument("--work", type=Path, default=ROOT / ".greenmfg" / "bench", help="inputs and stores")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="results folder")
    args = parser.parse_args(argv)
    mode = suite.FULL if args.mode == "full" else suite.QUICK
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else mode.sizes
    repeat = args.repeat or mode.repeat
    storage_rows = mode.storage_rows if args.storage_rows is None else (args.storage_rows or None)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    if args.memory_only:
        return memory_only(args.out, mode, sizes, args.work, log)
    load_start = os.getloadavg()
    started = time.perf_counter()
    results: dict = {"mode": mode.name, "sizes": {}, "memory": {}, "storage": None}

    def save() -> tuple[Path, Path]:
        """Write what is measured so far, so a run stopped late still leaves its results."""
        results["machine"] = report.machine(load_start)
        results["wall_seconds"] = time.perf_counter() - started
        results["targets"] = report.evaluate(results)
        return report.write(results, args.out, mode.name)

    for rows in sizes:
        results["sizes"][str(rows)] = suite.measure_size(args.work, rows, repeat, log=log)
        save()
        if mode.memory_repeat and not args.no_memory:
            log(
                f"{rows:,} rows: peak memory of {mode.memory_repeat} pipeline run(s), each in a fresh process"
            )
            results["memory"][str(rows)] = suite.measure_memory(args.work, rows, mode.memory_repeat)
            save()
    if storage_rows:
        results["storage"] = suite.measure_storage(args.work, storage_rows, repeat, log=log)
    json_path, md_path = save()
    print(md_path.read_text(encoding="utf-8"))
    log(f"wrote {json_path} and {md_path} in {results['wall_seconds']:.0f} s")
    return 0


def memory_only(out: Path, mode: suite.Mode, sizes: tuple[int, ...], work: Path, log) -> int:
    """Peak memory again for `sizes`, written into out/<mode>.json beside the timings it had."""
    json_path = out / f"{mode.name}.json"
    results = json.loads(json_path.read_text(encoding="utf-8"))
    for rows in sizes:
        log(f"{rows:,} rows: peak memory of {mode.memory_repeat} pipeline run(s), each in a fresh process")
        results["memory"][str(rows)] = suite.measure_memory(work, rows, mode.memory_repeat)
        results["memory"][str(rows)]["load_average"] = list(os.getloadavg())
    results["targets"] = report.evaluate(results)
    json_path, md_path = report.write(results, out, mode.name)
    print(md_path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
