"""`greenmfg review`: the filings held for review, with their evidence; and the core of accept and reject."""

from __future__ import annotations

import argparse

from greenmfg.commands import add_command
from greenmfg.commands._output import print_json, print_table

COLUMNS = ("filing", "file", "type", "period", "rows", "quarantined", "against", "totals before → after")
NUMBERS = frozenset({"quarantined"})


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "review",
        summary="list the filings held for review, with the evidence (decide with accept / reject)",
        description="""\
A filing that passed validation is held for review, staged but not in force, when most of a table's
rows were quarantined, or when as a correction it moves the row count or a money or energy total of
the filing it would supersede beyond the bounds of the [review] table of GREENMFG_VALIDATION_CONFIG
(max_quarantined_share 0.25, max_total_change_share 0.5 by default). The filing in force stays in
force. Lists every held filing without a decision: its tables, rows, quarantined share, totals before
→ after against the filing it would supersede, and why it is held. Decide with `greenmfg accept SHA`
or `greenmfg reject SHA`, once.""",
        examples=["greenmfg review", "greenmfg review --json | jq -r '.[].sha256'"],
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array of held filings instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenmfg import review, staging
    from greenmfg.storage import open_stores

    stores = open_stores()
    held = review.pending(staging.all_records(stores.staging))
    if args.json:
        print_json(held)
        return 0
    if not held:
        print(f"no filing is held for review in {stores.staging.uri()}")
        return 0
    print_table(COLUMNS, evidence_rows(held), right=NUMBERS, title="held for review")
    for filing in held:
        for part in filing["parts"]:
            for reason in part["reasons"]:
                print(f"why {filing['sha256'][: review.MIN_PREFIX]}: {reason}")
    print(
        "decide each once: `greenmfg accept SHA` puts it in force at the next publish, `greenmfg reject SHA`"
    )
    return 0


def evidence_rows(held: list[dict]) -> list[list[object]]:
    """One row per held table and period it would supersede (one row when it supersedes nothing)."""
    from greenmfg.review import MIN_PREFIX, before_after

    rows = []
    for filing in held:
        for part in filing["parts"]:
            which = [filing["sha256"][:MIN_PREFIX], filing["original_name"], part["filing_type"]]
            share = f"{part['rows_quarantined']} ({part['quarantined_share']:.0%})"
            if not part["superseded"]:
                periods = ",".join(map(str, part["periods"])) or "-"
                rows.append([*which, periods, part["rows_accepted"], share, "-", "-"])
            for period, against in sorted(part["superseded"].items(), key=lambda item: int(item[0])):
                rows.append(
                    [
                        *which,
                        period,
                        before_after(against["rows"]),
                        share,
                        f"{against['sha256'][:MIN_PREFIX]} ({against['original_name']})",
                        "; ".join(f"{c} {before_after(v)}" for c, v in against["totals"].items()),
                    ]
                )
    return rows


# --- `greenmfg accept` and `greenmfg reject` (greenmfg/commands/accept.py, reject.py) ---------------------

OUTCOMES = {
    "accept": "its held tables take force at the next `greenmfg publish`",
    "reject": (
        "it is out of force: the next `greenmfg publish` drops any figures it gave; "
        "its bytes stay in the raw archive"
    ),
}


WITHDRAW = """ A filing accepted at ingestion can be rejected too: it is withdrawn, and the filing it
superseded takes force again at the next publish (how a bad correction found later is undone)."""


def register_decision(subparsers: argparse._SubParsersAction, decision: str) -> None:
    """The `accept` or `reject` command: one decision on a held filing, recorded once with who and when."""
    parser = add_command(
        subparsers,
        decision,
        summary=f"{decision} a filing held for review ({OUTCOMES[decision].split(';')[0]})",
        description=f"""\
Records the decision to {decision} a filing held for review (`greenmfg review` lists them):
{OUTCOMES[decision]}.{WITHDRAW if decision == "reject" else ""} The decision is stored once in the
staging area (decisions/<sha256>.json) with who took it, when (UTC) and why; a second decision on the
same filing is refused and the first one stands. SHA is the filing's SHA-256 or a prefix of at least 12 hex
characters that no other filing shares.""",
        examples=[
            f"greenmfg {decision} 3f2a1b0c9d8e --reason 'confirmed by phone with the bank'",
            f"greenmfg {decision} 3f2a1b0c9d8e --by zhang.wei",
        ],
    )
    parser.add_argument(
        "sha", metavar="SHA", help="the held filing's SHA-256, or 12+ of its first hex digits"
    )
    parser.add_argument("--reason", default="", help="why (kept with the decision)")
    parser.add_argument("--by", help="who decides (default: the operating-system user)")
    parser.set_defaults(handler=lambda args: decide(args, decision))


def decide(args: argparse.Namespace, decision: str) -> int:
    from datetime import UTC, datetime

    from greenmfg import review, staging
    from greenmfg.storage import open_stores

    stores = open_stores()
    record = review.resolve(args.sha, staging.all_records(stores.staging))
    taken = review.decide(
        stores.staging,
        record,
        review.Decision(
            sha256=record["sha256"],
            decision=decision,
            decided_by=_decided_by(args.by),
            decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
            reason=args.reason,
        ),
    )
    print(f"{record['sha256'][: review.MIN_PREFIX]} ({record['original_name']}) {taken.describe()}")
    print(OUTCOMES[decision])
    return 0


def _decided_by(given: str | None) -> str:
    import getpass

    from greenmfg.review import ReviewError

    if given is not None:
        if not given.strip():
            raise ReviewError("--by is empty; expected the name of who decides")
        return given.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ReviewError(
            "cannot tell who decides (no user name in the environment); pass --by NAME"
        ) from None
