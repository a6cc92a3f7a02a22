"""Held filings and their review: why a staged table is held, the evidence shown, and the decisions.

A table that passed validation is held (staged, not in force) when most of its rows were quarantined, or
when, as a correction, it moves the row count or a headline total of the filing it would supersede beyond
the `[review]` bounds (greenmfg/validation/review_thresholds.py). A person then accepts or rejects it once:
the decision is a create-once object in the staging area, with who, when and why.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import pandas as pd

from greenmfg import units
from greenmfg.contracts.model import Contract
from greenmfg.errors import GreenmfgError, ObjectNotFoundError, PreconditionFailedError
from greenmfg.storage import ObjectStore, keys
from greenmfg.validation.review_thresholds import ReviewThresholds

HELD = "held"
DECISIONS = ("accept", "reject")
DECIDED = {"accept": "accepted", "reject": "rejected"}
# Dimensions of units.CANONICAL whose totals a correction must not move far: money and energy.
HEADLINE_DIMENSIONS = frozenset({"money", "standard_coal", "electricity", "heat"})
# Statuses of a filing in force a reviewer may withdraw (reject after the fact).
WITHDRAWABLE = frozenset({"accepted", "partly_rejected"})
MIN_PREFIX = 12
_HEX = re.compile(r"^[0-9a-f]+$")


class ReviewError(GreenmfgError):
    """A decision that cannot be taken: an unknown or ambiguous filing, or one not held for review."""


class AlreadyDecidedError(ReviewError):
    """A second decision on the same filing: refused, the first one stands."""

    exit_code = 3


# --- the hold rules ------------------------------------------------------------------------------------


def headline_columns(contract: Contract) -> tuple[str, ...]:
    """Float columns whose unit measures money or energy: the totals a correction is checked on."""
    return tuple(
        c.name
        for c in contract.columns
        if c.dtype == "float" and c.unit and units.CANONICAL[c.unit][0] in HEADLINE_DIMENSIONS
    )


def totals(contract: Contract, rows: pd.DataFrame) -> dict[str, float]:
    """Row count aside, the total of every headline column (missing values count as nothing)."""
    return {name: float(rows[name].sum(skipna=True)) for name in headline_columns(contract)}


def superseded_evidence(
    contract: Contract, before: pd.DataFrame, after: pd.DataFrame, *, sha256: str, original_name: str
) -> dict:
    """One period of a correction against the filing in force it would supersede: rows and totals."""
    old, new = totals(contract, before), totals(contract, after)
    return {
        "sha256": sha256,
        "original_name": original_name,
        "rows": [len(before), len(after)],
        "totals": {name: [old[name], new[name]] for name in old},
    }


def change_share(before: float, after: float) -> float:
    """|after − before| as a share of |before|; from nothing to something is an unbounded change."""
    if before == 0:
        return 0.0 if after == 0 else math.inf
    return abs(after - before) / abs(before)


def hold_reasons(
    parsed: int, quarantined: int, superseded: Mapping[str, dict], thresholds: ReviewThresholds
) -> list[str]:
    """Why a table is held (empty: it takes force): one reason per rule it breaks, with the figures.

    `superseded` maps each period the table corrects to superseded_evidence() against the filing in force.
    """
    reasons = []
    if parsed and quarantined / parsed > thresholds.max_quarantined_share:
        reasons.append(
            f"{quarantined} of {parsed} rows quarantined ({quarantined / parsed:.0%}), more than "
            f"max_quarantined_share {thresholds.max_quarantined_share:.0%}"
        )
    bound = thresholds.max_total_change_share
    for period, against in sorted(superseded.items(), key=lambda item: int(item[0])):
        measures = {"rows": against["rows"], **{f"{c} total": v for c, v in against["totals"].items()}}
        moved = [
            f"{name} {before_after(pair)} ({_signed_change(*pair)})"
            for name, pair in measures.items()
            if change_share(*pair) > bound
        ]
        if moved:
            reasons.append(
                f"{period} against {against['sha256'][:MIN_PREFIX]} ({against['original_name']}): "
                f"{', '.join(moved)}, more than max_total_change_share {bound:.0%}"
            )
    return reasons


def before_after(pair: list[float]) -> str:
    """`148 → 10`, `330,000 → 21,930.50`: a figure before and after, as people read them."""
    return " → ".join(f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}" for v in pair)


def _signed_change(before: float, after: float) -> str:
    return "from 0" if before == 0 else f"{(after - before) / abs(before):+.0%}"


def held_message(parts: Iterable[dict]) -> str:
    """The ingestion record's message for a held filing: one line per held table, saying why."""
    return "\n".join(
        f"{p['filing_type']} {','.join(map(str, p['periods'])) or '-'}: {'; '.join(p['hold_reasons'])}"
        for p in parts
        if p["status"] == HELD
    )


