"""`greenmfg reprocess`: re-derive a range of periods (re-parse with --reparse) and publish, in-process by
default or as a run of the `reprocess` deployment on a Prefect server."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.progress import Progress

from greenmfg.commands import add_task_runner_options

DEPLOYMENT = "reprocess/on-demand"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reprocess", help="re-derive (and re-validate) a range of periods, publish"
    )
    parser.add_argument("--from", dest="year_from", type=int, required=True, help="first period (year)")
    parser.add_argument("--to", dest="year_to", type=int, required=True, help="last period (year)")
    parser.add_argument("--filing-type", help="only filings of this type (and the datasets they feed)")
    parser.add_argument("--dataset", help="only this dataset")
    parser.add_argument(
        "--reparse", action="store_true", help="parse and validate the archived filings again"
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be recomputed, change nothing")
    parser.add_argument(
        "--on-server",
        action="store_true",
        help=f"run the {DEPLOYMENT} deployment on the Prefect server (PREFECT_API_URL)",
    )
    add_task_runner_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg import build, reprocess
    from greenmfg.storage import open_stores

    console = Console()
    reprocess.check_arguments(args.year_from, args.year_to, args.filing_type, args.dataset)
    parameters = {
        "year_from": args.year_from,
        "year_to": args.year_to,
        "filing_type": args.filing_type,
        "dataset": args.dataset,
        "reparse": args.reparse,
    }
    if args.dry_run:
        selection = build.select_filings(open_stores())
        plan = reprocess.plan(
            selection,
            args.year_from,
            args.year_to,
            filing_type=args.filing_type,
            dataset=args.dataset,
            reparse=args.reparse,
        )
        console.print(plan.describe())
        return 0
    if args.on_server:
        from prefect.deployments import run_deployment

        flow_run = run_deployment(DEPLOYMENT, parameters=parameters, timeout=0)
        console.print(f"submitted flow run {flow_run.name} ({flow_run.id}) of {DEPLOYMENT}")
        return 0
    return _run_in_process(console, parameters, args)


def _run_in_process(console: Console, parameters: dict, args: argparse.Namespace) -> int:
    import logging

    from flows.reprocess import reprocess as reprocess_flow
    from greenmfg.progress import LOGGER, ProgressBarHandler
    from tasks.runners import make_task_runner

    with Progress(console=console, transient=True) as bar:
        handler = ProgressBarHandler(bar)
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        try:
            runner = make_task_runner(args.task_runner, address=args.dask_address)
            result = reprocess_flow.with_options(task_runner=runner)(**parameters)
        finally:
            LOGGER.removeHandler(handler)
    published = result["published"]
    status = "new snapshot" if published["is_new"] else "nothing new published (identical content)"
    console.print(f"snapshot {published['snapshot_id']}: {status}")
    console.print(json.dumps(published["diff"], ensure_ascii=False, indent=1)[:2000])
    return 0
