"""`greenmfg publish [--dry-run] [--accept-diff]`: derive the indicators from what is staged and publish.

Prints the diff against the current snapshot and the diff gate's decision; --dry-run reaches the same diff
and decision and writes nothing. Runs the publication loop (greenmfg/publication.py) in-process, without
the Prefect engine.
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
and period, keys that disappear, totals that move — and the diff gate's decision: pass, pass with
warnings, or blocked. --accept-diff publishes a blocked snapshot and records the accepted blocks
in its manifest. A snapshot built from the same filings as the latest is not published twice. If
another publisher commits first, the filings are selected and derived again: a snapshot is only
ever committed on the one it was compared with.

exit status: 0 published (or nothing new, or a dry run that would pass); 3 blocked by the
diff gate; 2 nothing staged or another error.""",
        examples=[
            "greenmfg publish --dry-run     # what would change, and whether the gate lets it through",
            "greenmfg publish",
            "greenmfg publish --json > publication.json",
            "greenmfg publish --accept-diff   # the blocks were checked: publish, and record them",
        ],
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the diff and the decision, write nothing"
    )
    parser.add_argument(
        "--accept-diff",
        action="store_true",
        help="publish even when the diff gate blocks; the manifest records the accepted blocks",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg import build
    from greenmfg.cities import check_store_city
    from greenmfg.policy import load_policy
    from greenmfg.publication import publish_in_force
    from greenmfg.storage import open_stores

    stores = open_stores()
    policy = load_policy()  # from the settings, as the publish-indicators flow reads it
    check_store_city(stores.published, policy.city_code)
    if build.nothing_to_publish(stores):
        raise GreenmfgError(
            f"nothing staged in {stores.staging.uri()} and nothing published yet: ingest files first "
            "(`greenmfg ingest PATH`)"
        )
    publication = publish_in_force(stores, policy, accept_diff=args.accept_diff, dry_run=args.dry_run)
    if publication.verdict == "unchanged" or (publication.result and not publication.is_new):
        return _report_unchanged({"snapshot_id": publication.snapshot_id, "report": publication.report}, args)
    summary = {
        "dry_run": args.dry_run,
        **publication.prepared.to_dict(),
        "sequence": None,
        "is_new": False,
        "report": None,
        "attempts": publication.attempts,
    }
    if publication.is_new:
        from greenmfg.report import publish_report

        report = stores.published.uri(publish_report(stores, publication.snapshot_id))
        summary |= {"sequence": publication.result.sequence, "is_new": True, "report": report}
    if args.json:
        print_json(summary)
    else:
        _print_summary(summary, stores.published.uri())
    return EXIT_REFUSED if publication.verdict == "blocked" else 0


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


def unmatched_removal_lines(unmatched: list[dict]) -> list[str]:
    """One line per removal-notice row that names no listed entry (it removes nothing)."""
    lines = []
    for row in unmatched:
        named = " ".join(str(row[c]) for c in ("entity_name", "product_name", "product_model") if row.get(c))
        lines.append(
            f"removal notice {row['source_sha256'][:12]} row {row['source_row']} names no entry of batch "
            f"{row['batch']} of {row['list_type']}: {named!r}; it removes nothing (check the name, batch and "
            "list, and that the list is ingested)"
        )
    return lines


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
    for reason in summary.get("accepted_blocks", []):
        print(f"  accepted (--accept-diff): {reason}")
    for warning in summary["warnings"]:
        print(f"  warning: {warning}")
    for line in unmatched_removal_lines(summary.get("unmatched_removals", [])):
        print(f"  warning: {line}")
    if summary["dry_run"]:
        outcome = "would refuse it" if verdict == "blocked" else "would publish it"
        print(f"dry run: nothing written; `greenmfg publish` {outcome}")
    elif verdict == "blocked":
        print("nothing published: the latest snapshot stays as it was")
    else:
        state = f"commit {summary['sequence']}"
        if summary["attempts"] > 1:
            state += f"; derived {summary['attempts']} times, as other publishers committed first"
        print(f"published snapshot {summary['snapshot_id']} ({state}) in {location}")
        print(f"report: {summary['report']}")
