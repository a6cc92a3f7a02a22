"""Rules of the domain (DOMAIN.md), each declared once with its vectorised check, severity and parameters.

A check returns a nullable boolean per row: True passes, False offends, NA where it does not apply (GX ignores
missing values). The suite expects the derived column to hold only True, so the rule still runs through Great
Expectations. Policy values (caps, thresholds, factors) are read from the one Policy (greenmfg/policy.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from greenmfg import codes, uscc
from greenmfg.contracts import Contract
from greenmfg.policy import exceeds_cap
from greenmfg.standard_coal import energy_tce
from greenmfg.validation.contract_rules import boolean_check
from greenmfg.validation.declaration import CheckInput, Rule, RuleDeclaration, derived, when_columns

# Float comparisons after unit conversion tolerate rounding in the last digits.
_EPSILON = 1e-9


def _floats(rows: pd.DataFrame, column: str) -> np.ndarray:
    return rows[column].to_numpy(dtype="float64", na_value=np.nan)


def _credit_code_check(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the 18th character of a well-formed credit code is not its check character."""
    return uscc.check_ok(rows["credit_code"]).set_axis(rows.index)


def _manufacturing_division(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the industry class is not in a manufacturing division (GB/T 4754 section C, 13–43)."""
    code = rows["industry_code"].astype("string")
    ok = code.str.slice(0, 2).isin(codes.MANUFACTURING_DIVISIONS).to_numpy(dtype=bool, na_value=False)
    return boolean_check(ok, code.notna().to_numpy(), rows.index)


def _manufacturing_division_rules(contract: Contract, declaration: RuleDeclaration) -> list[Rule]:
    """On the division column itself where the contract has one, else derived from the industry class."""
    if "industry_division" in contract.column_names:
        return [
            Rule(
                f"{declaration.name}:industry_division",
                "rows",
                "expect_column_values_to_be_in_set",
                {"column": "industry_division", "value_set": list(codes.MANUFACTURING_DIVISIONS)},
                declaration.description,
                ("industry_division",),
            )
        ]
    if "industry_code" in contract.column_names:
        return [derived(declaration, ("industry_code",))]
    return []


def _value_added_le_gross_output(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where industrial value added exceeds gross output."""
    added, gross = _floats(rows, "value_added_10k_yuan"), _floats(rows, "gross_output_10k_yuan")
    with np.errstate(invalid="ignore"):
        ok = added <= gross * (1 + _EPSILON) + _EPSILON
    return boolean_check(ok, ~(np.isnan(added) | np.isnan(gross)), rows.index)


def _above_size_flag(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the above-size flag disagrees with the revenue threshold of the row's year."""
    revenue = _floats(rows, "revenue_10k_yuan")
    threshold = given.policy.above_size_revenue_thresholds(rows[given.contract.period_column])
    flag = rows["is_above_size"].astype("boolean")
    with np.errstate(invalid="ignore"):
        expected = revenue >= threshold
    ok = flag.to_numpy(dtype=bool, na_value=False) == expected
    applicable = ~np.isnan(revenue) & ~np.isnan(threshold) & flag.notna().to_numpy()
    return boolean_check(ok, applicable, rows.index)


def _within_cap(kind: str):
    """A check that grants of `kind` do not exceed the cap the policy holds them to."""

    def check(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
        investment = (
            rows["equipment_investment_10k_yuan"]
            if "equipment_investment_10k_yuan" in rows.columns
            else pd.Series(np.nan, index=rows.index)
        )
        caps = given.policy.grant_caps_10k_yuan(
            rows["incentive_kind"], investment, rows[given.contract.period_column]
        )
        amount = rows["amount_10k_yuan"]
        of_kind = (rows["incentive_kind"].astype("string") == kind).to_numpy(dtype=bool, na_value=False)
        applicable = of_kind & amount.notna().to_numpy()
        return boolean_check(~exceeds_cap(amount, caps), applicable, rows.index)

    check.__doc__ = f"False where a grant of kind {kind} exceeds the cap the policy holds it to."
    return check


def _valid_dates_ordered(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where an accreditation ends before it starts."""
    start, end = rows["valid_from_date"], rows["valid_to_date"]
    ok = (start <= end).to_numpy(dtype=bool, na_value=True)
    return boolean_check(ok, (start.notna() & end.notna()).to_numpy(), rows.index)


def _energy_total(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where reported total energy differs from Σ energy by type × standard-coal factor of the year
    beyond the policy's tolerance. Rows whose year is outside the contract's range are left to range:year."""
    period = given.contract.column(given.contract.period_column)
    years = rows[period.name].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        in_range = ~np.isnan(years)
        if period.minimum is not None:
            in_range &= years >= period.minimum
        if period.maximum is not None:
            in_range &= years <= period.maximum
    computed = np.full(len(rows), np.nan)
    computed[in_range] = energy_tce(rows[in_range], given.policy, year_column=period.name).to_numpy()
    reported = _floats(rows, "energy_total_tce")
    policy = given.policy
    allowed = np.maximum(
        policy.energy_tolerance_tce,
        policy.energy_tolerance_share * np.fmax(np.abs(reported), np.abs(computed)),
    )
    with np.errstate(invalid="ignore"):
        ok = np.abs(reported - computed) <= allowed
    return boolean_check(ok, ~(np.isnan(reported) | np.isnan(computed)), rows.index)


def _region_spelling(rows: pd.DataFrame, given: CheckInput) -> pd.Series:
    """False where the region as written needed normalisation (a spelling variant)."""
    raw, region = rows["region_raw"].astype("string"), rows["region"].astype("string")
    ok = (raw.str.strip() == region).to_numpy(dtype=bool, na_value=True)
    return boolean_check(ok, (raw.notna() & region.notna()).to_numpy(), rows.index)


DECLARATIONS: tuple[RuleDeclaration, ...] = (
    RuleDeclaration(
        "credit_code_check",
        "warning",
        "the credit code's 18th character is its check character (GB 32100-2015); flagged, never dropped",
        when_columns("credit_code"),
        check=_credit_code_check,
    ),
    RuleDeclaration(
        "manufacturing_division",
        "row",
        "the industry is a manufacturing division (GB/T 4754-2017, 13–43)",
        _manufacturing_division_rules,
        check=_manufacturing_division,
    ),
    RuleDeclaration(
        "value_added_le_gross_output",
        "row",
        "value added does not exceed gross output",
        when_columns("value_added_10k_yuan", "gross_output_10k_yuan"),
        check=_value_added_le_gross_output,
    ),
    RuleDeclaration(
        "above_size_flag",
        "row",
        "the above-size flag agrees with the revenue threshold of the year (policy: 20 million yuan since "
        "2011, 5 million before)",
        when_columns("is_above_size", "revenue_10k_yuan", shown=("is_above_size", "revenue_10k_yuan")),
        check=_above_size_flag,
        policy=(
            "above_size_revenue_10k_yuan",
            "above_size_rule_from_year",
            "above_size_revenue_before_rule_10k_yuan",
        ),
    ),
    RuleDeclaration(
        "subsidy_cap",
        "row",
        "an equipment subsidy does not exceed min(rate × equipment investment, cap)",
        when_columns(
            "incentive_kind",
            "amount_10k_yuan",
            "equipment_investment_10k_yuan",
            shown=("amount_10k_yuan", "equipment_investment_10k_yuan"),
        ),
        check=_within_cap("equipment_subsidy"),
        policy=("subsidy_rate_cap", "subsidy_cap_10k_yuan"),
    ),
    RuleDeclaration(
        "model_award_cap",
        "row",
        "a model award does not exceed its cap",
        when_columns("incentive_kind", "amount_10k_yuan", shown=("amount_10k_yuan",)),
        check=_within_cap("model_award"),
        policy=("model_award_cap_10k_yuan",),
    ),
    RuleDeclaration(
        "valid_dates_ordered",
        "row",
        "valid-from is not after valid-to",
        when_columns("valid_from_date", "valid_to_date"),
        check=_valid_dates_ordered,
    ),
    RuleDeclaration(
        "energy_total",
        "warning",
        "reported total energy agrees with Σ energy by type × standard-coal factor of the year within the "
        "tolerance",
        when_columns("energy_total_tce"),
        check=_energy_total,
        policy=("energy_tolerance_share", "energy_tolerance_tce", "coal_factors"),
    ),
    RuleDeclaration(
        "region_spelling",
        "warning",
        "the region is written in its normal spelling",
        when_columns("region_raw", "region"),
        check=_region_spelling,
    ),
)
