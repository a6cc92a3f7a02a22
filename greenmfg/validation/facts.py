"""Table-level facts a filing is judged on: continuity and drift against the previous filing, batch counts.

One row per fact (check, group, observed, expected, is_ok, detail); the suite's "facts" expectations
require is_ok to be True for each check, so these too run through Great Expectations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from greenmfg import codes
from greenmfg.contracts import Contract
from greenmfg.validation.config import ValidationConfig

FACT_COLUMNS = ("check", "group", "observed", "expected", "is_ok", "detail")
_SEPARATOR = "\x1f"


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


def drift_facts(
    rows: pd.DataFrame, previous: pd.DataFrame, contract: Contract, config: ValidationConfig
) -> list[dict]:
    """Period continuity, row-count change and deleted keys against the previous accepted filing."""
    facts: list[dict] = []
    period = contract.period_column
    current_periods = rows[period].dropna()
    previous_periods = previous[period].dropna()
    if len(current_periods) and len(previous_periods):
        first, last_before = int(current_periods.min()), int(previous_periods.max())
        facts.append(
            _fact(
                "period_continuity",
                "",
                first,
                f"<= {last_before + 1}",
                first <= last_before + 1,
                f"first period {first}; the previous filing ended at {last_before}",
            )
        )
    if len(previous):
        change = (len(rows) - len(previous)) / len(previous)
        low, high = -config.max_row_count_drop_share, config.max_row_count_growth_share
        facts.append(
            _fact(
                "row_count_change",
                "",
                change,
                f"{low:g} <= change <= {high:g}",
                low <= change <= high,
                f"{len(rows)} rows vs {len(previous)} in the previous filing ({change:+.1%})",
            )
        )
    identity = [c for c in contract.key if c != period]
    before = pd.unique(key_strings(previous, identity)) if len(previous) else np.array([])
    if len(before):
        missing = before[~pd.Series(before).isin(key_strings(rows, identity)).to_numpy()]
        share = len(missing) / len(before)
        limit = config.max_deleted_key_share
        sample = ", ".join(str(m).replace(_SEPARATOR, "|") for m in sorted(missing)[: config.sample_size])
        facts.append(
            _fact(
                "deleted_keys",
                "",
                share,
                f"<= {limit:g}",
                share <= limit,
                f"{len(missing)} of {len(before)} keys of the previous filing are missing"
                + (f" (e.g. {sample})" if sample else ""),
            )
        )
    return facts


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


def batch_count_facts(rows: pd.DataFrame, filing_type: str, config: ValidationConfig) -> list[dict]:
    """Rows per batch vs the official MIIT count, for each batch the filing holds."""
    official = official_counts(filing_type)
    counts = rows["batch"].dropna().astype(int).value_counts().sort_index()
    facts = []
    for batch, observed in counts.items():
        if batch not in official:
            continue
        expected = official[batch]
        allowed = config.batch_count_tolerance_share * expected
        facts.append(
            _fact(
                "batch_count",
                f"batch {batch}",
                observed,
                str(expected),
                abs(observed - expected) <= allowed,
                f"batch {batch}: {observed} rows vs {expected} published ({observed - expected:+d})",
            )
        )
    return facts


def table_facts(
    rows: pd.DataFrame, contract: Contract, config: ValidationConfig, previous: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All facts of a filing as a frame (possibly empty)."""
    facts: list[dict] = []
    if previous is not None:
        facts += drift_facts(rows, previous, contract, config)
    if "batch" in rows.columns and contract.period_column == "batch":
        facts += batch_count_facts(rows, contract.filing_type, config)
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
