"""`greenmfg snapshots`: the commit log, oldest first, with each snapshot's datasets and row counts."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from greenmfg.commands import add_command
from greenmfg.commands._output import print_json, print_table
from greenmfg.publish import list_snapshots
from greenmfg.storage import open_stores

COLUMNS = ("seq", "snapshot", "committed_at", "sources", "datasets (rows)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "snapshots",
        summary="list published snapshots (the commit log)",
        description="""\
Lists the commit log of the published area, oldest first: each commit's number, snapshot id,
time, number of source filings and datasets with their rows. The last one is `latest`; pin a
snapshot by its id (`greenmfg read DATASET --snapshot ID`).""",
        examples=["greenmfg snapshots", "greenmfg snapshots --json | jq -r '.[-1].snapshot_id'"],
    )
    parser.add_argument("--json", action="store_true", help="print the commit entries as one JSON array")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    published = open_stores().published
    entries = list_snapshots(published)
    if args.json:
        print_json([asdict(entry) | {"is_latest": entry is entries[-1]} for entry in entries])
        return 0
    if not entries:
        print(f"no snapshot published yet in {published.uri()}")
        return 0
    rows = [
        [
            f"{entry.sequence}{'*' if entry is entries[-1] else ''}",
            entry.snapshot_id,
            entry.committed_at,
            entry.sources_count,
            ", ".join(f"{name} ({count})" for name, count in sorted(entry.datasets.items())),
        ]
        for entry in entries
    ]
    print_table(COLUMNS, rows, right=frozenset({"seq", "sources"}))
    print(f"* latest; published area {published.uri()}")
    return 0
