"""Peak memory of one pipeline run in a process of its own: `python -m benchmarks.memory WORK ROWS`.

Prints one JSON line: peak resident set (VmHWM), the resident set just before the run (after imports,
the small filings and a Great Expectations warm-up) and the run's seconds. Not ru_maxrss: Linux carries it
across exec, so a child started by a big parent reports the parent's size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def resident_bytes() -> int:
    """Current resident set of this process (VmRSS)."""
    return _status_bytes("VmRSS")


def peak_resident_bytes() -> int:
    """Highest resident set of this process image so far (VmHWM, reset by exec)."""
    return _status_bytes("VmHWM")


def measure(work: Path, rows: int) -> dict:
    from benchmarks.contenders import pipeline
    from benchmarks.inputs import reference_inputs
    from benchmarks.stores import StoreFactory

    inputs = reference_inputs(work, rows)
    with StoreFactory(work).round(inputs) as run:
        baseline = resident_bytes()
        start = time.perf_counter()
        pipeline(run)
        seconds = time.perf_counter() - start
    return {"peak_rss_bytes": peak_resident_bytes(), "baseline_rss_bytes": baseline, "seconds": seconds}


def in_subprocess(work: Path, rows: int) -> dict:
    """Run `measure` in a fresh interpreter so no earlier run's peak counts."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", str(work), str(rows)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory run for {rows} rows failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]))))
