"""Rules that follow from a filing type's contract: columns and types, required values, code lists, patterns,
ranges, readable cells and unique keys — each declared once with its check and default severity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from greenmfg import codes
from greenmfg.contracts import MIIT_FILING_TYPES, PROVENANCE_COLUMNS, Column, Contract
from greenmfg.validation.declaration import CheckInput, RuleDeclaration, derived, per_column

# What Great Expectations reports as a pandas column's type (dtype.type.__name__) per contract dtype.
GX_TYPE_NAMES: dict[str, str] = {
    "string": "str",
    "int": "int64",
    "float": "float64",
    "date": "datetime64",
    "bool": "bool",
}
MONEY_ENERGY_AREA_UNITS = ("10k_yuan", "tce", "t", "10k_m3", "10k_kwh", "gj", "10k_t", "m2")


def boolean_check(
    values: pd.Series | np.ndarray, applicable: pd.Series | np.ndarray, index: pd.Index
) -> pd.Series:
    """A check's result: True passes, False offends, NA where the check does not apply (GX skips NA)."""
    result = pd.Series(pd.array(np.asarray(values, dtype=bool), dtype="boolean"), index=index)
    result[~np.asarray(applicable, dtype=bool)] = pd.NA
    return result


def _every_column(contract: Contract) -> tuple[Column, ...]:
    return (*contract.columns, *PROVENANCE_COLUMNS)


def _type_errors(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False on rows with a cell the parser could not convert to the column's type."""
    errors = given.cell_errors
    bad = np.zeros(len(rows), dtype=bool)
    if errors is not None and len(errors):
        bad = rows["source_row"].isin(errors["source_row"]).to_numpy(dtype=bool, na_value=False)
    return boolean_check(~bad, np.ones(len(rows), dtype=bool), rows.index)


def _key_unique(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False on every row repeating the key (period included) of an earlier row: the first one is kept."""
    repeated = rows.duplicated(subset=list(given.contract.key), keep="first").to_numpy()
    return boolean_check(~repeated, np.ones(len(rows), dtype=bool), rows.index)


def _range_text(column: Column) -> str:
    if column.unit in MONEY_ENERGY_AREA_UNITS and column.minimum == 0:
        return "the value is not negative"
    return f"the value is between {column.minimum} and {column.maximum}"


DECLARATIONS: tuple[RuleDeclaration, ...] = (
    RuleDeclaration(
        "column",
        "critical",
        "the canonical column is present",
        per_column("expect_column_to_exist", _every_column, lambda c: {"column": c.name}, frame="schema"),
    ),
    RuleDeclaration(
        "dtype",
        "critical",
        "the column has the contract's type",
        per_column(
            "expect_column_values_to_be_of_type",
            _every_column,
            lambda c: {"column": c.name, "type_": GX_TYPE_NAMES[c.dtype]},
            lambda c: f"the column has the contract's type ({c.dtype})",
            frame="schema",
        ),
    ),
    RuleDeclaration(
        "type",
        "row",
        "every filed cell could be read as the column's type",
        lambda contract, declaration: [derived(declaration, ())],
        check=_type_errors,
    ),
    RuleDeclaration(
        "not_null",
        "row",
        "a required value is present",
        per_column(
            "expect_column_values_to_not_be_null",
            lambda contract: [contract.column(n) for n in contract.required_columns],
            lambda c: {"column": c.name},
        ),
    ),
    RuleDeclaration(
        "codes",
        "row",
        "the value is a code of its code list",
        per_column(
            "expect_column_values_to_be_in_set",
            lambda contract: [c for c in contract.columns if c.codes],
            lambda c: {"column": c.name, "value_set": list(codes.values(c.codes))},
            lambda c: f"the value is a code of the list {c.codes}",
        ),
    ),
    RuleDeclaration(
        "pattern",
        "row",
        "the value matches the contract's pattern",
        per_column(
            "expect_column_values_to_match_regex",
            lambda contract: [c for c in contract.columns if c.pattern],
            lambda c: {"column": c.name, "regex": c.pattern},
            lambda c: f"the value matches {c.pattern}",
        ),
    ),
    RuleDeclaration(
        "range",
        "row",
        "the value is within the contract's minimum and maximum",
        per_column(
            "expect_column_values_to_be_between",
            lambda contract: [c for c in contract.columns if c.minimum is not None or c.maximum is not None],
            lambda c: {"column": c.name, "min_value": c.minimum, "max_value": c.maximum},
            _range_text,
        ),
    ),
    RuleDeclaration(
        "key_unique",
        "row",
        "one row per key and period (later repeats are quarantined; a MIIT list's repeated line is an entry "
        "as listed: flagged and kept)",
        lambda contract, declaration: [derived(declaration, contract.key)],
        check=_key_unique,
        # The ministry's lists print some lines twice; the official batch counts count them, so the entries
        # as listed keep them (green_list_counts.entries) and distinct entities count them once.
        severity_by_filing_type=dict.fromkeys(MIIT_FILING_TYPES, "warning"),
    ),
)
