"""Every validation rule, declared once: those derived from the contracts plus the domain rules.

A rule names the Great Expectations expectation that checks it, the frame it runs on and the source
columns a data engineer needs to see when it fails. Severities come from ValidationConfig.

Frames: "schema" (the rows with zero length: column presence and dtypes), "rows" (one row per filed
row, plus the derived check columns of greenmfg.validation.checks) and "facts" (table-level facts such
as drift against the previous filing, one row per fact: see greenmfg.validation.facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from greenmfg import codes
from greenmfg.contracts import PROVENANCE_COLUMNS, Contract, get_contract
from greenmfg.validation.checks import check_column
from greenmfg.validation.config import Severity, ValidationConfig

Frame = Literal["schema", "rows", "facts"]

# What Great Expectations reports as a pandas column's type (dtype.type.__name__) per contract dtype.
GX_TYPE_NAMES: dict[str, str] = {
    "string": "str",
    "int": "int64",
    "float": "float64",
    "date": "datetime64",
    "bool": "bool",
}
MONEY_ENERGY_AREA_UNITS = ("10k_yuan", "tce", "t", "10k_m3", "10k_kwh", "gj", "10k_t", "m2")


@dataclass(frozen=True)
class Rule:
    """One rule: the expectation that checks it, on which frame, with which severity."""

    name: str
    frame: Frame
    expectation: str
    kwargs: dict[str, Any]
    description: str
    columns: tuple[str, ...] = ()
    check: str | None = None
    severity: Severity = "row"

    def expectation_config(self) -> dict[str, Any]:
        """The expectation as Great Expectations' JSON (type, kwargs, meta)."""
        meta = {
            "rule": self.name,
            "severity": self.severity,
            "frame": self.frame,
            "description": self.description,
            "columns": list(self.columns),
        }
        return {"type": self.expectation, "kwargs": dict(self.kwargs), "meta": meta}


def _derived(name: str, description: str, columns: tuple[str, ...], check: str | None = None) -> Rule:
    return Rule(
        name,
        "rows",
        "expect_column_values_to_be_in_set",
        {"column": check_column(name), "value_set": [True]},
        description,
        columns,
        check or name,
    )


def _fact(name: str, description: str) -> Rule:
    return Rule(
        name,
        "facts",
        "expect_column_values_to_be_in_set",
        {
            "column": "is_ok",
            "value_set": [True],
            "row_condition": f'check=="{name}"',
            "condition_parser": "pandas",
        },
        description,
    )


def schema_rules(contract: Contract) -> list[Rule]:
    """Every canonical column (provenance included) is present with its declared type."""
    rules: list[Rule] = []
    for column in (*contract.columns, *PROVENANCE_COLUMNS):
        rules.append(
            Rule(
                f"column:{column.name}",
                "schema",
                "expect_column_to_exist",
                {"column": column.name},
                "the canonical column is present",
                (column.name,),
            )
        )
        rules.append(
            Rule(
                f"dtype:{column.name}",
                "schema",
                "expect_column_values_to_be_of_type",
                {"column": column.name, "type_": GX_TYPE_NAMES[column.dtype]},
                f"the column has the contract's type ({column.dtype})",
                (column.name,),
            )
        )
    return rules


def contract_rules(contract: Contract) -> list[Rule]:
    """Nullability, code lists, patterns, ranges, key uniqueness and cell types, from the contract."""
    rules = [_derived("type", "every filed cell could be read as the column's type", ())]
    for name in contract.required_columns:
        rules.append(
            Rule(
                f"not_null:{name}",
                "rows",
                "expect_column_values_to_not_be_null",
                {"column": name},
                "a required value is present",
                (name,),
            )
        )
    for column in contract.columns:
        if column.codes:
            rules.append(
                Rule(
                    f"codes:{column.name}",
                    "rows",
                    "expect_column_values_to_be_in_set",
                    {"column": column.name, "value_set": list(codes.values(column.codes))},
                    f"the value is a code of the list {column.codes}",
                    (column.name,),
                )
            )
        if column.pattern:
            rules.append(
                Rule(
                    f"pattern:{column.name}",
                    "rows",
                    "expect_column_values_to_match_regex",
                    {"column": column.name, "regex": column.pattern},
                    f"the value matches {column.pattern}",
                    (column.name,),
                )
            )
        if column.minimum is not None or column.maximum is not None:
            what = (
                "not negative"
                if column.unit in MONEY_ENERGY_AREA_UNITS and column.minimum == 0
                else (f"between {column.minimum} and {column.maximum}")
            )
            rules.append(
                Rule(
                    f"range:{column.name}",
                    "rows",
                    "expect_column_values_to_be_between",
                    {"column": column.name, "min_value": column.minimum, "max_value": column.maximum},
                    f"the value is {what}",
                    (column.name,),
                )
            )
    rules.append(
        _derived("key_unique", "one row per key and period (later repeats are quarantined)", contract.key)
    )
    return rules


