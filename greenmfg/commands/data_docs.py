"""`greenmfg data-docs SHA...`: the Great Expectations Data Docs of any ingested filing, on request.

Ingestion stores every filing's GX result but builds no Data Docs by default (they cost about a second per
filing and are read rarely); a snapshot publishes one site for its source filings. This command renders the
stored results of the filings asked for — in force, superseded, held or rejected — as one offline site in a
local folder, validating nothing again.
"""

from __future__ import annotations

import argparse
import tempfile
import webbrowser
from pathlib import Path

from greenmfg.commands import add_command


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "data-docs",
        summary="build the Great Expectations Data Docs of ingested filings, from their stored results",
        description="""\
Renders the GX validation results stored when the given filings were ingested (in force or not) as
one Data Docs site in a local folder, readable offline. Nothing is validated again. SHA is a filing's
SHA-256 or a prefix of at least 12 hex characters (`greenmfg review --json` and the ingestion output
show them). A snapshot's own site is published with it, under snapshots/<id>/data_docs/.""",
        examples=[
            "greenmfg data-docs 3f2a1b0c9d8e --output docs-of-3f2a",
            "greenmfg data-docs 3f2a1b0c9d8e 77aa01be4c2d --open",
        ],
    )
    parser.add_argument(
        "sha", nargs="+", metavar="SHA", help="a filing's SHA-256, or 12+ of its first hex digits"
    )
    parser.add_argument(
        "--output", type=Path, metavar="DIR", help="folder of the site (default: a new temporary folder)"
    )
    parser.add_argument("--open", action="store_true", help="open the site's index in a web browser")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg import review, staging
    from greenmfg.errors import GreenmfgError, ObjectNotFoundError
    from greenmfg.storage import keys, open_stores
    from greenmfg.validation.docs_site import build_site, load_results

    stores = open_stores()
    records = staging.all_records(stores.staging)
    texts: dict[tuple[str, str], bytes] = {}
    for given in args.sha:
        record = review.resolve(given, records)
        sha256 = record["sha256"]
        types = sorted({part["filing_type"] for part in record.get("parts", []) if part.get("filing_type")})
        found = 0
        for filing_type in types:
            try:
                texts[(filing_type, sha256)] = stores.staging.read_bytes(
                    keys.validation_gx_result(filing_type, sha256)
                )
                found += 1
            except ObjectNotFoundError:
                continue
        if not found:
            raise GreenmfgError(
                f"filing {sha256[: review.MIN_PREFIX]} ({record.get('original_name', '?')}) has no stored "
                f"validation result in {stores.staging.uri()}: it was "
                f"{record.get('status', 'not validated')} before validation ran"
            )
    folder = args.output or Path(tempfile.mkdtemp(prefix="greenmfg-data-docs-"))
    index = build_site(load_results(texts), folder)
    print(f"Data Docs of {len(texts)} validation(s): {index}")
    if args.open:
        webbrowser.open(index.resolve().as_uri())
    return 0