# --- decisions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What a person decided about a held filing: `accept` puts its held tables in force, `reject` never."""

    sha256: str
    decision: str
    decided_by: str
    decided_at: str  # UTC, ISO 8601
    reason: str

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ReviewError(f"unknown decision {self.decision!r}; expected one of {list(DECISIONS)}")

    def describe(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        return f"{DECIDED[self.decision]} by {self.decided_by} at {self.decided_at}{why}"


def read_decisions(staging: ObjectStore) -> dict[str, Decision]:
    """Every decision taken, by filing."""
    found = {}
    for info in staging.list(keys.DECISIONS_PREFIX):
        if info.key.endswith(".json"):
            decision = Decision(**json.loads(staging.read_bytes(info.key)))
            found[decision.sha256] = decision
    return found


def read_decision(staging: ObjectStore, sha256: str) -> Decision | None:
    try:
        return Decision(**json.loads(staging.read_bytes(keys.review_decision(sha256))))
    except ObjectNotFoundError:
        return None


def is_held(record: Mapping) -> bool:
    return any(part.get("status") == HELD for part in record.get("parts", []))


def decide(staging: ObjectStore, record: Mapping, decision: Decision) -> Decision:
    """Record `decision` on `record`, once: a filing already decided keeps its first. A held filing may be
    accepted or rejected; one accepted at ingestion may only be rejected — withdrawn after the fact, so the
    filing it superseded takes force again."""
    name = f"{record['sha256'][:MIN_PREFIX]} ({record['original_name']})"
    first = read_decision(staging, record["sha256"])
    withdrawable = record.get("status") in WITHDRAWABLE and decision.decision == "reject"
    if first is None and not (is_held(record) or withdrawable):
        raise ReviewError(
            f"filing {name} is {record.get('status', 'not ingested')}: only a held filing can be accepted, "
            "and only a held or accepted one rejected"
        )
    if first is None:
        body = json.dumps(asdict(decision), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        try:
            staging.write_bytes(keys.review_decision(decision.sha256), body.encode("utf-8"), if_absent=True)
            return decision
        except PreconditionFailedError:  # another reviewer was first
            first = read_decision(staging, record["sha256"])
    raise AlreadyDecidedError(f"filing {name} was already {first.describe()}; a decision is taken once")


def resolve(prefix: str, records: Iterable[Mapping]) -> Mapping:
    """The ingested filing whose SHA-256 starts with `prefix` (at least 12 hex characters, unambiguous)."""
    wanted = prefix.strip().lower()
    if len(wanted) < MIN_PREFIX or len(wanted) > 64 or not _HEX.match(wanted):
        raise ReviewError(
            f"{prefix!r} is not a filing's SHA-256 or a prefix of it; expected {MIN_PREFIX} to 64 hex "
            "characters (`greenmfg review` lists the held filings)"
        )
    found = [r for r in records if r["sha256"].startswith(wanted)]
    if not found:
        raise ReviewError(f"no ingested filing has a SHA-256 starting with {wanted}")
    if len(found) > 1:
        shown = ", ".join(sorted(r["sha256"] for r in found))
        raise ReviewError(f"{wanted} is ambiguous: it starts {shown}; give more characters")
    return found[0]


# --- what `greenmfg review` shows ----------------------------------------------------------------------


def pending(records: Iterable[Mapping]) -> list[dict]:
    """Held filings without a decision (records as staging.all_records gives them), with their evidence,
    received first first."""
    shown = []
    for record in sorted(records, key=lambda r: (r["received_at"], r["original_name"], r["sha256"])):
        if not is_held(record) or record.get("decision"):
            continue
        shown.append(
            {
                "sha256": record["sha256"],
                "original_name": record["original_name"],
                "landing_key": record.get("landing_key"),
                "received_at": record["received_at"],
                "parts": [_part_evidence(p) for p in record["parts"] if p.get("status") == HELD],
            }
        )
    return shown


def _part_evidence(part: Mapping) -> dict:
    parsed = part["rows_parsed"]
    return {
        "filing_type": part["filing_type"],
        "periods": part["periods"],
        "rows_parsed": parsed,
        "rows_accepted": part["rows_accepted"],
        "rows_quarantined": part["rows_quarantined"],
        "quarantined_share": part["rows_quarantined"] / parsed if parsed else 0.0,
        "superseded": part.get("superseded", {}),
        "reasons": list(part.get("hold_reasons", [])),
    }
