"""`greenmfg prune`: retention of the published area — old snapshots and never-committed attempts go."""

from __future__ import annotations

import argparse

from greenmfg.publish import retention
from greenmfg.storage import open_stores


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prune", help="delete old snapshots and files of publishes that never committed"
    )
    parser.add_argument(
        "--keep-last", type=int, default=retention.DEFAULT_KEEP_LAST, metavar="N",
        help="keep the snapshots of the last N commits (default: %(default)s; latest is always kept)",
    )  # fmt: skip
    parser.add_argument(
        "--keep-days", type=float, default=retention.DEFAULT_KEEP_DAYS, metavar="DAYS",
        help="keep every snapshot committed within DAYS (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--pin", action="append", default=[], metavar="ID", help="keep this snapshot; repeat")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    published = open_stores().published
    plan = retention.apply_retention(
        published, keep_last=args.keep_last, keep_days=args.keep_days, pinned=args.pin, dry_run=args.dry_run
    )
    verb = "would delete" if plan.dry_run else "deleted"
    for ident in plan.pruned:
        print(f"{verb} snapshot {ident}")
    for ident in plan.uncommitted:
        print(f"{verb} uncommitted attempt {ident}")
    print(
        f"{verb} {len(plan.pruned)} snapshot(s) and {len(plan.uncommitted)} uncommitted attempt(s); "
        f"kept {len(plan.kept)} in {published.uri()}"
    )
    return 0