def domain_rules(contract: Contract) -> list[Rule]:
    """Rules of the domain (DOMAIN.md), added wherever a contract has the columns they read."""
    names = set(contract.column_names)
    rules: list[Rule] = []
    if "credit_code" in names:
        rules.append(
            _derived(
                "credit_code_check",
                "the credit code's 18th character is its check "
                "character (GB 32100-2015); flagged, never dropped",
                ("credit_code",),
            )
        )
    if "industry_division" in names:
        rules.append(
            Rule(
                "manufacturing_division:industry_division",
                "rows",
                "expect_column_values_to_be_in_set",
                {"column": "industry_division", "value_set": list(codes.MANUFACTURING_DIVISIONS)},
                "the industry is a manufacturing division (GB/T 4754-2017, 13–43)",
                ("industry_division",),
            )
        )
    elif "industry_code" in names:
        rules.append(
            _derived(
                "manufacturing_division",
                "the industry is a manufacturing division (GB/T 4754-2017, 13–43)",
                ("industry_code",),
            )
        )
    if {"value_added_10k_yuan", "gross_output_10k_yuan"} <= names:
        rules.append(
            _derived(
                "value_added_le_gross_output",
                "value added does not exceed gross output",
                ("value_added_10k_yuan", "gross_output_10k_yuan"),
            )
        )
    if {"is_above_size", "revenue_10k_yuan"} <= names:
        rules.append(
            _derived(
                "above_size_flag",
                "the above-size flag agrees with the revenue threshold "
                "(ValidationConfig.above_size_revenue_10k_yuan)",
                ("is_above_size", "revenue_10k_yuan"),
            )
        )
    if {"incentive_kind", "amount_10k_yuan", "equipment_investment_10k_yuan"} <= names:
        rules.append(
            _derived(
                "subsidy_cap",
                "an equipment subsidy does not exceed min(rate × equipment investment, cap)",
                ("amount_10k_yuan", "equipment_investment_10k_yuan"),
            )
        )
    if {"incentive_kind", "amount_10k_yuan"} <= names:
        rules.append(
            _derived("model_award_cap", "a model award does not exceed its cap", ("amount_10k_yuan",))
        )
    if {"valid_from_date", "valid_to_date"} <= names:
        rules.append(
            _derived(
                "valid_dates_ordered",
                "valid-from is not after valid-to",
                ("valid_from_date", "valid_to_date"),
            )
        )
    if "energy_total_tce" in names:
        rules.append(
            _derived(
                "energy_total",
                "reported total energy agrees with Σ energy by type × "
                "standard-coal factor within the tolerance",
                ("energy_total_tce",),
            )
        )
    if {"region_raw", "region"} <= names:
        rules.append(
            _derived(
                "region_spelling", "the region is written in its normal spelling", ("region_raw", "region")
            )
        )
    return rules


def fact_rules(contract: Contract) -> list[Rule]:
    """Table-level rules: continuity and drift against the previous filing, official batch counts."""
    rules = [
        _fact("period_continuity", "no period is skipped after the previous filing's last period"),
        _fact("row_count_change", "the row count changed no more than the threshold vs the previous filing"),
        _fact("deleted_keys", "no more than the threshold share of the previous filing's keys is missing"),
    ]
    if contract.filing_type in official_count_types():
        rules.append(_fact("batch_count", "rows per batch agree with MIIT's official count"))
    return rules


def official_count_types() -> frozenset[str]:
    """Filing types with official batch counts in codes/miit_official_counts.csv (empty when absent)."""
    try:
        return frozenset(row["filing_type"] for row in codes.rows("miit_official_counts"))
    except FileNotFoundError:
        return frozenset()


def rules_for(filing_type: str, config: ValidationConfig | None = None) -> list[Rule]:
    """All rules of a filing type with their configured severity; rules set to "off" are left out."""
    config = config or ValidationConfig()
    contract = get_contract(filing_type)
    declared = [
        *schema_rules(contract),
        *contract_rules(contract),
        *domain_rules(contract),
        *fact_rules(contract),
    ]
    rules = []
    for rule in declared:
        severity = config.severity(filing_type, rule.name)
        if severity != "off":
            rules.append(Rule(**{**rule.__dict__, "severity": severity}))
    return rules
