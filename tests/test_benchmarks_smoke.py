"""The benchmark suite: its independent peers do the pipeline's work, its launcher measures the right process,
its report judges the targets, and the whole harness runs end to end on tiny inputs (no timing asserted)."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ sits beside the installed packages, not among them

from benchmarks import agreement, faults, report  # noqa: E402
from benchmarks.processes import ProcessFailed, run_process  # noqa: E402
from benchmarks.timing import interleave  # noqa: E402

PEERS = ROOT / "benchmarks" / "peers"
FILING_ROWS = 300
MIB = 2**20


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


def test_peers_import_nothing_of_greenmfg_or_the_harness():
    allowed = set(sys.stdlib_module_names) | {"numpy", "pandas", "pyarrow", "duckdb", "facts"}
    for script in sorted(PEERS.glob("*.py")):
        tree = ast.parse(script.read_text(encoding="utf-8"))
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        }
        foreign = {name for name in imported if name.split(".")[0] not in allowed}
        assert not foreign, f"{script.name} imports {sorted(foreign)}"


# ------------------------------------------------------------------ the launcher


def test_launcher_reports_the_childs_peak_not_its_parents(tmp_path):
    ballast = bytearray(300 * MIB)  # this process is big; a child must not report its size
    ballast[::4096] = b"x" * len(ballast[::4096])
    env = dict(os.environ)
    small = run_process([sys.executable, "-c", "pass"], env, tmp_path)
    big = run_process(
        [sys.executable, "-c", "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"], env, tmp_path
    )
    assert small.peak_rss_bytes < 100 * MIB
    assert big.peak_rss_bytes >= 200 * MIB
    assert small.seconds > 0 and big.seconds > 0
    del ballast


def test_a_failing_contender_is_named_with_its_error(tmp_path):
    with pytest.raises(ProcessFailed, match=r"exited 3: .*no such filing"):
        run_process(
            [sys.executable, "-c", "import sys; sys.stderr.write('no such filing'); sys.exit(3)"],
            dict(os.environ),
            tmp_path,
        )


# ------------------------------------------------------------------ the peers against the pipeline


@pytest.fixture(scope="module")
def agreed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A tiny reference filing with every kind of fault, through the pipeline (in-process) and both peers."""
    from helpers.reference import derive, land_and_ingest

    from greenmfg.reference import generate
    from greenmfg.storage import local_stores

    root = tmp_path_factory.mktemp("peers")
    generate(root / "reference", enterprises=FILING_ROWS, years=(2020, 2020))
    source = next((root / "reference" / "enterprise_stats").iterdir())
    filing = root / "faulty" / source.name
    placed = faults.write_faulty(source, filing, FILING_ROWS)
    stores = local_stores(root / "store")
    land_and_ingest(stores, [(f"enterprise_stats/{filing.name}", filing)])
    datasets, _, _ = derive(stores)
    outs = {}
    for peer in ("pandas", "duckdb"):
        outs[peer] = root / peer
        subprocess.run(
            [sys.executable, str(PEERS / f"{peer}_peer.py"), str(filing), "--out", str(outs[peer])],
            check=True,
            timeout=120,
        )
    return {
        "filing": filing,
        "placed": placed,
        "stores": stores,
        "indicator": datasets["energy_intensity"],
        "outs": outs,
    }


@pytest.mark.parametrize("peer", ["pandas", "duckdb"])
def test_each_peer_accepts_quarantines_and_flags_the_pipelines_rows(agreed, peer):
    counts = agreement.check(peer, agreed["outs"][peer], agreed["stores"], agreed["indicator"])
    quarantining = [k for k in agreed["placed"] if k == faults.DUPLICATE_KEY or not faults.FAULTS[k][1]]
    assert counts["rows"] == FILING_ROWS
    assert counts["accepted"] == FILING_ROWS - len(quarantining)
    assert counts["entries"] == len(agreed["placed"])  # one entry per fault: each breaks exactly one rule
    assert counts["indicator_rows"] == len(agreed["indicator"]) > 0


def test_each_fault_breaks_the_rule_it_is_meant_to(agreed):
    entries = agreement.pipeline_outcomes(agreed["stores"], [agreed["filing"]])[agreed["filing"]].entries
    for kind, (row,) in agreed["placed"].items():
        rule, stays = ("key_unique", False) if kind == faults.DUPLICATE_KEY else faults.FAULTS[kind][:2]
        assert (row, rule, "flagged" if stays else "quarantined") in entries, kind


def test_the_check_names_a_peer_that_quarantined_other_rows(agreed, tmp_path):
    out = tmp_path / "pandas"
    shutil.copytree(agreed["outs"]["pandas"], out)
    quarantine = out / "filings" / "0001" / "quarantine.parquet"
    pd.read_parquet(quarantine).iloc[1:].to_parquet(quarantine, index=False)
    with pytest.raises(agreement.Disagreement, match="differ in quarantine entries"):
        agreement.check("pandas", out, agreed["stores"], agreed["indicator"])


def test_the_check_names_a_figure_further_apart_than_the_tolerance(agreed, tmp_path):
    out = tmp_path / "duckdb"
    shutil.copytree(agreed["outs"]["duckdb"], out)
    indicator = pd.read_parquet(out / "energy_intensity.parquet")
    indicator.loc[0, "energy_tce"] *= 1 + 1e-7
    indicator.to_parquet(out / "energy_intensity.parquet", index=False)
    with pytest.raises(agreement.Disagreement, match="energy_tce"):
        agreement.check("duckdb", out, agreed["stores"], agreed["indicator"])


