"""Contenders as whole processes, timed from start to exit (imports included) with their peak memory.

The pipeline is what a user runs: `greenmfg ingest FILE` then `greenmfg publish`, two processes, on a fresh
store (a copy of one where the small filings of the year are already ingested, untimed). The peers and the
floor are the standalone scripts of benchmarks/peers. Each process is started by benchmarks/launch.py, whose
clock and ru_maxrss cover exactly that process (see its docstring for why it sits in between).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "benchmarks" / "peers"
LAUNCH = ROOT / "benchmarks" / "launch.py"
# The 5M-row filing is ~790 MB, above the default 512 MiB guard; the benchmark raises it, nothing else.
MAX_FILE_BYTES = 4 * 1024**3


class ProcessFailed(RuntimeError):
    """A contender's process exited non-zero; the message carries the command and the end of its stderr."""


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_rss_bytes: int


def greenmfg_command() -> list[str]:
    """The `greenmfg` console script of this interpreter's environment, as a user would call it."""
    script = Path(sys.executable).with_name("greenmfg")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from greenmfg.cli import main; sys.exit(main())"]


def base_environment() -> dict[str, str]:
    """This environment without the caller's own greenmfg settings (store, validation config, limits)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    return env | {"GX_ANALYTICS_ENABLED": "false"}


def pipeline_environment(store: Path, validation_config: Path | None = None) -> dict[str, str]:
    env = base_environment() | {
        "GREENMFG_STORE_URL": str(store),
        "GREENMFG_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
    }
    if validation_config is not None:
        env["GREENMFG_VALIDATION_CONFIG"] = str(validation_config)
    return env


def run_process(command: list[str], env: dict[str, str], logs: Path) -> ProcessRun:
    """Run `command` through the launcher; ProcessFailed when it exits non-zero."""
    logs.mkdir(parents=True, exist_ok=True)
    out = (
        logs
        / f"{Path(command[1] if command[0] == sys.executable else command[0]).stem}-{uuid.uuid4().hex[:8]}"
    )
    done = subprocess.run(
        [sys.executable, "-S", str(LAUNCH), str(out), "--", *command], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise ProcessFailed(f"launcher failed for {' '.join(command)}: {done.stderr.strip()[-2000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    if result["returncode"] != 0:
        stderr = Path(f"{out}.stderr").read_text(encoding="utf-8", errors="replace").strip()
        raise ProcessFailed(f"{' '.join(command)} exited {result['returncode']}: {stderr[-2000:]}")
    return ProcessRun(result["seconds"], result["peak_rss_bytes"])


def ingest_and_publish(paths: list[Path], env: dict[str, str], logs: Path) -> dict:
    """`greenmfg ingest PATHS` then `greenmfg publish`: seconds of both, peak of the larger."""
    greenmfg = greenmfg_command()
    ingest = run_process([*greenmfg, "ingest", *map(str, paths)], env, logs)
    publish = run_process([*greenmfg, "publish"], env, logs)
    return {
        "seconds": ingest.seconds + publish.seconds,
        "peak_rss_bytes": max(ingest.peak_rss_bytes, publish.peak_rss_bytes),
        "ingest_seconds": ingest.seconds,
        "publish_seconds": publish.seconds,
        "ingest_peak_rss_bytes": ingest.peak_rss_bytes,
        "publish_peak_rss_bytes": publish.peak_rss_bytes,
    }


def script(name: str, paths: list[Path], out: Path, logs: Path) -> dict:
    """One of benchmarks/peers/<name>.py on `paths`, writing to `out`."""
    run = run_process([sys.executable, str(PEERS / f"{name}.py"), *map(str, paths), "--out", str(out)],
                      base_environment(), logs)  # fmt: skip
    return {"seconds": run.seconds, "peak_rss_bytes": run.peak_rss_bytes}


@dataclass(frozen=True)
class ProcessRound:
    """One round's folders: a fresh store for the pipeline, an output folder per script."""

    folder: Path
    store: Path
    logs: Path

    def out(self, name: str) -> Path:
        return self.folder / name


@contextmanager
def process_round(work: Path, template: Path | None) -> Iterator[ProcessRound]:
    """A round folder under work/rounds with a copy of `template` (or an empty store); removed afterwards."""
    (work / "rounds").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="round-", dir=work / "rounds"))
    store = folder / "store"
    if template is not None:
        shutil.copytree(template, store)
    try:
        yield ProcessRound(folder, store, folder / "logs")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepared_store(work: Path, name: str, paths: list[Path]) -> Path:
    """A store where `paths` are ingested (untimed setup), built once per run under work/stores/<name>."""
    store = work / "stores" / name
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    run_process(
        [*greenmfg_command(), "ingest", *map(str, paths)], pipeline_environment(store), work / "stores"
    )
    return store
