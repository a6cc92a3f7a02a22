"""Policy parameters, each declared once: validation checks and indicator formulas read them.

One `Policy` object holds every threshold, cap, rate and factor the pipeline applies, and the city they are
the city's values for. It is read from the settings (`load_policy`): the selected city profile's values
(greenmfg/cities/profiles/<code>.toml, which says with which years they apply), the `[policy]` table of the
TOML file named by GREENMFG_VALIDATION_CONFIG, then GREENMFG_STAR_THRESHOLD. A snapshot records it in its
manifest's parameters, and every year of a snapshot is derived with the same one (each year with the values
in force in it).
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
from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.errors import SettingsError
from greenmfg.settings import Settings, get_settings

COAL_FACTORS_SOURCE = "greenmfg/codes/standard_coal_factors.csv"
POLICY_TABLE = "policy"
YEARLY_PARAMETERS = ("above_size_revenue_10k_yuan", "model_award_cap_10k_yuan", "subsidy_rate_cap",
                     "subsidy_cap_10k_yuan", "star_threshold")  # fmt: skip
"""Parameters a city may change from a year on (`Policy.changes`); the rest hold for every year."""

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
class PolicyChange:
    """Values of some YEARLY_PARAMETERS that apply from `from_year` on, until a later change (a city's new
    award rules, a new star threshold); checked against the parameters' own bounds by `Policy`."""

    from_year: int
    values: dict[str, float | int]

    def __hash__(self) -> int:  # a frozen Policy stays hashable
        return hash((self.from_year, tuple(sorted(self.values.items()))))


def _profile_value(name: str):
    """A parameter's default: the default city's value (greenmfg/cities/profiles/330500.toml): declared
    once, there."""
    return lambda: load_profile(DEFAULT_CITY).policy[name]


