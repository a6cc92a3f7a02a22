"""`greenmfg snapshots`: the commit log, oldest first, with each snapshot's datasets and row counts."""

from __future__ import annotations

import argparse

from greenmfg.publish import list_snapshots
from greenmfg.storage import open_stores


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("snapshots", help="list published snapshots (the commit log)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    published = open_stores().published
    entries = list_snapshots(published)
    if not entries:
        print(f"no snapshot published yet in {published.uri()}")
        return 0
    print(f"{'seq':>5}  {'snapshot':<24}  {'committed_at':<27}  {'sources':>7}  datasets (rows)")
    for entry in entries:
        marker = "*" if entry is entries[-1] else " "
        datasets = ", ".join(f"{name} ({rows})" for name, rows in sorted(entry.datasets.items()))
        print(
            f"{entry.sequence:>4}{marker}  {entry.snapshot_id:<24}  {entry.committed_at:<27}  "
            f"{entry.sources_count:>7}  {datasets}"
        )
    print(f"* latest; published area {published.uri()}")
    return 0
