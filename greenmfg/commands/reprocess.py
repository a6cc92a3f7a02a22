"""`greenmfg reprocess`: re-validate a range's archived filings (--reparse), publish the full derive, report
the changes in the range; in-process by default, or as a run of the `reprocess` deployment on a server."""

from __future__ import annotations

import argparse

from greenmfg.commands import add_command, add_filing_type_option, add_task_runner_options, quiet_prefect
from greenmfg.commands._output import core_progress_on_stderr
from greenmfg.indicators import DATASETS

DEPLOYMENT = "reprocess/on-demand"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "reprocess",
        summary="re-validate (--reparse) a range of periods, publish the full derive",
        description=f"""\
With --reparse, parses and validates the archived filings of a range of periods again (e.g. after a
rule changed); then publishes every dataset derived whole from the filings in force, so a snapshot
never keeps rows of a superseded filing nor mixes policies across years. The range, --filing-type
and --dataset choose what is re-validated and what the report of changes focuses on; changes
outside it are listed too. Runs the reprocess flow in-process, or as a run of the {DEPLOYMENT}
deployment with --on-server.""",
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
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="the plan and the changes publishing would make; writes nothing",
    )
    parser.add_argument(
        "--accept-diff",
        action="store_true",
        help="publish even when the diff gate blocks; the manifest records the accepted blocks",
    )
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
        "accept_diff": args.accept_diff,
    }
    if args.dry_run:
        stores = open_stores()
        plan = reprocess.plan(
            build.select_filings(stores),
            args.year_from,
            args.year_to,
            filing_type=args.filing_type,
            dataset=args.dataset,
            reparse=args.reparse,
        )
        print(plan.describe())
        _print_changes(_dry_run_diff(stores), plan, dry_run=True)
        return 0
    if args.on_server:
        from prefect.deployments import run_deployment

        flow_run = run_deployment(DEPLOYMENT, parameters=parameters, timeout=0)
        print(f"submitted flow run {flow_run.name} ({flow_run.id}) of {DEPLOYMENT}")
        return 0
    return _run_in_process(parameters, args)


def _run_in_process(parameters: dict, args: argparse.Namespace) -> int:
    quiet_prefect(verbose=args.verbose)
    from flows.reprocess import reprocess as reprocess_flow
    from greenmfg.reprocess import ReprocessPlan

    with core_progress_on_stderr():
        result = reprocess_flow(**parameters, task_runner=args.task_runner, dask_address=args.dask_address)
    published = result["published"]
    status = (
        f"new snapshot, commit {published['sequence']}" if published["is_new"] else "nothing new published"
    )
    print(f"snapshot {published['snapshot_id']}: {status}")
    _print_changes(published["diff"], ReprocessPlan(**result["plan"]), dry_run=False)
    return 0


def _dry_run_diff(stores) -> dict | None:
    """The diff publishing the full derive would make now (from the filings as staged), or None when the
    latest snapshot already holds it."""
    from greenmfg.policy import load_policy
    from greenmfg.publication import publish_in_force

    publication = publish_in_force(stores, load_policy(), dry_run=True)
    return None if publication.prepared is None else publication.prepared.diff.to_dict()


def _print_changes(diff: dict | None, plan, *, dry_run: bool) -> None:
    """The changes inside the plan's focus, one line each, then the dataset periods outside it that change."""
    from greenmfg.reprocess import focus

    verb = "would change" if dry_run else "changed"
    if not diff:
        print(f"nothing {verb}: the latest snapshot holds the full derive of the filings in force")
        return
    changes = focus(diff, plan)
    for change in changes["periods"]:
        print(
            f"{change['dataset']} {change['period']}: rows {change['rows_before']} → {change['rows_after']}"
        )
    for value in changes["values"]:
        print(
            f"{value['dataset']} {value['period']} {value['region_code']} {value['column']}: "
            f"{value['before']:,.2f} → {value['after']:,.2f}"
        )
    if not changes["periods"] and not changes["values"]:
        print(f"nothing in the range {verb}")
    if changes["outside"]:
        shown = ", ".join(changes["outside"][:8]) + (" …" if len(changes["outside"]) > 8 else "")
        print(f"outside the range, {len(changes['outside'])} dataset period(s) {verb} too: {shown}")
