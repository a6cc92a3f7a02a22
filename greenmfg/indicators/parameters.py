"""Indicator parameters: the knobs a run publishes beside its results, with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache

from greenmfg import codes
from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.errors import SettingsError
from greenmfg.indicators import policy
from greenmfg.units import BASE_UNITS_PER_CANONICAL

COAL_FACTORS_SOURCE = "greenmfg/codes/standard_coal_factors.csv"


@dataclass(frozen=True)
class CoalFactor:
    """A standard-coal factor (kgce per base unit) for an energy column, in force from a year on."""

    energy_column: str
    base_unit: str
    kgce_per_base_unit: float
    valid_from_year: int


@cache
def load_coal_factors() -> tuple[CoalFactor, ...]:
    """The standard-coal factors declared in the code list, sorted by column and year."""
    factors = [
        CoalFactor(row["energy_column"], row["base_unit"], float(row["kgce_per_base_unit"]),
                   int(row["valid_from_year"]))
        for row in codes.rows("standard_coal_factors")
    ]
    return tuple(sorted(factors, key=lambda f: (f.energy_column, f.valid_from_year)))


def _describe(text: str) -> dict[str, str]:
    return {"description": text}


@dataclass(frozen=True)
class IndicatorParameters:
    """Parameters of the indicator formulas; every dataset row that depends on one carries its value."""

    star_threshold: int = field(default=policy.STAR_THRESHOLD, metadata=_describe(
        "Lowest Huzhou star level counted as an accredited green plant (municipal tier). DOMAIN.md does "
        "not state it; 3 (municipal green factory) is the documented default."))
    model_award_cap_10k_yuan: float = field(default=policy.MODEL_AWARD_CAP_10K_YUAN, metadata=_describe(
        "Policy cap of a green manufacturing model award, 10,000 yuan (10 million yuan)."))
    subsidy_rate_cap: float = field(default=policy.SUBSIDY_RATE_CAP, metadata=_describe(
        "Policy cap of an equipment subsidy as a share of the equipment investment."))
    subsidy_cap_10k_yuan: float = field(default=policy.SUBSIDY_CAP_10K_YUAN, metadata=_describe(
        "Absolute policy cap of an equipment subsidy, 10,000 yuan (5 million yuan)."))
    coal_factors: tuple[CoalFactor, ...] = field(default_factory=load_coal_factors, metadata=_describe(
        f"Standard-coal factors (GB/T 2589, kgce per base unit) by energy column and first year in force, "
        f"from {COAL_FACTORS_SOURCE}."))

    def __post_init__(self) -> None:
        if not 1 <= self.star_threshold <= 5:
            raise SettingsError(
                f"indicator parameters: star_threshold must be 1–5, found {self.star_threshold}")
        for name in ("model_award_cap_10k_yuan", "subsidy_rate_cap", "subsidy_cap_10k_yuan"):
            if not getattr(self, name) >= 0:
                raise SettingsError(f"indicator parameters: {name} must be ≥ 0, found {getattr(self, name)}")
        covered = {f.energy_column for f in self.coal_factors}
        missing = [c.name for c in ENERGY_BY_TYPE if c.name not in covered]
        if missing:
            raise SettingsError(f"indicator parameters: no standard-coal factor for {missing}; "
                                f"expected one per energy column in {COAL_FACTORS_SOURCE}")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values, for manifests and the data dictionary."""
        values: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        values["coal_factors"] = [vars(f).copy() for f in self.coal_factors]
        return values

    def tce_per_canonical_unit(self, year: int) -> dict[str, float]:
        """Energy column → tce per canonical unit of the column, with the factors in force in `year`."""
        result: dict[str, float] = {}
        for column in ENERGY_BY_TYPE:
            factor = self.coal_factor(column.name, year)
            result[column.name] = factor.kgce_per_base_unit * BASE_UNITS_PER_CANONICAL[column.unit] / 1000.0
        return result

    def coal_factor(self, energy_column: str, year: int) -> CoalFactor:
        """The factor of `energy_column` with the latest valid_from_year not after `year`."""
        own = [f for f in self.coal_factors if f.energy_column == energy_column]
        candidates = [f for f in own if f.valid_from_year <= year]
        if not candidates:
            first = min((f.valid_from_year for f in own), default=None)
            raise SettingsError(f"{COAL_FACTORS_SOURCE}: no standard-coal factor for {energy_column} "
                                f"in {year}; found factors from {first} on, "
                                f"expected one valid from {year} or earlier")
        return max(candidates, key=lambda f: f.valid_from_year)

    def coal_factors_from_year(self, year: int) -> int:
        """Latest first-year-in-force among the factors applied to `year`: identifies the factor set."""
        return max(self.coal_factor(c.name, year).valid_from_year for c in ENERGY_BY_TYPE)


def parameter_descriptions() -> dict[str, str]:
    """Parameter name → description, for the data dictionary."""
    return {f.name: f.metadata["description"] for f in fields(IndicatorParameters)}
