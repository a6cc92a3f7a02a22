"""Subcommands of `greenmfg`: each module defines `register(subparsers)` and sets `handler`."""

from __future__ import annotations

import argparse

TASK_RUNNERS = ("default", "dask")  # tasks/runners.py builds them


def add_task_runner_options(parser: argparse.ArgumentParser) -> None:
    """--task-runner and --dask-address, for the commands that run flows in-process."""
    parser.add_argument(
        "--task-runner",
        choices=TASK_RUNNERS,
        default="default",
        help="fan out per filing: in order in-process (default) or on a Dask cluster",
    )
    parser.add_argument("--dask-address", help="scheduler of a running Dask cluster (default: a local one)")
