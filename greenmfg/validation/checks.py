"""Domain checks GX has no built-in expectation for, as vectorised pandas boolean columns.

Each check returns a nullable boolean Series aligned with the rows: True = passes, False = offends,
NA = not applicable (GX ignores missing values, so NA rows are neither checked nor failed). The suite
then expects the column to hold only True, so the check still runs through Great Expectations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from greenmfg import codes, uscc
from greenmfg.contracts import Contract
from greenmfg.units import BASE_UNITS_PER_CANONICAL
from greenmfg.validation.config import ValidationConfig

# Float comparisons after unit conversion tolerate rounding in the last digits.
_EPSILON = 1e-9


@dataclass(frozen=True)
class CheckInput:
    """What a check may read besides the rows."""

    contract: Contract
    config: ValidationConfig
    cell_errors: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)


Check = Callable[[pd.DataFrame, CheckInput], pd.Series]


def _boolean(
    values: pd.Series | np.ndarray, applicable: pd.Series | np.ndarray, index: pd.Index
) -> pd.Series:
    result = pd.Series(pd.array(np.asarray(values, dtype=bool), dtype="boolean"), index=index)
    result[~np.asarray(applicable, dtype=bool)] = pd.NA
    return result


def _floats(rows: pd.DataFrame, column: str) -> np.ndarray:
    return rows[column].to_numpy(dtype="float64", na_value=np.nan)


def type_errors(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False on rows with a cell the parser could not convert to the column's type."""
    errors = given.cell_errors
    bad = np.zeros(len(rows), dtype=bool)
    if errors is not None and len(errors):
        bad = rows["source_row"].isin(errors["source_row"]).to_numpy(dtype=bool, na_value=False)
    return _boolean(~bad, np.ones(len(rows), dtype=bool), rows.index)


