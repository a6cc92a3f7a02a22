"""`greenmfg ingest PATH...`: land one's own files or folders in the configured store and ingest each at once.

Runs the core in-process (no Prefect engine, no server), so it starts and ends quickly. Exits 0 when every
file was accepted (quarantined rows allowed), 3 when any was rejected, unreadable or refused, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from greenmfg.commands import EXIT_REFUSED, FAILED_STATUSES, add_command, add_filing_type_option
from greenmfg.commands._output import print_json, print_table, stderr_progress
from greenmfg.landing import ALLOWED_EXTENSIONS, landing_prefixes, period_folder

COLUMNS = ("file", "type", "periods", "accepted", "quarantined", "status", "reason")
NUMBERS = frozenset({"accepted", "quarantined"})


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "ingest",
        summary="land your own files or folders in the store and ingest them (validate, stage)",
        description=f"""\
Writes each file to the landing area of the configured store (GREENMFG_STORE_URL: a local folder
or S3) and ingests it at once: archived as received, parsed, validated, its accepted rows staged,
its bad rows quarantined. Nothing is published: run `greenmfg publish` afterwards.

A file lands as <type>/<name> with --type, else as auto/<name> (the type is detected).
A folder contributes its {", ".join(ALLOWED_EXTENSIONS)} files (hidden and ~$ files skipped);
a subfolder named like a filing type keeps that type: <folder>/enterprise_stats/2020.csv.

exit status: 0 every file accepted (rows may be quarantined); 3 a file was rejected,
unreadable or refused (the reason is printed); 2 bad usage (a missing path, …).""",
        examples=[
            "greenmfg ingest 2020年规上工业企业统计.xlsx",
            "greenmfg ingest 贷款台账.csv --type green_loans --period 2020",
            "greenmfg ingest bureau/            # bureau/<filing_type>/<file>, or files of any type",
            "greenmfg ingest bureau/ --json > outcomes.json",
        ],
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to ingest")
    add_filing_type_option(
        parser, help="the filing type of every file (default: detected)", choices=landing_prefixes()
    )
    parser.add_argument(
        "--period", type=_period, help="the period (year, or batch of a MIIT list) of files that state none"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array of outcomes instead")
    parser.add_argument(
        "--docs", action="store_true", help="also build Great Expectations Data Docs per file"
    )
    parser.set_defaults(handler=run)


def _period(text: str) -> str:
    try:
        period_folder(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def run(args: argparse.Namespace) -> int:
    from greenmfg import landing_copy, landing_paths, sweep
    from greenmfg.storage import open_stores
    from greenmfg.validation import warm_up_in_background

    collected = landing_paths.collect(args.paths, filing_type=args.filing_type, period=args.period)
    if collected.files:
        warm_up_in_background()  # Great Expectations loads while the files are landed, archived and read
    stores = open_stores()
    outcomes: list[dict] = []
    with stderr_progress(len(collected.files)) as bar:
        for file in collected.files:
            bar.working_on(f"ingesting {file.path.name}")
            try:
                landing_copy.land(stores.landing, [(file.landing_key, file.path)])
            except OSError as exc:
                outcomes.append(_unreadable(file.path, file.landing_key, exc))
            else:
                result = sweep.ingest_landed(stores, file.landing_key, build_docs=args.docs)
                outcomes.append(outcome(file.path, file.landing_key, result))
            bar.advance()
    if args.json:
        print_json([{k: v for k, v in o.items() if k != "first_status"} for o in outcomes])
        _warn_skipped(collected.skipped, sys.stderr)
    else:
        _print_outcomes(outcomes, collected.skipped, stores.landing.uri())
    return EXIT_REFUSED if any(effective_status(o) in FAILED_STATUSES for o in outcomes) else 0


def outcome(path: Path, landing_key: str, result) -> dict:
    """One file's outcome; `--json` prints all but `first_status`, parts as the ingestion record has them."""
    return {
        "path": str(path),
        "landing_key": landing_key,
        "sha256": result.sha256,
        "status": result.status,
        "message": result.message,
        "parts": [asdict(part) for part in result.parts],
        # A duplicate repeats what became of the same bytes before: that decides the exit status.
        "first_status": result.record.get("status", result.status),
    }


def effective_status(outcome: dict) -> str:
    return outcome["first_status"] if outcome["status"] == "duplicate" else outcome["status"]


def _unreadable(path: Path, landing_key: str, exc: OSError) -> dict:
    return {
        "path": str(path),
        "landing_key": landing_key,
        "sha256": "",
        "status": "unreadable",
        "message": f"{path}: cannot read the file ({exc.strerror or exc})",
        "parts": [],
        "first_status": "unreadable",
    }


def table_rows(outcomes: list[dict]) -> list[list[object]]:
    """One row per table of each file (a file with no table readable: one row with its reason)."""
    rows = []
    for item in outcomes:
        status = item["status"]
        if status == "duplicate":
            status = f"duplicate ({item['first_status']} before)"
        if not item["parts"]:
            rows.append([item["path"], "-", "-", 0, 0, status, item["message"]])
        for part in item["parts"]:
            reason = "; ".join([*(part.get("rejection_reasons") or []), *(part.get("hold_reasons") or [])])
            part_status = part["status"] if item["status"] != "duplicate" else status
            rows.append(
                [
                    item["path"],
                    part["filing_type"],
                    ",".join(map(str, part["periods"])) or "-",
                    part["rows_accepted"],
                    part["rows_quarantined"],
                    part_status,
                    reason,
                ]
            )
    return rows


def _print_outcomes(outcomes: list[dict], skipped: list[Path], landing_uri: str) -> None:
    rows, columns = table_rows(outcomes), COLUMNS
    if not any(row[-1] for row in rows):  # no reason to give: no reason column
        rows, columns = [row[:-1] for row in rows], COLUMNS[:-1]
    print_table(columns, rows, right=NUMBERS, title=f"ingested into {landing_uri}")
    failed = [o for o in outcomes if effective_status(o) in FAILED_STATUSES]
    quarantined = sum(p["rows_quarantined"] for o in outcomes for p in o["parts"])
    print(
        f"{len(outcomes)} file(s): {len(outcomes) - len(failed)} accepted, {len(failed)} not "
        f"(rejected, unreadable, refused or held for review); {quarantined} row(s) quarantined"
    )
    if any(effective_status(o) == "held" for o in outcomes):
        print("held for review: `greenmfg review` shows the evidence, `greenmfg accept|reject SHA` decides")
    _warn_skipped(skipped, sys.stdout)
    if quarantined:
        print("quarantined rows and why: staging area, validation/<filing_type>/<sha256>/quarantine.parquet")
    if len(failed) < len(outcomes):
        print(
            "next: `greenmfg publish --dry-run` shows what a publish would change, `greenmfg publish` does it"
        )


def _warn_skipped(skipped: list[Path], stream: TextIO) -> None:
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (
            f", … (+{len(skipped) - 5} more)" if len(skipped) > 5 else ""
        )
        print(
            f"skipped {len(skipped)} file(s) that are not {'/'.join(ALLOWED_EXTENSIONS)}: {shown}",
            file=stream,
        )
