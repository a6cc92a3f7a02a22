"""`python -m benchmarks [--quick | --full] [overrides]`: run the benchmarks, write JSON and Markdown."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import report, small_filings, suite, whole_process
from benchmarks.modes import MODES, QUICK, Mode

ROOT = Path(__file__).resolve().parent.parent


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(s) for s in text.split(",") if s.strip())


def parse(argv: list[str] | None) -> tuple[Mode, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    for mode in MODES.values():
        group.add_argument(f"--{mode.name}", action="store_const", const=mode.name, dest="mode")
    for field in dataclasses.fields(Mode):
        if field.name != "name":
            kind = _sizes if "sizes" in field.name else int
            parser.add_argument(f"--{field.name.replace('_', '-')}", type=kind, help=field.metadata["help"])
    parser.add_argument(
        "--work", type=Path, default=ROOT / ".greenmfg" / "bench", help="inputs, stores, rounds"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="results folder")
    args = parser.parse_args(argv)
    mode = MODES.get(args.mode or "", QUICK)
    changes = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(Mode)
        if getattr(args, f.name, None) is not None
    }
    return dataclasses.replace(mode, **changes), args


def main(argv: list[str] | None = None) -> int:
    mode, args = parse(argv)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    load_start = os.getloadavg()
    started = time.perf_counter()
    results: dict = {"mode": mode.name, "plan": dataclasses.asdict(mode), "processes": {}, "stages": {},
                     "small_filings": None, "storage": None, "latency": None}  # fmt: skip

    def save() -> tuple[Path, Path]:
        """Write what is measured so far, so a run stopped late still leaves its results."""
        results["machine"] = report.machine(load_start)
        results["wall_seconds"] = time.perf_counter() - started
        results["targets"] = report.evaluate(results)
        return report.write(results, args.out, mode.name)

    for rows in mode.sizes:
        results["processes"][str(rows)] = whole_process.measure(args.work, rows, mode.repeat, log=log)
        save()
    if mode.small_filings:
        results["small_filings"] = small_filings.measure(
            args.work, mode.small_filings, mode.small_rows, mode.small_repeat, log=log
        )
        save()
    for rows in mode.stage_sizes:
        results["stages"][str(rows)] = suite.measure_stages(args.work, rows, mode.stage_repeat, log=log)
        save()
    if mode.storage_rows:
        results["storage"] = suite.measure_storage(args.work, mode.storage_rows, mode.storage_repeat, log=log)
        save()
    if mode.latency_uploads:
        results["latency"] = latency(mode.latency_uploads, args.out / "latency.json", log)
    json_path, md_path = save()
    print(md_path.read_text(encoding="utf-8"))
    log(f"wrote {json_path} and {md_path} in {results['wall_seconds']:.0f} s")
    return 0


def latency(uploads: int, out: Path, log) -> dict:
    """benchmarks/latency.py on a fresh local stack, as a process of its own; its JSON report."""
    log(f"landing → published on a fresh local stack: {uploads} uploads")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "latency.py"),
            "--uploads",
            str(uploads),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks/latency.py exited {done.returncode} (its output is above)")
    return json.loads(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
