"""Test subprocess: publish or ingest with the settings of its environment (GREENMFG_*) under the kill
switch of helpers.kill_switch, as the publish and ingest tasks do (a publish is the publication loop from
the staging area of those settings, with their policy).

  python tests/helpers/worker.py --serve   read requests (JSON lines) on stdin; for each, fork one child
                                           process per job (several jobs: all forked at once, so they race)
                                           and answer with their exit codes (−9 when one SIGKILLed itself)

A job is {"task": "publish"} or {"task": "ingest", "landing_key": KEY}, with "env" (the child's GREENMFG_*
variables) and "result" (a file the child writes its result to as JSON). The server pays the imports once;
every child is still a separate process that lives and dies alone.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from dataclasses import asdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from greenmfg import publication, sweep  # noqa: E402
from greenmfg.policy import load_policy  # noqa: E402
from greenmfg.settings import get_settings  # noqa: E402
from greenmfg.storage import open_stores  # noqa: E402
from helpers import kill_switch  # noqa: E402

KILL_IN = "GREENMFG_TEST_KILL_IN"  # "parse" or "validate": die when ingestion enters that stage


def publish(job: dict) -> dict:
    counter = kill_switch.install_from_env()
    done = publication.publish_in_force(open_stores(), load_policy())
    return {"operations": counter.operations, **done.to_dict()}


def ingest(job: dict) -> dict:
    counter = kill_switch.install_from_env()
    stage = os.environ.get(KILL_IN)
    if stage:
        _die_on_entering(stage)
    result = sweep.ingest_landed(open_stores(), job["landing_key"], build_docs=False)
    return {"operations": counter.operations, "status": result.status, "sha256": result.sha256,
            "parts": [asdict(p) for p in result.parts]}  # fmt: skip


def _die_on_entering(stage: str) -> None:
    """Replace the stage's entry point (looked up at call time by ingest_bytes) by a SIGKILL."""
    import greenmfg.parsing
    import greenmfg.validation

    def die(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if stage == "parse":  # the file is read into grids; building the canonical rows dies
        greenmfg.parsing.build_filing = die
    elif stage == "validate":
        greenmfg.validation.validate = die
    else:
        raise ValueError(f"unknown stage {stage!r}")


WARM_GX = "GREENMFG_TEST_WARM_GX"
TASKS = {"publish": publish, "ingest": ingest}


def warm_up() -> None:
    """What every child would otherwise redo: the git lookup of the code version, boto3's model loading,
    the indicators' imports."""
    import greenmfg.indicators  # noqa: F401 - imported by the first derive otherwise
    from greenmfg.storage.s3 import _new_client
    from greenmfg.versioning import code_version

    code_version()
    if os.environ.get(WARM_GX):
        import great_expectations  # noqa: F401 - seconds of imports every ingesting child would repeat
    _new_client("http://127.0.0.1:9", "us-east-1", "warm-up", "warm-up")  # opens no connection


def run_child(job: dict) -> None:
    code = 1
    try:
        for name in [n for n in os.environ if n.startswith("GREENMFG_")]:
            del os.environ[name]
        os.environ.update(job["env"])
        get_settings.cache_clear()
        Path(job["result"]).write_text(json.dumps(TASKS[job["task"]](job), default=str))
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def serve() -> int:
    warm_up()
    for line in sys.stdin:
        jobs = json.loads(line)
        children = []
        for job in jobs:
            pid = os.fork()
            if pid == 0:
                run_child(job)
            children.append(pid)
        codes = []
        for pid in children:
            _, status = os.waitpid(pid, 0)
            codes.append(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
        print(json.dumps(codes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve())
