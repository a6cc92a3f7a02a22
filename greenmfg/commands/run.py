"""`greenmfg run`: the main job on the embedded default, run as the main-job Prefect flow (flows/main_job.py).

Into an empty landing area it seeds the demonstration (reference filings + the real MIIT lists); a landing
area that holds anything is only swept. Then it publishes and prints the headline figures the snapshot holds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from greenmfg.commands import (
    EXIT_ERROR,
    EXIT_REFUSED,
    FAILED_STATUSES,
    add_city_option,
    add_command,
    add_task_runner_options,
    apply_city,
    quiet_prefect,
)
from greenmfg.commands._output import core_progress_on_stderr, print_table

INGESTED_COLUMNS = (
    "landing_key",
    "status",
    "filing_type",
    "rows_parsed",
    "rows_accepted",
    "rows_quarantined",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    from greenmfg.demonstration import MIIT_DIR

    parser = add_command(
        subparsers,
        "run",
        summary="the main job: (demonstration into an empty store), ingest what is landed, publish, headline",
        description="""\
Runs the main-job Prefect flow in-process (on a temporary local Prefect API unless PREFECT_API_URL
is set): into an empty landing area it first lands the demonstration — the city's reference filings
and the real MIIT lists; a landing area that holds anything (your own files, landed by
`greenmfg ingest`) is only swept, never mixed with reference data. Then every landed file not yet
ingested is ingested, the indicators are published as a snapshot, and the headline figures of
--year that the snapshot holds are printed. Running it again with nothing new publishes nothing.

exit status: 0 done; 3 a landed file was rejected, unreadable or refused (the rest is published).""",
        examples=[
            "greenmfg run                          # what `make run` does",
            "greenmfg run --city 330400            # Jiaxing's profile, in .greenmfg/cities/330400/",
            "greenmfg run --year 2019 --docs       # also Data Docs per filing",
            "GREENMFG_STORE_URL=/data/store greenmfg run",
            "greenmfg run --task-runner dask       # fan out per filing on a local Dask cluster",
        ],
    )
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=None,
        help="where the reference filings are generated (default: .greenmfg/reference, or "
        ".greenmfg/cities/<code>/reference for another city)",
    )
    parser.add_argument(
        "--miit-dir",
        type=Path,
        default=MIIT_DIR,
        help="folder of the real MIIT lists (default: ../shared/data/miit-green-lists)",
    )
    parser.add_argument("--year", type=int, default=2020, help="year of the headline figures (default: 2020)")
    parser.add_argument(
        "--docs",
        action="store_true",
        help="also build Great Expectations Data Docs per filing (the snapshot's site is always published; "
        "`greenmfg data-docs SHA` builds any filing's later)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help=argparse.SUPPRESS
    )  # accepted for old scripts: now the default
    add_city_option(parser)
    add_task_runner_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    apply_city(args)
    quiet_prefect(verbose=args.verbose)
    from flows.main_job import main_job
    from greenmfg import headline, summaries
    from greenmfg.cities import check_store_city, selected
    from greenmfg.settings import get_settings
    from greenmfg.storage import open_stores

    reference_dir = args.reference_dir or get_settings().local_root() / "reference"
    check_store_city(open_stores().published, selected().code)
    with core_progress_on_stderr():
        result = main_job(
            reference_dir=str(reference_dir),
            miit_dir=str(args.miit_dir),
            year=args.year,
            build_docs=args.docs and not args.no_docs,
            task_runner=args.task_runner,
            dask_address=args.dask_address,
        )
    published_area = open_stores().published.uri()
    seeded = result["demonstration"]
    if seeded["skipped_because"]:
        print(seeded["skipped_because"])
    else:
        print(f"landed {seeded['landed']} demonstration files")
        if not seeded["miit_lists_found"]:
            print(f"MIIT lists not found at {args.miit_dir}: national lists skipped")
    rows = summaries.ingestion_rows(result["ingested"])
    if rows:
        numbers = frozenset(c for c in INGESTED_COLUMNS if c.startswith("rows"))
        print_table(
            INGESTED_COLUMNS,
            [[row[c] for c in INGESTED_COLUMNS] for row in rows],
            right=numbers,
            title="ingested",
        )
    else:
        print("nothing new landed since the last run")
    failed = [row for row in rows if row["status"] in FAILED_STATUSES]
    for row in failed:
        print(f"{row['landing_key']}: {row['status']}: {row['message']}")
    published = result["published"]
    if published is None:
        print("nothing staged, so nothing published: ingest files the pipeline accepts first")
        return EXIT_REFUSED if failed else EXIT_ERROR
    print(headline.render(published, result["figures"], published_area, args.year))
    print(f"report: {published['report']}")
    return EXIT_REFUSED if failed else 0
