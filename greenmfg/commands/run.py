"""`greenmfg run`: the main job on the embedded default — reference filings and the real MIIT lists landed,
ingested, validated, derived and published, then the headline figures read back from the snapshot."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from greenmfg.commands import add_task_runner_options

MIIT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "miit-green-lists"
STATE_DIR = Path(".greenmfg")


def quiet_prefect(*, verbose: bool) -> None:
    """No telemetry from the temporary Prefect server, and its logs only when asked for."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="land the reference filings and MIIT lists, ingest, publish")
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=STATE_DIR / "reference",
        help="where the reference filings are generated (default: %(default)s)",
    )
    parser.add_argument(
        "--miit-dir",
        type=Path,
        default=MIIT_DIR,
        help="folder of the real MIIT lists (default: ../shared/data/miit-green-lists)",
    )
    parser.add_argument("--year", type=int, default=2020, help="year of the headline figures (default: 2020)")
    parser.add_argument("--no-docs", action="store_true", help="skip building Great Expectations Data Docs")
    add_task_runner_options(parser)
    parser.set_defaults(handler=run)


def ingestion_table(rows: list[dict]):
    from rich.table import Table

    columns = [
        "landing_key",
        "status",
        "filing_type",
        "rows_parsed",
        "rows_accepted",
        "rows_quarantined",
        "rows_flagged",
    ]
    table = Table(title="ingested filings", show_lines=False)
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right" if column.startswith("rows") else "left")
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    return table


def run(args: argparse.Namespace) -> int:
    quiet_prefect(verbose=args.verbose)
    from flows.publish_indicators import publish_indicators
    from flows.sweep_landing import sweep_landing
    from greenmfg import headline, landing_copy, miit_landing, summaries
    from greenmfg.reference import generate
    from greenmfg.storage import open_stores
    from tasks.runners import make_task_runner

    console = Console()
    stores = open_stores()
    generate(args.reference_dir)
    files = landing_copy.landing_files(args.reference_dir)
    if args.miit_dir.is_dir():
        files += miit_landing.miit_landing_files(args.miit_dir)
    else:
        console.print(f"[yellow]MIIT lists not found at {args.miit_dir}: national lists skipped[/]")
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task("landing filings", total=len(files))
        for key, path in files:
            landing_copy.land(stores.landing, [(key, path)])
            progress.advance(bar)
    console.print(f"landed {len(files)} files in {stores.landing.uri()}")
    runner = make_task_runner(args.task_runner, address=args.dask_address)
    results = sweep_landing.with_options(task_runner=runner)(build_docs=not args.no_docs)
    console.print(
        summaries.markdown_table(
            summaries.ingestion_rows(results),
            ["landing_key", "status", "filing_type", "rows_parsed", "rows_accepted", "rows_quarantined"],
        )
    )
    published = publish_indicators()
    figures = headline.headline_figures(stores.published, published["snapshot_id"], args.year)
    console.print(headline.render(published, figures, stores.published.uri(), args.year))
    console.print(f"report: {published['report']}")
    return 0
