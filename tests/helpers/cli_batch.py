"""Test subprocess: run many `greenmfg` command lines in one process, each as the console script would.

Reads a JSON list of {"argv": [...], "env": {...}} on stdin; prints a JSON list of {"code", "stdout",
"stderr"}. An exception escaping greenmfg.cli.main is printed as Python prints it (a "Traceback" and exit
code 1), so a test can tell a clean one-line error from a crash; a command that runs longer than
CASE_TIMEOUT_SECONDS is stopped and reported as code "hang". One process saves seconds of imports per case.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import sys
import traceback
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from greenmfg.cli import main  # noqa: E402
from greenmfg.settings import get_settings  # noqa: E402

CASE_TIMEOUT_SECONDS = 60


class Hang(BaseException):
    """The command did not finish in time."""


def _alarm(_signum, _frame):
    raise Hang


def run(argv: list[str], env: dict[str, str]) -> dict:
    saved = dict(os.environ)
    os.environ.update(env)
    get_settings.cache_clear()
    logging.root.handlers.clear()  # main() configures logging afresh, onto this case's stderr
    out, err = io.StringIO(), io.StringIO()
    signal.alarm(CASE_TIMEOUT_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code: int | str = main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 1
            except Hang:
                code = "hang"
            except BaseException:
                traceback.print_exc()
                code = 1
    finally:
        signal.alarm(0)
        os.environ.clear()
        os.environ.update(saved)
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, _alarm)
    requests = json.loads(sys.stdin.read())
    print(json.dumps([run(r["argv"], r.get("env", {})) for r in requests]))
