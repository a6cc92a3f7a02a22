"""Subcommands of `greenmfg`: each module defines `register(subparsers)` and sets `handler`.

Modules whose name starts with `_` are helpers shared by the commands, not commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from greenmfg.alerts import STATUS_ALERTS
from greenmfg.errors import GreenmfgError, ValidationRejectedError

TASK_RUNNERS = ("default", "dask")  # tasks/runners.py builds them
# Ingestion outcomes that leave a file (or one of its tables) not in force — rejected, unreadable, refused,
# partly rejected or held for review (the outcomes the operator is alerted to): a command meeting one exits
# EXIT_REFUSED, as it does when the diff gate refuses a publish.
FAILED_STATUSES = frozenset(STATUS_ALERTS)
EXIT_REFUSED = ValidationRejectedError.exit_code
EXIT_ERROR = GreenmfgError.exit_code  # bad usage or another error


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    """A subcommand with a one-line summary (in `greenmfg --help`), a description and worked examples."""
    lines = "\n".join(f"  {example}" for example in examples)
    return subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"examples:\n{lines}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_filing_type_option(
    parser: argparse.ArgumentParser,
    flag: str = "--type",
    *,
    help: str = "skip type detection",
    choices: Sequence[str] | None = None,
) -> None:
    """A filing-type option whose help lists the valid types (the contracts' registry unless given)."""
    from greenmfg.contracts import CONTRACTS

    parser.add_argument(
        flag,
        dest="filing_type",
        choices=sorted(CONTRACTS) if choices is None else list(choices),
        metavar="TYPE",
        help=f"{help}; one of: %(choices)s",
    )


def add_city_option(parser: argparse.ArgumentParser) -> None:
    """--city CODE: the city profile for this command (as GREENMFG_CITY; Huzhou, 330500, by default)."""
    parser.add_argument(
        "--city",
        metavar="CODE",
        help="GB/T 2260 code of the city profile (greenmfg/cities/profiles/<code>.toml): sets GREENMFG_CITY "
        "for this command; its local store and reference filings live under .greenmfg/cities/<code>/",
    )


def apply_city(args: argparse.Namespace) -> None:
    """Select the city of --city (when given) for everything this process reads from the settings, and
    check that its profile exists: a wrong code is one line naming the profiles there are."""
    import os

    from greenmfg.cities import selected
    from greenmfg.settings import get_settings

    if getattr(args, "city", None):
        os.environ["GREENMFG_CITY"] = args.city
        get_settings.cache_clear()
    selected()


def add_task_runner_options(parser: argparse.ArgumentParser) -> None:
    """--task-runner and --dask-address, for the commands that run flows in-process."""
    parser.add_argument(
        "--task-runner",
        choices=TASK_RUNNERS,
        default="default",
        help="fan out per filing: in order in-process (default) or on a Dask cluster",
    )
    parser.add_argument("--dask-address", help="scheduler of a running Dask cluster (default: a local one)")


def quiet_prefect(*, verbose: bool) -> None:
    """For a command that runs flows in this process: no telemetry from the temporary Prefect server (its
    heartbeat printed a SQLite traceback when the database was busy), and its logs only when asked for."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
