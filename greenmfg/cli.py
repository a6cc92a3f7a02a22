"""The `greenmfg` command: subcommands are discovered in greenmfg/commands, one module each.

Every domain error becomes one line on stderr and a non-zero exit, never a traceback; bare `greenmfg`
prints the help.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

from greenmfg import __version__, commands
from greenmfg.errors import GreenmfgError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="greenmfg",
        description="Event-driven ETL for green-manufacturing statistics: ingest a bureau's filings, "
        "validate them, derive the indicators and publish Parquet snapshots.",
        epilog="`greenmfg COMMAND --help` describes a command, with examples. Start with `greenmfg run` "
        "(the demonstration) or `greenmfg ingest PATH` (your own files), then `greenmfg publish`.",
    )
    parser.add_argument("--version", action="version", version=f"greenmfg {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def _without_prefect_run_logs(record: logging.LogRecord) -> bool:
    """Prefect logs every run at INFO, and a failed task with its traceback: without -v those records stay in
    the Prefect API (and its UI), and the terminal shows only the one error line a failure ends with."""
    return not record.name.startswith("prefect")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for handler in logging.root.handlers:
            handler.addFilter(_without_prefect_run_logs)
    try:
        return int(args.handler(args) or 0)
    except GreenmfgError as exc:
        print(f"greenmfg {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"greenmfg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`greenmfg snapshots --json | head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush is quiet too
        return 0


if __name__ == "__main__":
    sys.exit(main())
