"""Validation settings: severities per rule and the thresholds of the domain rules, with documented defaults.

Defaults live here; a TOML file named by the environment variable GREENMFG_VALIDATION_CONFIG overrides any
of them (see expectations/README.md for the format).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from greenmfg.errors import SettingsError

Severity = Literal["critical", "row", "warning", "off"]
CONFIG_ENV = "GREENMFG_VALIDATION_CONFIG"

# Rule families (the part of a rule name before ':') and their default severities.
DEFAULT_SEVERITIES: dict[str, Severity] = {
    "column": "critical",
    "dtype": "critical",
    "not_null": "row",
    "codes": "row",
    "pattern": "row",
    "range": "row",
    "type": "row",
    "key_unique": "row",
    "credit_code_check": "warning",
    "manufacturing_division": "row",
    "value_added_le_gross_output": "row",
    "above_size_flag": "row",
    "subsidy_cap": "row",
    "model_award_cap": "row",
    "valid_dates_ordered": "row",
    "energy_total": "warning",
    "region_spelling": "warning",
    "row_count_change": "critical",
    "deleted_keys": "critical",
    "period_continuity": "warning",
    "batch_count": "warning",
    # Awards and loans go to different enterprises every year: their keys are not expected to recur.
    "incentives.deleted_keys": "off",
    "green_loans.deleted_keys": "off",
    "incentives.row_count_change": "warning",
    "green_loans.row_count_change": "warning",
}


class ValidationConfig(BaseModel):
    """Severities and thresholds. A severity is looked up as '<filing_type>.<rule>', then '<rule>',
    then '<filing_type>.<family>', then '<family>' (family = the rule name before ':')."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severities: dict[str, Severity] = Field(default_factory=dict)

    # Enterprises above designated size: main-business revenue of at least 20 million yuan (2,000 万元),
    # the National Bureau of Statistics threshold since 2011 (5 million yuan before).
    above_size_revenue_10k_yuan: float = Field(2000.0, gt=0)
    # Huzhou equipment-investment subsidy: 10 % of the investment, at most 5 million yuan (DOMAIN.md).
    subsidy_rate: float = Field(0.10, gt=0, le=1)
    subsidy_cap_10k_yuan: float = Field(500.0, gt=0)
    # Award for a national green manufacturing model: up to 10 million yuan (DOMAIN.md).
    model_award_cap_10k_yuan: float = Field(1000.0, gt=0)
    # Reported total energy vs Σ energy by type × standard-coal factor: relative and absolute tolerance.
    energy_tolerance_share: float = Field(0.05, ge=0)
    energy_tolerance_tce: float = Field(1.0, ge=0)
    # Drift against the previous accepted filing of the same type.
    # A shrinking filing is the alarm ("half its rows missing"); registers grow fast: growth gets more room.
    max_row_count_drop_share: float = Field(0.25, ge=0, le=1)
    max_row_count_growth_share: float = Field(1.0, ge=0)
    max_deleted_key_share: float = Field(0.20, ge=0, le=1)
    # MIIT lists: allowed relative difference between rows per batch and the official count.
    batch_count_tolerance_share: float = Field(0.0, ge=0)
    # How many offending values the summary shows per expectation.
    sample_size: int = Field(5, ge=0)

    def severity(self, filing_type: str, rule: str) -> Severity:
        family = rule.split(":", 1)[0]
        for table in (self.severities, DEFAULT_SEVERITIES):
            for name in (f"{filing_type}.{rule}", rule, f"{filing_type}.{family}", family):
                if name in table:
                    return table[name]
        return "row"


def load_config(path: str | Path | None = None) -> ValidationConfig:
    """The defaults, overridden by the TOML file `path` (default: $GREENMFG_VALIDATION_CONFIG, if set)."""
    path = path or os.environ.get(CONFIG_ENV)
    if not path:
        return ValidationConfig()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        return ValidationConfig(**data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SettingsError(f"{path}: invalid validation config; {exc}") from None