def key_unique(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False on every row repeating the key (period included) of an earlier row: the first one is kept."""
    repeated = rows.duplicated(subset=list(given.contract.key), keep="first").to_numpy()
    return _boolean(~repeated, np.ones(len(rows), dtype=bool), rows.index)


def credit_code_check(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the 18th character of a well-formed credit code is not its check character."""
    return uscc.check_ok(rows["credit_code"]).set_axis(rows.index)


def manufacturing_division(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the industry class is not in a manufacturing division (GB/T 4754 section C, 13–43)."""
    code = rows["industry_code"].astype("string")
    ok = code.str.slice(0, 2).isin(codes.MANUFACTURING_DIVISIONS).to_numpy(dtype=bool, na_value=False)
    return _boolean(ok, code.notna().to_numpy(), rows.index)


def value_added_le_gross_output(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where industrial value added exceeds gross output."""
    added, gross = _floats(rows, "value_added_10k_yuan"), _floats(rows, "gross_output_10k_yuan")
    with np.errstate(invalid="ignore"):
        ok = added <= gross * (1 + _EPSILON) + _EPSILON
    return _boolean(ok, ~(np.isnan(added) | np.isnan(gross)), rows.index)


def above_size_flag(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the above-size flag disagrees with the revenue threshold (ValidationConfig)."""
    revenue = _floats(rows, "revenue_10k_yuan")
    flag = rows["is_above_size"].astype("boolean")
    with np.errstate(invalid="ignore"):
        expected = revenue >= given.config.above_size_revenue_10k_yuan
    ok = flag.to_numpy(dtype=bool, na_value=False) == expected
    return _boolean(ok, ~np.isnan(revenue) & flag.notna().to_numpy(), rows.index)


def _kind(rows: pd.DataFrame, kind: str) -> np.ndarray:
    return (rows["incentive_kind"].astype("string") == kind).to_numpy(dtype=bool, na_value=False)


def subsidy_cap(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where an equipment subsidy exceeds min(rate × equipment investment, cap).

    Without an investment figure only the absolute cap can be checked.
    """
    amount = _floats(rows, "amount_10k_yuan")
    investment = _floats(rows, "equipment_investment_10k_yuan")
    cap = np.fmin(investment * given.config.subsidy_rate, given.config.subsidy_cap_10k_yuan)
    with np.errstate(invalid="ignore"):
        ok = amount <= cap * (1 + _EPSILON) + _EPSILON
    return _boolean(ok, _kind(rows, "equipment_subsidy") & ~np.isnan(amount), rows.index)


def model_award_cap(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where a model award exceeds its cap."""
    amount = _floats(rows, "amount_10k_yuan")
    with np.errstate(invalid="ignore"):
        ok = amount <= given.config.model_award_cap_10k_yuan * (1 + _EPSILON)
    return _boolean(ok, _kind(rows, "model_award") & ~np.isnan(amount), rows.index)


def valid_dates_ordered(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where an accreditation ends before it starts."""
    start, end = rows["valid_from_date"], rows["valid_to_date"]
    ok = (start <= end).to_numpy(dtype=bool, na_value=True)
    return _boolean(ok, (start.notna() & end.notna()).to_numpy(), rows.index)


@cache
def _coal_factors() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """energy column → (valid-from years ascending, kgce per base unit), from standard_coal_factors.csv."""
    table: dict[str, list[tuple[int, float]]] = {}
    for row in codes.rows("standard_coal_factors"):
        table.setdefault(row["energy_column"], []).append(
            (int(row["valid_from_year"]), float(row["kgce_per_base_unit"]))
        )
    return {
        column: (np.array([y for y, _ in sorted(v)]), np.array([f for _, f in sorted(v)]))
        for column, v in table.items()
    }


def energy_from_types(rows: pd.DataFrame, contract: Contract) -> pd.Series:
    """Σ energy by type × standard-coal factor of the row's year, in tce (NA when no type is reported)."""
    years = rows[contract.period_column].to_numpy(dtype="float64", na_value=np.nan)
    total = np.zeros(len(rows))
    reported = np.zeros(len(rows), dtype=bool)
    for column, (valid_from, kgce) in _coal_factors().items():
        if column not in rows.columns:
            continue
        values = _floats(rows, column)
        position = np.clip(np.searchsorted(valid_from, np.nan_to_num(years), side="right") - 1, 0, None)
        tce_per_unit = kgce[position] * BASE_UNITS_PER_CANONICAL[contract.column(column).unit] / 1000.0
        present = ~np.isnan(values)
        total += np.where(present, values * tce_per_unit, 0.0)
        reported |= present
    return pd.Series(np.where(reported, total, np.nan), index=rows.index)


def energy_total(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where reported total energy differs from the sum by type beyond the configured tolerance."""
    reported = _floats(rows, "energy_total_tce")
    computed = energy_from_types(rows, given.contract).to_numpy()
    allowed = np.maximum(
        given.config.energy_tolerance_tce,
        given.config.energy_tolerance_share * np.fmax(np.abs(reported), np.abs(computed)),
    )
    with np.errstate(invalid="ignore"):
        ok = np.abs(reported - computed) <= allowed
    return _boolean(ok, ~(np.isnan(reported) | np.isnan(computed)), rows.index)


def region_spelling(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the region as written needed normalisation (a spelling variant)."""
    raw, region = rows["region_raw"].astype("string"), rows["region"].astype("string")
    ok = (raw.str.strip() == region).to_numpy(dtype=bool, na_value=True)
    return _boolean(ok, (raw.notna() & region.notna()).to_numpy(), rows.index)


CHECKS: dict[str, Check] = {
    "type": type_errors,
    "key_unique": key_unique,
    "credit_code_check": credit_code_check,
    "manufacturing_division": manufacturing_division,
    "value_added_le_gross_output": value_added_le_gross_output,
    "above_size_flag": above_size_flag,
    "subsidy_cap": subsidy_cap,
    "model_award_cap": model_award_cap,
    "valid_dates_ordered": valid_dates_ordered,
    "energy_total": energy_total,
    "region_spelling": region_spelling,
}


def check_column(rule_name: str) -> str:
    """Name of the derived boolean column a rule's check writes (what its GX expectation reads)."""
    return "check__" + rule_name.replace(":", "__")
