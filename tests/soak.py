"""Soak the model-based test of published figures: `python -m tests.soak [--minutes M] [--sequences N]`.

Runs tests/test_model_published.py on a local store in rounds of GREENMFG_SOAK sequences (up to 40 steps
each, fresh random seeds every round) until the time or the sequence budget is spent or a round fails, and
prints the sequences, steps and rule counts run. Exits 1 on the first failing round (its output, with the
failing sequence, is printed), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/test_model_published.py::test_published_figures_follow_the_model_on_a_local_store"


def run_round(sequences: int, counts_file: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GREENMFG_SOAK": str(sequences), "GREENMFG_MODEL_COUNTS": str(counts_file)}
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    command = [sys.executable, "-m", "pytest", TEST, "-x", "-q", "-p", "no:cacheprovider", "--timeout=0",
               "--show-capture=no"]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="time budget (default 60)")
    parser.add_argument("--sequences", type=int, default=None, help="stop after this many sequences")
    parser.add_argument("--round", type=int, default=25, help="sequences per round (default 25)")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.minutes * 60
    totals: Counter[str] = Counter()
    rounds = 0
    while time.monotonic() < deadline and (args.sequences is None or totals["sequences"] < args.sequences):
        size = args.round if args.sequences is None else min(args.round, args.sequences - totals["sequences"])
        with tempfile.TemporaryDirectory(prefix="greenmfg-soak-") as folder:
            counts_file = Path(folder) / "counts.json"
            started = time.monotonic()
            result = run_round(size, counts_file)
            counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
        rounds += 1
        totals.update(counts)
        took = time.monotonic() - started
        print(
            f"round {rounds}: {counts.get('sequences', 0)} sequences, {counts.get('steps', 0)} steps in "
            f"{took:.0f} s; total {totals['sequences']} sequences, {totals['steps']} steps",
            flush=True,
        )
        if result.returncode != 0:
            log = Path(tempfile.mkstemp(prefix="greenmfg-soak-failure-", suffix=".log")[1])
            log.write_text(result.stdout + "\n" + result.stderr)
            print(result.stdout[-20_000:], result.stderr[-5_000:], sep="\n")
            print(f"FAILED in round {rounds} (whole output: {log}); so far: {json.dumps(dict(totals))}")
            return 1
    print(f"passed: {rounds} rounds, {totals['sequences']} sequences, {totals['steps']} steps")
    for name, count in sorted(totals.items()):
        if name not in ("sequences", "steps"):
            print(f"  {name.removeprefix('rule:'):<24} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
