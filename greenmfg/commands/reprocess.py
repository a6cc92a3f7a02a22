"""`greenmfg reprocess`: re-derive a range of periods (re-parse with --reparse) and publish, in-process by
default or as a run of the `reprocess` deployment on a Prefect server."""

from __future__ import annotations

import argparse
import json

from greenmfg.commands import add_command, add_filing_type_option, add_task_runner_options
from greenmfg.commands._output import core_progress_on_stderr
from greenmfg.indicators import DATASETS

DEPLOYMENT = "reprocess/on-demand"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "reprocess",
        summary="re-derive (and re-validate) a range of periods, publish",
        description=f"""\
Derives the datasets of a range of periods again from the filings in force (with --reparse, parses
and validates the archived filings again first, e.g. after a rule changed) and publishes a snapshot
in which only those periods change. Runs the reprocess flow in-process, or as a run of the
{DEPLOYMENT} deployment with --on-server.""",
        examples=[
            "greenmfg reprocess --from 2019 --to 2020 --dry-run",
            "greenmfg reprocess --from 2020 --to 2020 --filing-type green_loans --reparse",
            "greenmfg reprocess --from 2017 --to 2021 --dataset green_coverage --on-server",
        ],
    )
    parser.add_argument("--from", dest="year_from", type=int, required=True, help="first period (year)")
    parser.add_argument("--to", dest="year_to", type=int, required=True, help="last period (year)")
    add_filing_type_option(
        parser, "--filing-type", help="only filings of this type (and the datasets they feed)"
    )
    parser.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        metavar="DATASET",
        help="only this dataset; one of: %(choices)s",
    )
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
        print(plan.describe())
        return 0
    if args.on_server:
        from prefect.deployments import run_deployment

        flow_run = run_deployment(DEPLOYMENT, parameters=parameters, timeout=0)
        print(f"submitted flow run {flow_run.name} ({flow_run.id}) of {DEPLOYMENT}")
        return 0
    return _run_in_process(parameters, args)


def _run_in_process(parameters: dict, args: argparse.Namespace) -> int:
    from flows.reprocess import reprocess as reprocess_flow

    with core_progress_on_stderr():
        result = reprocess_flow(**parameters, task_runner=args.task_runner, dask_address=args.dask_address)
    published = result["published"]
    status = "new snapshot" if published["is_new"] else "nothing new published (identical content)"
    print(f"snapshot {published['snapshot_id']}: {status}")
    print(json.dumps(published["diff"], ensure_ascii=False, indent=1)[:2000])
    return 0
