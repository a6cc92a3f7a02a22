"""The benchmark harness runs end to end on a tiny filing and writes its results (no timing asserted)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ sits beside the installed packages, not among them

from benchmarks.timing import interleave  # noqa: E402

CONTENDERS = ("floor", "simple", "pipeline", "validation_gx", "validation_pandas")


def test_rounds_rotate_the_order_and_ratios_pair_rounds():
    calls: list[str] = []
    contenders = {name: (lambda n: lambda ctx: (calls.append(n) or ctx, {}))(name) for name in "abc"}
    contexts = iter([1.0, 2.0, 4.0])

    @contextlib.contextmanager
    def setup():
        yield next(contexts)

    rounds = interleave(contenders, 3, setup, log=lambda _: None)
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert rounds.seconds["a"] == [1.0, 2.0, 4.0]
    rounds.seconds["b"] = [2.0, 1.0, 8.0]
    assert rounds.ratio("a", "b") == {"median_of_ratios": 0.5, "ratio_of_medians": 1.0}


@pytest.mark.slow
@pytest.mark.s3
def test_quick_harness_on_a_tiny_filing(tmp_path):
    out = tmp_path / "results"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GX_ANALYTICS_ENABLED": "false"}
    args = ["--quick", "--sizes", "300", "--repeat", "1", "--storage-rows", "300"]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args, "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=480,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "quick.json").read_text())

    size = results["sizes"]["300"]
    assert sorted(size["seconds"]) == sorted(CONTENDERS)
    assert all(len(times) == 1 and times[0] > 0 for times in size["seconds"].values())
    assert size["rows_accepted"] == 300
    assert {"parse", "validate", "stage_parquet", "load", "derive", "publish", "report"} <= set(
        size["pipeline_stage_median_seconds"]
    )
    assert size["arrow_bytes"] > 0 and size["csv_bytes"] > 0
    memory = results["memory"]["300"]
    assert memory["peak_rss_bytes"] >= memory["baseline_rss_bytes"] > 0
    assert sorted(results["storage"]["median_seconds"]) == [
        "floor_local",
        "floor_s3",
        "pipeline_local",
        "pipeline_s3",
    ]
    # Every target is listed, and none is judged from a size this run did not measure.
    assert len(results["targets"]) == 6
    assert all(t["measured"] is None and t["met"] is None for t in results["targets"])
    table = (out / "quick.md").read_text()
    assert "| figure | measured | target | met |" in table and "| 300 | 1 |" in table