def test_a_peer_refuses_a_filing_it_cannot_read_in_one_line(tmp_path):
    bad = tmp_path / "2020年规上工业企业统计.csv"
    bad.write_text("统一社会信用代码,单位详细名称\n91330502MA2B3C4D5E,某公司\n", encoding="utf-8")
    for peer in ("pandas", "duckdb"):
        done = subprocess.run(
            [sys.executable, str(PEERS / f"{peer}_peer.py"), str(bad), "--out", str(tmp_path / peer)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "no column for" in done.stderr and str(bad) in done.stderr


# ------------------------------------------------------------------ the report


def _results(**ratios: float) -> dict:
    """Results of a run measuring 1M and 5M rows as processes, with the given pipeline ratios."""

    def size(rows: int, seconds: float) -> dict:
        ratio = {"median_of_ratios": ratios["pandas"], "ratio_of_medians": ratios["pandas"]}
        return {
            "rows": rows,
            "repeat": 1,
            "median_seconds": {"pipeline": seconds, "pandas": 1.0},
            "ratios": {"pipeline/pandas": ratio},
            "peak_rss_bytes": {"pipeline": MIB, "pandas": MIB},
            "peak_ratios": {"pipeline/pandas": ratios["memory"]},
            "pipeline_median_seconds": {"ingest": seconds, "publish": 0.0},
            "pipeline_peak_rss_bytes": {"ingest": MIB, "publish": MIB},
            "checks": {},
        }

    results = {
        "mode": "test",
        "processes": {"1000000": size(1_000_000, 10.0), "5000000": size(5_000_000, 52.0)},
        "stages": {},
        "small_filings": None,
        "storage": None,
        "latency": None,
        "machine": {"cpus": 2, "python": "3.11", "load_average_start": [0.0], "load_average_end": [0.0]},
    }
    results["targets"] = report.evaluate(results)
    return results


def test_the_report_judges_each_figure_against_its_target_and_goal():
    results = _results(pandas=1.8, memory=0.9)
    judged = {row["figure"]: row for row in results["targets"]}
    pandas = judged[report.TARGETS[0].figure]
    assert (pandas["measured"], pandas["met"], pandas["goal_met"]) == (1.8, True, False)
    assert judged[report.TARGETS[4].figure]["goal_met"] is True
    per_row = judged[report.TARGETS[5].figure]
    assert per_row["measured"] == pytest.approx(1.04) and (per_row["met"], per_row["goal_met"]) == (
        True,
        False,
    )
    assert judged[report.TARGETS[1].figure]["met"] is None  # not measured: never judged
    missed = {row["figure"]: row for row in _results(pandas=2.5, memory=1.5)["targets"]}
    assert (
        missed[report.TARGETS[0].figure]["met"] is False and missed[report.TARGETS[4].figure]["met"] is False
    )
    text = report.markdown(results)
    assert "| 1.80 | ≤ 2 | ≤ 1.5 | target met |" in text and "| 0.90 | ≤ 1.3 | ≤ 1 | goal met |" in text
    readme = report.markdown(results, readme=True)
    assert "10.00" in text and "10.00" not in readme  # the README variant shows ratios, not seconds


# ------------------------------------------------------------------ the whole harness


@pytest.mark.slow
@pytest.mark.s3
def test_the_harness_runs_every_part_on_tiny_inputs(tmp_path):
    out = tmp_path / "results"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GX_ANALYTICS_ENABLED": "false"}
    args = [
        "--quick",
        "--sizes",
        "300",
        "--repeat",
        "1",
        "--stage-sizes",
        "300",
        "--stage-repeat",
        "1",
        "--small-filings",
        "3",
        "--small-rows",
        "300",
        "--small-repeat",
        "1",
        "--storage-rows",
        "300",
        "--storage-repeat",
        "1",
        "--latency-uploads",
        "0",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args, "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "quick.json").read_text())

    size = results["processes"]["300"]
    assert sorted(size["seconds"]) == ["duckdb", "floor", "pandas", "pipeline"]
    assert all(len(times) == 1 and times[0] > 0 for times in size["seconds"].values())
    assert all(peak > 0 for peak in size["peak_rss_bytes"].values())
    assert size["checks"]["faulty"]["duckdb"]["entries"] == len(faults.FAULTS) + 1
    assert size["checks"]["filing"]["pandas"]["accepted"] == 300
    small = results["small_filings"]
    assert small["check"]["filings"] == 3 and small["median_seconds"]["pipeline"] > 0
    stages = results["stages"]["300"]
    assert {"parse", "validate", "stage_parquet", "load", "derive", "publish"} <= set(
        stages["pipeline_stage_median_seconds"]
    )
    assert sorted(results["storage"]["median_seconds"]) == [
        "floor_local",
        "floor_s3",
        "pipeline_local",
        "pipeline_s3",
    ]
    # Every target is listed, and none is judged from a size this run did not measure.
    assert len(results["targets"]) == len(report.TARGETS)
    assert [t["figure"] for t in results["targets"] if t["measured"] is not None] == [
        report.TARGETS[2].figure
    ]
    table = (out / "quick.md").read_text()
    assert (
        "| figure | before (issue 14) | measured | target | goal | met |" in table and "| 300 | 1 |" in table
    )
    printed = subprocess.run(
        [sys.executable, "-m", "benchmarks.report", str(out / "quick.json"), "--readme"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(3 filings)" in printed.stdout
