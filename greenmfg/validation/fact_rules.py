"""Table-level rules, each declared once with its fact check, thresholds and severities: continuity and drift
against the previous accepted filing, and rows per batch against MIIT's official counts.

A fact check returns one fact per thing it judged (check, group, observed, expected, is_ok, detail); the
suite's "facts" expectations require is_ok to be True for each rule, so these too run through Great
Expectations.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from greenmfg import codes
from greenmfg.contracts import Contract
from greenmfg.validation.declaration import CheckInput, Rule, RuleDeclaration, Threshold, fact

FACT_COLUMNS = ("check", "group", "observed", "expected", "is_ok", "detail")
_SEPARATOR = "\x1f"
# Awards and loans go to different enterprises every year, and each removal notice names other entries: their
# keys are not expected to recur, and their row counts vary more than a register's.
_NEW_RECIPIENTS_EACH_YEAR = ("incentives", "green_loans", "miit_removals")


def _fact(check: str, group: str, observed: float, expected: str, is_ok: bool, detail: str) -> dict:
    return dict(
        zip(FACT_COLUMNS, (check, group, float(observed), expected, bool(is_ok), detail), strict=True)
    )


def key_strings(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string per row joining the key columns (missing values included), for set comparisons."""
    parts = [rows[c].astype("string").fillna("<NA>") for c in columns]
    if len(parts) == 1:
        return parts[0]
    return parts[0].str.cat(parts[1:], sep=_SEPARATOR)


def _period_continuity(rows: pd.DataFrame, given: CheckInput) -> list[dict]:
    if given.previous is None:
        return []
    period = given.contract.period_column
    current, before = rows[period].dropna(), given.previous[period].dropna()
    if not (len(current) and len(before)):
        return []
    first, last_before = int(current.min()), int(before.max())
    return [
        _fact(
            "period_continuity",
            "",
            first,
            f"<= {last_before + 1}",
            first <= last_before + 1,
            f"first period {first}; the previous filing ended at {last_before}",
        )
    ]


def _row_count_change(rows: pd.DataFrame, given: CheckInput) -> list[dict]:
    previous = given.previous
    if previous is None or not len(previous):
        return []
    change = (len(rows) - len(previous)) / len(previous)
    low = -given.config.threshold("max_row_count_drop_share")
    high = given.config.threshold("max_row_count_growth_share")
    return [
        _fact(
            "row_count_change",
            "",
            change,
            f"{low:g} <= change <= {high:g}",
            low <= change <= high,
            f"{len(rows)} rows vs {len(previous)} in the previous filing ({change:+.1%})",
        )
    ]


def _deleted_keys(rows: pd.DataFrame, given: CheckInput) -> list[dict]:
    previous, contract = given.previous, given.contract
    if previous is None or not len(previous):
        return []
    identity = [c for c in contract.key if c != contract.period_column]
    before = pd.unique(key_strings(previous, identity))
    if not len(before):
        return []
    missing = before[~pd.Series(before).isin(key_strings(rows, identity)).to_numpy()]
    share = len(missing) / len(before)
    limit = given.config.threshold("max_deleted_key_share")
    shown = sorted(missing)[: given.config.sample_size]
    sample = ", ".join(str(m).replace(_SEPARATOR, "|") for m in shown)
    return [
        _fact(
            "deleted_keys",
            "",
            share,
            f"<= {limit:g}",
            share <= limit,
            f"{len(missing)} of {len(before)} keys of the previous filing are missing"
            + (f" (e.g. {sample})" if sample else ""),
        )
    ]


def official_counts(filing_type: str) -> dict[int, int]:
    """batch → official count for a MIIT list type (batches without a published count left out)."""
    try:
        table = codes.rows("miit_official_counts")
    except FileNotFoundError:
        return {}
    return {
        int(r["batch"]): int(r["official_count"])
        for r in table
        if r["filing_type"] == filing_type and r["official_count"].strip()
    }


def official_count_types() -> frozenset[str]:
    """Filing types with official batch counts in codes/miit_official_counts.csv (empty when absent)."""
    try:
        return frozenset(row["filing_type"] for row in codes.rows("miit_official_counts"))
    except FileNotFoundError:
        return frozenset()


def _batch_count(rows: pd.DataFrame, given: CheckInput) -> list[dict]:
    """Rows per batch vs the official MIIT count, for each batch the filing holds."""
    if "batch" not in rows.columns or given.contract.period_column != "batch":
        return []
    official = official_counts(given.contract.filing_type)
    counts = rows["batch"].dropna().astype(int).value_counts().sort_index()
    tolerance = given.config.threshold("batch_count_tolerance_share")
    facts = []
    for batch, observed in counts.items():
        if batch not in official:
            continue
        expected = official[batch]
        facts.append(
            _fact(
                "batch_count",
                f"batch {batch}",
                observed,
                str(expected),
                abs(observed - expected) <= tolerance * expected,
                f"batch {batch}: {observed} rows vs {expected} published ({observed - expected:+d})",
            )
        )
    return facts


def _has_official_counts(contract: Contract) -> bool:
    return contract.filing_type in official_count_types()


DECLARATIONS: tuple[RuleDeclaration, ...] = (
    RuleDeclaration(
        "period_continuity",
        "warning",
        "no period is skipped after the previous filing's last period",
        fact(),
        check=_period_continuity,
    ),
    RuleDeclaration(
        "row_count_change",
        "critical",
        "the row count changed no more than the threshold vs the previous filing",
        fact(),
        check=_row_count_change,
        thresholds=(
            # A shrinking filing is the alarm ("half its rows missing"); registers grow fast: more room.
            Threshold("max_row_count_drop_share", 0.25, "largest allowed drop of the row count", 0.0, 1.0),
            Threshold("max_row_count_growth_share", 1.0, "largest allowed growth of the row count"),
        ),
        severity_by_filing_type=dict.fromkeys(_NEW_RECIPIENTS_EACH_YEAR, "warning"),
    ),
    RuleDeclaration(
        "deleted_keys",
        "critical",
        "no more than the threshold share of the previous filing's keys is missing",
        fact(),
        check=_deleted_keys,
        thresholds=(
            Threshold("max_deleted_key_share", 0.20, "largest allowed share of missing keys", 0.0, 1.0),
        ),
        severity_by_filing_type=dict.fromkeys(_NEW_RECIPIENTS_EACH_YEAR, "off"),
    ),
    RuleDeclaration(
        "batch_count",
        "warning",
        "rows per batch agree with MIIT's official count",
        fact(_has_official_counts),
        check=_batch_count,
        thresholds=(
            Threshold(
                "batch_count_tolerance_share", 0.0, "allowed relative difference from the official count"
            ),
        ),
    ),
)


def table_facts(rules: Sequence[Rule], rows: pd.DataFrame, given: CheckInput) -> pd.DataFrame:
    """The facts of the given fact rules on a filing, as a frame (possibly empty)."""
    facts = [f for rule in rules if rule.frame == "facts" for f in rule.check(rows, given)]
    frame = pd.DataFrame(facts, columns=list(FACT_COLUMNS))
    return frame.astype(
        {
            "check": "string",
            "group": "string",
            "observed": "float64",
            "expected": "string",
            "is_ok": "boolean",
            "detail": "string",
        }
    )
