"""The same rules evaluated with plain vectorised pandas, no Great Expectations.

The baseline of the validation benchmark (GX must stay within 2× of it) and a cross-check in the tests:
both must find the same offending rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from greenmfg.contracts import get_contract
from greenmfg.validation.config import ValidationConfig
from greenmfg.validation.contract_rules import GX_TYPE_NAMES
from greenmfg.validation.declaration import CheckInput, Rule
from greenmfg.validation.fact_rules import table_facts
from greenmfg.validation.rules import rules_for


def _offending(rule: Rule, rows: pd.DataFrame, given: CheckInput) -> np.ndarray:
    """Boolean mask of the rows a rows-frame rule rejects (missing values are not checked)."""
    if rule.check:
        return ~rule.check(rows, given).to_numpy(dtype=bool, na_value=True)
    column = rows[rule.kwargs["column"]]
    present = column.notna().to_numpy()
    if rule.expectation == "expect_column_values_to_not_be_null":
        return ~present
    if rule.expectation == "expect_column_values_to_be_in_set":
        return present & ~column.isin(rule.kwargs["value_set"]).to_numpy(dtype=bool, na_value=False)
    if rule.expectation == "expect_column_values_to_match_regex":
        matched = column.astype("string").str.contains(rule.kwargs["regex"], regex=True)
        return present & ~matched.to_numpy(dtype=bool, na_value=False)
    if rule.expectation == "expect_column_values_to_be_between":
        low, high = rule.kwargs["min_value"], rule.kwargs["max_value"]
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            inside = np.ones(len(values), dtype=bool)
            if low is not None:
                inside &= values >= low
            if high is not None:
                inside &= values <= high
        return present & ~inside
    raise ValueError(f"rule {rule.name}: no plain-pandas evaluation for {rule.expectation}")


def _schema_ok(rule: Rule, rows: pd.DataFrame) -> bool:
    column = rule.kwargs["column"]
    if rule.expectation == "expect_column_to_exist":
        return column in rows.columns
    dtype = rows[column].dtype if column in rows.columns else None
    return (
        dtype is not None and dtype.type.__name__.rstrip("_") == GX_TYPE_NAMES_BY_NAME[rule.kwargs["type_"]]
    )


GX_TYPE_NAMES_BY_NAME = {name: name for name in GX_TYPE_NAMES.values()}


def offending_positions(
    rows: pd.DataFrame,
    filing_type: str,
    *,
    cell_errors: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    config: ValidationConfig | None = None,
) -> dict[str, np.ndarray]:
    """rule name → positions of offending rows (table-level rules: [0] when failed, [] when passed)."""
    config = config or ValidationConfig()
    contract = get_contract(filing_type)
    rows = rows.reset_index(drop=True)
    given = CheckInput(contract, config, cell_errors, previous)
    rules = rules_for(filing_type, config)
    found: dict[str, np.ndarray] = {}
    facts = None
    for rule in rules:
        if rule.frame == "schema":
            found[rule.name] = np.array([], dtype=np.int64) if _schema_ok(rule, rows) else np.array([0])
        elif rule.frame == "rows":
            found[rule.name] = np.flatnonzero(_offending(rule, rows, given))
        else:
            facts = table_facts(rules, rows, given) if facts is None else facts
            mine = facts[facts["check"] == rule.name]
            found[rule.name] = np.flatnonzero(~mine["is_ok"].to_numpy(dtype=bool))
    return found


def accepted_rows(
    rows: pd.DataFrame, filing_type: str, found: dict[str, np.ndarray], config: ValidationConfig | None = None
) -> pd.DataFrame:
    """Rows not offending any rows-frame rule whose severity removes them."""
    config = config or ValidationConfig()
    removed = np.zeros(len(rows), dtype=bool)
    for rule in rules_for(filing_type, config):
        if rule.frame == "rows" and rule.severity in ("row", "critical"):
            removed[found[rule.name]] = True
    return rows.reset_index(drop=True)[~removed]
