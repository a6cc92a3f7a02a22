"""Policy parameters, each declared once with its source: validation checks and indicator formulas read them.

One `Policy` object holds every threshold, cap, rate and factor the pipeline applies. It is read from the
settings (`load_policy`): defaults here, the `[policy]` table of the TOML file named by
GREENMFG_VALIDATION_CONFIG, then GREENMFG_STAR_THRESHOLD. A snapshot records it in its manifest's
parameters, and every year of a snapshot is derived with the same one.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic.dataclasses import dataclass

from greenmfg import codes
from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.errors import SettingsError
from greenmfg.settings import Settings, get_settings

COAL_FACTORS_SOURCE = "greenmfg/codes/standard_coal_factors.csv"
POLICY_TABLE = "policy"

# Amounts are compared with caps to within 0.01 yuan, so a grant of exactly the cap is not flagged because of
# floating-point noise (10 % of an investment is rarely exact in binary). A comparison tolerance, not policy.
CAP_TOLERANCE_10K_YUAN = 1e-6


# Frozen pydantic dataclasses: validated like models, and plain dataclasses to `dataclasses.asdict`.
_STRICT = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=_STRICT)
class CoalFactor:
    """A standard-coal factor (kgce per base unit) for an energy column, in force from a year on."""

    energy_column: str
    base_unit: str
    kgce_per_base_unit: Annotated[float, Field(gt=0)]
    valid_from_year: int


@cache
def coal_factors_from_codes() -> tuple[CoalFactor, ...]:
    """The standard-coal factors of the code list, sorted by column and first year in force."""
    factors = [
        CoalFactor(
            energy_column=row["energy_column"],
            base_unit=row["base_unit"],
            kgce_per_base_unit=float(row["kgce_per_base_unit"]),
            valid_from_year=int(row["valid_from_year"]),
        )
        for row in codes.rows("standard_coal_factors")
    ]
    return tuple(sorted(factors, key=lambda f: (f.energy_column, f.valid_from_year)))


@dataclass(frozen=True, config=_STRICT)
class Policy:
    """Every policy parameter with its documented default and source (DOMAIN.md unless said otherwise)."""

    above_size_revenue_10k_yuan: float = Field(
        2000.0,
        gt=0,
        description="Enterprises above designated size (规模以上工业企业): annual main-business revenue "
        "of at least 20 million yuan, the National Bureau of Statistics rule since 2011.",
    )
    above_size_rule_from_year: int = Field(
        2011, description="First year of the above-size revenue threshold; earlier years use the one before."
    )
    above_size_revenue_before_rule_10k_yuan: float = Field(
        500.0, gt=0, description="Above-size revenue threshold before the 2011 rule: 5 million yuan."
    )
    model_award_cap_10k_yuan: float = Field(
        1000.0, ge=0, description="Cap of an award for a national green manufacturing model: 10 million yuan."
    )
    subsidy_rate_cap: float = Field(
        0.10,
        gt=0,
        le=1,
        description="Cap of an equipment-investment subsidy as a share of the investment: 10 %.",
    )
    subsidy_cap_10k_yuan: float = Field(
        500.0, ge=0, description="Absolute cap of an equipment-investment subsidy: 5 million yuan."
    )
    star_threshold: int = Field(
        3,
        ge=1,
        le=5,
        description="Lowest Huzhou star level counted as an accredited green plant (municipal tier). "
        "DOMAIN.md does not state it; 3 (municipal green factory, the lowest accreditation) is the "
        "documented default.",
    )
    energy_tolerance_share: float = Field(
        0.05,
        ge=0,
        description="Reported total energy may differ from Σ energy by type × standard-coal factor by this "
        "share of the larger value (or by energy_tolerance_tce, whichever is more).",
    )
    energy_tolerance_tce: float = Field(
        1.0, ge=0, description="Absolute tolerance of reported vs computed total energy, in tce."
    )
    coal_factors: tuple[CoalFactor, ...] = Field(
        default_factory=coal_factors_from_codes,
        description="Standard-coal factors (GB/T 2589, kgce per base unit) by energy column and first year "
        f"in force, from {COAL_FACTORS_SOURCE}; a year takes the latest factor valid from that year or "
        "earlier.",
    )

    @model_validator(mode="after")
    def _a_factor_for_every_energy_column(self) -> Policy:
        covered = {f.energy_column for f in self.coal_factors}
        missing = [c.name for c in ENERGY_BY_TYPE if c.name not in covered]
        if missing:
            raise ValueError(
                f"no standard-coal factor for {missing}; "
                f"expected one per energy column ({COAL_FACTORS_SOURCE})"
            )
        return self

    @classmethod
    def from_values(cls, values: dict[str, Any], source: str = "policy") -> Policy:
        """A policy from plain values (a TOML table, the environment): a bad value is one clear line."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'policy'}: {e['msg']} (found {e.get('input')!r})"
                for e in exc.errors()
            )
            known = ", ".join(parameter_names())
            raise SettingsError(
                f"{source}: invalid policy: {problems}; expected parameters: {known}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, as a manifest records them."""
        return TypeAdapter(Policy).dump_python(self, mode="json")

    # --- the rules the parameters come with ------------------------------------------------------------
    def above_size_revenue_thresholds(self, years: pd.Series | np.ndarray) -> np.ndarray:
        """Revenue threshold (10,000 yuan) of the above-size rule in force in each year (NaN: no year)."""
        year = np.asarray(pd.array(years, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan))
        threshold = np.where(
            year >= self.above_size_rule_from_year,
            self.above_size_revenue_10k_yuan,
            self.above_size_revenue_before_rule_10k_yuan,
        )
        return np.where(np.isnan(year), np.nan, threshold)

    def grant_caps_10k_yuan(self, kind: pd.Series, investment: pd.Series) -> np.ndarray:
        """The cap each grant is held to: the model-award cap for a model_award; min(rate × equipment
        investment, absolute cap) for an equipment_subsidy (the absolute cap alone without an investment);
        NaN for any other kind."""
        invested = pd.to_numeric(investment).to_numpy(dtype="float64", na_value=np.nan)
        subsidy = np.fmin(invested * self.subsidy_rate_cap, self.subsidy_cap_10k_yuan)
        kinds = kind.astype("string")
        is_award = (kinds == "model_award").to_numpy(dtype=bool, na_value=False)
        is_subsidy = (kinds == "equipment_subsidy").to_numpy(dtype=bool, na_value=False)
        return np.where(is_award, self.model_award_cap_10k_yuan, np.where(is_subsidy, subsidy, np.nan))

    def coal_factors_in(self, year: int) -> dict[str, CoalFactor]:
        """Energy column → the factor in force in `year`: the latest valid from that year or earlier.

        A year before a column's first factor is an error naming the year and the first year available:
        no factor is ever applied to a year it was not declared for.
        """
        chosen: dict[str, CoalFactor] = {}
        for column in ENERGY_BY_TYPE:
            own = [f for f in self.coal_factors if f.energy_column == column.name]
            in_force = [f for f in own if f.valid_from_year <= year]
            if not in_force:
                first = min(f.valid_from_year for f in own)
                raise SettingsError(
                    f"no standard-coal factor for {column.name} in {year}: the first is valid from {first} "
                    f"({COAL_FACTORS_SOURCE}); expected a factor valid from {year} or earlier"
                )
            chosen[column.name] = max(in_force, key=lambda f: f.valid_from_year)
        return chosen

    def coal_factors_from_year(self, year: int) -> int:
        """Latest first-year-in-force among the factors applied to `year`: identifies the factor set."""
        return max(f.valid_from_year for f in self.coal_factors_in(year).values())


def exceeds_cap(amount: pd.Series | np.ndarray, cap: np.ndarray) -> np.ndarray:
    """True where an amount is above its cap by more than 0.01 yuan (False where either is missing)."""
    values = np.asarray(pd.array(amount, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan))
    with np.errstate(invalid="ignore"):
        return (values - cap) > CAP_TOLERANCE_10K_YUAN


def parameter_descriptions() -> dict[str, str]:
    """Parameter name → description, for the data dictionary."""
    return {name: info.description or "" for name, info in Policy.__pydantic_fields__.items()}


def parameter_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Policy))


def load_policy(settings: Settings | None = None) -> Policy:
    """The policy in force: the defaults, the `[policy]` table of the configuration file, then
    GREENMFG_STAR_THRESHOLD (the environment wins)."""
    settings = settings or get_settings()
    document = settings.config_document()
    source = str(settings.validation_config) if settings.validation_config else "policy"
    misplaced = sorted(set(document) & set(parameter_names()))
    if misplaced:
        raise SettingsError(
            f"{source}: policy parameters belong in the [{POLICY_TABLE}] table; found top-level {misplaced}"
        )
    table = document.get(POLICY_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: [{POLICY_TABLE}] must be a table; found {table!r}")
    values = dict(table)
    if settings.star_threshold is not None:
        values["star_threshold"] = settings.star_threshold
        source += " and GREENMFG_STAR_THRESHOLD"
    return Policy.from_values(values, source)
