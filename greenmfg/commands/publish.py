"""`greenmfg publish [--dry-run]`: derive the indicators from what is staged and publish a snapshot.

Prints the diff against the current snapshot and the diff gate's decision; --dry-run reaches the same diff
and decision and writes nothing. Runs the core in-process, without the Prefect engine.
"""

from __future__ import annotations

import argparse

from greenmfg.commands import EXIT_REFUSED, add_command
from greenmfg.commands._output import print_json, print_table
from greenmfg.errors import GreenmfgError

CHANGE_COLUMNS = ("dataset", "period", "rows before", "rows after", "change")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "publish",
        summary="derive the indicators from what is staged and publish a snapshot (or --dry-run)",
        description="""\
Selects the filing in force for each filing type and period (a correction wins over the filing it
corrects), derives every indicator dataset and publishes them as one immutable snapshot with its
report. Before committing it prints what changes against the current snapshot — rows per dataset
and period, keys that disappear — and the diff gate's decision: pass, pass with warnings, or
blocked (too many rows lost). A snapshot built from the same filings as the latest is not
published twice.

exit status: 0 published (or nothing new, or a dry run that would pass); 3 blocked by the
diff gate; 2 nothing staged or another error.""",
        examples=[
            "greenmfg publish --dry-run     # what would change, and whether the gate lets it through",
            "greenmfg publish",
            "greenmfg publish --json > publication.json",
        ],
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the diff and the decision, write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg import build
    from greenmfg.cities import check_store_city
    from greenmfg.policy import load_policy
    from greenmfg.storage import keys, open_stores

    stores = open_stores()
    params = load_policy()  # from the settings, as the publish-indicators flow reads it
    check_store_city(stores.published, params.city_code)
    selection = build.select_filings(stores)
    if not selection.chosen:
        raise GreenmfgError(
            f"nothing staged in {stores.staging.uri()}: ingest files first (`greenmfg ingest PATH`)"
        )
    unchanged = build.unchanged_snapshot(stores, selection, params)
    if unchanged is not None:
        return _report_unchanged(unchanged, args)
    datasets = build.derive(build.load_inputs(stores, selection), params)
    prepared = build.prepare(stores, datasets, selection, params)
    if prepared.is_unchanged:  # the same content as latest, though built from other inputs or code
        report = stores.published.uri(keys.snapshot_report(prepared.snapshot_id))
        return _report_unchanged({"snapshot_id": prepared.snapshot_id, "report": report}, args)
    summary = {
        "dry_run": args.dry_run,
        **prepared.to_dict(),
        "sequence": None,
        "is_new": False,
        "report": None,
    }
    if not args.dry_run and prepared.verdict != "blocked":
        from greenmfg.publish import commit_snapshot
        from greenmfg.report import publish_report

        result = commit_snapshot(stores.published, prepared)
        report = stores.published.uri(publish_report(stores, result.snapshot_id))
        summary |= {"sequence": result.sequence, "is_new": result.is_new, "report": report}
    if args.json:
        print_json(summary)
    else:
        _print_summary(summary, stores.published.uri())
    return EXIT_REFUSED if prepared.verdict == "blocked" else 0


def _report_unchanged(unchanged: dict, args: argparse.Namespace) -> int:
    if args.json:
        print_json({"dry_run": args.dry_run, "snapshot_id": unchanged["snapshot_id"], "verdict": "unchanged",
                    "warnings": [], "blocks": [], "diff": None, "datasets": None, "sequence": None,
                    "is_new": False, "report": unchanged["report"]})  # fmt: skip
    else:
        print(
            f"nothing new: the latest snapshot {unchanged['snapshot_id']} already holds what the staged "
            f"filings give; its report: {unchanged['report']}"
        )
    return 0


def change_rows(diff: dict) -> tuple[list[list[object]], int]:
    """(rows of the periods whose row count changes, how many periods keep theirs)."""
    rows, same = [], 0
    for change in diff["periods"]:
        before, after = change["rows_before"], change["rows_after"]
        if before == after:
            same += 1
            continue
        label = "new" if before == 0 else "gone" if after == 0 else f"{after - before:+d}"
        rows.append([change["dataset"], change["period"], before, after, label])
    return rows, same


def _print_summary(summary: dict, location: str) -> None:
    diff = summary["diff"]
    parent = (
        f"the current snapshot {diff['parent_snapshot_id']} (commit {diff['parent_sequence']})"
        if diff["parent_snapshot_id"]
        else "nothing (the first snapshot)"
    )
    print(f"snapshot {summary['snapshot_id']} against {parent}:")
    rows, same = change_rows(diff)
    if rows:
        print_table(CHANGE_COLUMNS, rows, right=frozenset(CHANGE_COLUMNS[2:]))
    print(f"{len(rows)} dataset period(s) change their row count, {same} keep it")
    for gone in diff["disappeared"]:
        if gone["count"]:
            examples = gone["examples"]
            print(
                f"disappeared from {gone['dataset']}: {gone['count']} key(s) {gone['key']}, e.g. {examples}"
            )
    verdict = summary["verdict"]
    decision = {"blocked": "BLOCKED", "warnings": "pass with warnings"}.get(verdict, "pass")
    print(f"diff gate: {decision}")
    for reason in summary["blocks"]:
        print(f"  blocked: {reason}")
    for warning in summary["warnings"]:
        print(f"  warning: {warning}")
    if summary["dry_run"]:
        outcome = "would refuse it" if verdict == "blocked" else "would publish it"
        print(f"dry run: nothing written; `greenmfg publish` {outcome}")
    elif verdict == "blocked":
        print("nothing published: the latest snapshot stays as it was")
    else:
        state = (
            f"commit {summary['sequence']}" if summary["is_new"] else "unchanged: it already was the latest"
        )
        print(f"published snapshot {summary['snapshot_id']} ({state}) in {location}")
        print(f"report: {summary['report']}")