@dataclass(frozen=True, config=_STRICT)
class Policy:
    """Every policy parameter, its bounds and its meaning; the values come from the city profile."""

    above_size_revenue_10k_yuan: float = Field(
        default_factory=_profile_value("above_size_revenue_10k_yuan"),
        gt=0,
        description="Enterprises above designated size (规模以上工业企业): the least annual main-business "
        "revenue (the National Bureau of Statistics rule).",
    )
    above_size_rule_from_year: int = Field(
        default_factory=_profile_value("above_size_rule_from_year"),
        description="First year of the above-size revenue threshold; earlier years use the one before.",
    )
    above_size_revenue_before_rule_10k_yuan: float = Field(
        default_factory=_profile_value("above_size_revenue_before_rule_10k_yuan"),
        gt=0,
        description="Above-size revenue threshold before above_size_rule_from_year.",
    )
    model_award_cap_10k_yuan: float = Field(
        default_factory=_profile_value("model_award_cap_10k_yuan"),
        ge=0,
        description="Cap of an award for a national green manufacturing model.",
    )
    subsidy_rate_cap: float = Field(
        default_factory=_profile_value("subsidy_rate_cap"),
        gt=0,
        le=1,
        description="Cap of an equipment-investment subsidy as a share of the investment.",
    )
    subsidy_cap_10k_yuan: float = Field(
        default_factory=_profile_value("subsidy_cap_10k_yuan"),
        ge=0,
        description="Absolute cap of an equipment-investment subsidy.",
    )
    star_threshold: int = Field(
        default_factory=_profile_value("star_threshold"),
        ge=1,
        le=5,
        description="Lowest municipal star level counted as an accredited green plant. DOMAIN.md does not "
        "state it; Huzhou's profile takes 3 (municipal green factory, the lowest accreditation).",
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
    city_code: str = Field(
        DEFAULT_CITY,
        pattern=r"^\d{6}$",
        description="GB/T 2260 code of the city whose profile gave these values (GREENMFG_CITY).",
    )
    changes: tuple[PolicyChange, ...] = Field(
        (),
        description="Values that apply from a year on (from_year and the parameters that change, among "
        f"{list(YEARLY_PARAMETERS)}): a year takes the latest change from that year or earlier, and the "
        "values above before the first change.",
    )

    @model_validator(mode="after")
    def _changes_are_known_parameters_in_bounds(self) -> Policy:
        for change in self.changes:
            unknown = sorted(set(change.values) - set(YEARLY_PARAMETERS))
            if unknown:
                raise ValueError(
                    f"changes from {change.from_year}: {unknown} cannot change by year; "
                    f"expected some of {list(YEARLY_PARAMETERS)}"
                )
        years = [change.from_year for change in self.changes]
        if years != sorted(set(years)):
            raise ValueError(f"changes must have distinct from_year in ascending order; found {years}")
        for change in self.changes:
            Policy(**{**_flat(self), **change.values})  # each year's values keep the parameters' bounds
        return self

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
        """A policy from plain values (a TOML table, the environment): a bad value is one clear line.

        A change may be written as TOML writes it (`[[policy.changes]]` with from_year and the values)."""
        if "changes" in values:
            values = {**values, "changes": [_change(entry) for entry in values["changes"]]}
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']} (found {e.get('input')!r})"
                if e["loc"]
                else e["msg"].removeprefix("Value error, ")
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
    def in_year(self, year: int) -> Policy:
        """The values in force in `year`: the latest change from that year or earlier applied."""
        values = _flat(self)
        for change in self.changes:
            if change.from_year <= year:
                values.update(change.values)
        return Policy(**values)

    def values_in(self, name: str, years: pd.Series | np.ndarray) -> np.ndarray:
        """The parameter's value in force in each year, as floats (NaN where the year is missing)."""
        year = np.asarray(pd.array(years, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan))
        out = np.full(year.shape, float(getattr(self, name)))
        for change in self.changes:
            if name in change.values:
                out = np.where(year >= change.from_year, float(change.values[name]), out)
        return np.where(np.isnan(year), np.nan, out)

    def above_size_revenue_thresholds(self, years: pd.Series | np.ndarray) -> np.ndarray:
        """Revenue threshold (10,000 yuan) of the above-size rule in force in each year (NaN: no year)."""
        year = np.asarray(pd.array(years, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan))
        threshold = np.where(
            year >= self.above_size_rule_from_year,
            self.values_in("above_size_revenue_10k_yuan", year),
            self.above_size_revenue_before_rule_10k_yuan,
        )
        return np.where(np.isnan(year), np.nan, threshold)

    def grant_caps_10k_yuan(self, kind: pd.Series, investment: pd.Series, years: pd.Series) -> np.ndarray:
        """The cap each grant is held to in its year: the model-award cap for a model_award; min(rate ×
        equipment investment, absolute cap) for an equipment_subsidy (the absolute cap alone without an
        investment); NaN for any other kind."""
        invested = pd.to_numeric(investment).to_numpy(dtype="float64", na_value=np.nan)
        rate, cap = self.values_in("subsidy_rate_cap", years), self.values_in("subsidy_cap_10k_yuan", years)
        subsidy = np.fmin(invested * rate, cap)
        kinds = kind.astype("string")
        is_award = (kinds == "model_award").to_numpy(dtype=bool, na_value=False)
        is_subsidy = (kinds == "equipment_subsidy").to_numpy(dtype=bool, na_value=False)
        award = self.values_in("model_award_cap_10k_yuan", years)
        return np.where(is_award, award, np.where(is_subsidy, subsidy, np.nan))

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


def _flat(policy: Policy) -> dict[str, Any]:
    """The parameters' values before any change (the `changes` left out)."""
    return {f.name: getattr(policy, f.name) for f in fields(Policy) if f.name != "changes"}


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
    """The policy in force: the selected city profile's values, the `[policy]` table of the configuration
    file, then GREENMFG_STAR_THRESHOLD (the environment wins, for every year)."""
    settings = settings or get_settings()
    profile = load_profile(settings.city)
    document = settings.config_document()
    source = profile.profile_file
    if settings.validation_config:
        source += f" and {settings.validation_config}"
    misplaced = sorted(set(document) & set(parameter_names()))
    if misplaced:
        raise SettingsError(
            f"{source}: policy parameters belong in the [{POLICY_TABLE}] table; found top-level {misplaced}"
        )
    table = document.get(POLICY_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: [{POLICY_TABLE}] must be a table; found {table!r}")
    values = {**profile.policy, **table, "city_code": profile.code}
    if settings.star_threshold is not None:
        values["star_threshold"] = settings.star_threshold
        values["changes"] = [_without(c, "star_threshold") for c in values.get("changes", [])]
        source += " and GREENMFG_STAR_THRESHOLD"
    return Policy.from_values(values, source)


def _change(entry: Any) -> Any:
    """{from_year, values} from a change written flat ({from_year = 2022, star_threshold = 4})."""
    if not isinstance(entry, dict) or "values" in entry:
        return entry
    return {
        "from_year": entry.get("from_year"),
        "values": {k: v for k, v in entry.items() if k != "from_year"},
    }


def _without(change: Any, name: str) -> Any:
    """A change less one parameter the environment sets for every year."""
    flat = _change(change)
    if not isinstance(flat, dict):
        return flat
    return {**flat, "values": {k: v for k, v in flat.get("values", {}).items() if k != name}}
