"""`greenmfg report`: rebuild the HTML report of the latest (or a given) snapshot, beside the data.

`--open` alone only reads: it opens the report already published (a copy in a temporary folder when it is in
S3), so a consumer's read-only identity can use it and nothing is written to the working directory.
"""

from __future__ import annotations

import argparse
import tempfile
import webbrowser
from pathlib import Path

from greenmfg.commands import add_command
from greenmfg.errors import SnapshotError
from greenmfg.publish import latest
from greenmfg.storage import ObjectStore, keys, open_stores


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "report",
        summary="rebuild the HTML report of a snapshot (latest by default)",
        description="""\
Rebuilds the self-contained bilingual HTML report of a snapshot (figures, data quality, sources)
next to its data in the published area, and optionally copies or opens it.""",
        examples=[
            "greenmfg report --open",
            "greenmfg report --snapshot 2190166f8bdb5c9fa3c09e3f --output report.html",
        ],
    )
    parser.add_argument("--snapshot", metavar="ID", help="snapshot id (default: the latest committed one)")
    parser.add_argument("--output", type=Path, metavar="PATH", help="also write the report to this file")
    parser.add_argument("--open", action="store_true", help="open the report in a web browser")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg.report import publish_report

    stores = open_stores()
    snapshot_id = args.snapshot
    if snapshot_id is None:
        head = latest(stores.published)
        if head is None:
            raise SnapshotError(
                f"{stores.published.uri()}: no snapshot published yet; run `greenmfg run` first"
            )
        snapshot_id = head.snapshot_id
    if args.open and args.output is None and stores.published.exists(keys.snapshot_report(snapshot_id)):
        _open(stores.published, keys.snapshot_report(snapshot_id))
        return 0
    key = publish_report(stores, snapshot_id)
    print(f"report of snapshot {snapshot_id}: {stores.published.uri(key)}")
    opened = stores.published.uri(key)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(stores.published.read_bytes(key))
        print(f"copy written to {args.output} (links into the staging area work from the store's copy)")
        opened = str(args.output.resolve())
    if args.open:
        if opened.startswith("s3://"):
            print("the report is in S3: pass --output PATH to open a local copy")
        else:
            webbrowser.open(Path(opened).resolve().as_uri())
    return 0


def _open(published: ObjectStore, key: str) -> None:
    """Open a published report in a browser: in place when local, else a copy in a new temporary folder."""
    address = published.uri(key)
    if address.startswith("s3://"):
        folder = Path(tempfile.mkdtemp(prefix="greenmfg-report-"))
        local = folder / "report.html"
        local.write_bytes(published.read_bytes(key))
        print(f"report {address} copied to {local}")
    else:
        local = Path(address)
        print(f"report: {local}")
    webbrowser.open(local.resolve().as_uri())
