"""Pools of test worker processes: a forking server (helpers/worker.py) pays the imports once, and every
publication (from staging: select, derive, commit) or ingestion runs in a fresh child process that may
SIGKILL itself."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers import kill_switch
from helpers.stores import HELPERS, PYTHON
from infra.seaweedfs import BUCKETS, SeaweedFS

WORKER = HELPERS / "worker.py"
TIMEOUT_SECONDS = 180


class ForkingWorker:
    """One server process; `run` forks a child per job (all at once) and returns their exit codes."""

    def __init__(self, *, warm_gx: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
        env.setdefault("GX_ANALYTICS_ENABLED", "false")
        if warm_gx:
            env["GREENMFG_TEST_WARM_GX"] = "1"
        self.process = subprocess.Popen(
            [PYTHON, str(WORKER), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.results = Path(tempfile.mkdtemp(prefix="greenmfg-worker-results-"))
        self.count = 0

    def job(self, server: SeaweedFS, role: str, prefix: str, task: dict, **switch: str) -> dict:
        """A job for `run`: `task` as `role` under `prefix`, with GREENMFG_TEST_* variables `switch`."""
        self.count += 1
        env = {**server.env_for(role, prefix), **switch}
        return {**task, "env": env, "result": str(self.results / f"{self.count}.json")}

    def run(self, jobs: list[dict]) -> list[tuple[int, dict | None]]:
        """(exit code, the result the child wrote or None) of each job, run at the same time."""
        self.process.stdin.write(json.dumps(jobs) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker server exited with code {self.process.wait()}")
        results = []
        for code, job in zip(json.loads(line), jobs, strict=True):
            path = Path(job["result"])
            results.append((code, json.loads(path.read_text()) if path.exists() else None))
        return results

    def publish(
        self, server: SeaweedFS, prefix: str, staged: str, *, kill_at: int | None = None, **switch: str
    ) -> tuple[int, dict | None]:
        """One publication as the publisher identity from the filings staged under `staged` into the
        published area under `prefix`, dying before its `kill_at`-th published-area operation."""
        switch = {kill_switch.BUCKETS: BUCKETS["published"], **staged_under(staged), **switch}
        if kill_at is not None:
            switch[kill_switch.KILL_AT] = str(kill_at)
        return self.run([self.job(server, "publisher", prefix, {"task": "publish"}, **switch)])[0]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=TIMEOUT_SECONDS)
        shutil.rmtree(self.results, ignore_errors=True)


def staged_under(prefix: str) -> dict[str, str]:
    """The setting that makes a publisher read the filings staged under `prefix` (whatever its own)."""
    return {"GREENMFG_STAGING_URL": f"s3://{BUCKETS['staging']}/{prefix}"}


@contextmanager
def worker_pool(size: int, *, warm_gx: bool = False) -> Iterator[queue.Queue[ForkingWorker]]:
    """`size` forking servers in a queue: a thread takes one, runs its jobs, puts it back."""
    pool: queue.Queue[ForkingWorker] = queue.Queue()
    servers = [ForkingWorker(warm_gx=warm_gx) for _ in range(size)]
    for server in servers:
        pool.put(server)
    try:
        yield pool
    finally:
        for server in servers:
            server.close()
