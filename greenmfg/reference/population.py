"""The reference city's enterprises: who is above designated size each year, and their annual statistics.

Pure: numbers come from a numpy Generator, nothing is written. The pool of enterprises is simulated over a
span of years (at least 2017–2021, the years the calibration speaks of) so the 2020 figures do not depend on
which years are written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from greenmfg.cities import CityProfile
from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.policy import Policy
from greenmfg.reference import identities
from greenmfg.standard_coal import tce_per_canonical_unit

CALIBRATION_YEAR = 2020
ABOVE_SIZE_IN_CALIBRATION_YEAR = 3380
ABOVE_SIZE_GROWTH = 0.04  # yearly growth of the number of enterprises above designated size
EXIT_RATE = 0.025  # share of last year's above-size enterprises that fall below the threshold
# The reference cities follow the default profile's policy (DOMAIN.md): its rules and factors, declared once;
# generate() refuses a profile whose policy values differ (greenmfg.reference.generate.check_policy).
POLICY = Policy()
ABOVE_SIZE_MIN_REVENUE_10K_YUAN = POLICY.above_size_revenue_10k_yuan
INTENSITY_FIRST_YEAR = 0.68  # tce per 10,000 yuan of value added in the first simulated year
INTENSITY_DECLINE = (0.03, 0.055)  # yearly decline, drawn in this range

# Energy types: (probability an enterprise uses it, range of its weight in the enterprise's mix).
ENERGY_MIX: dict[str, tuple[float, tuple[float, float]]] = {
    "raw_coal_t": (0.08, (1.0, 4.0)),
    "coke_t": (0.02, (0.5, 2.0)),
    "crude_oil_t": (0.0, (0.0, 0.0)),
    "fuel_oil_t": (0.03, (0.2, 1.0)),
    "gasoline_t": (0.3, (0.02, 0.1)),
    "diesel_t": (0.5, (0.05, 0.3)),
    "lpg_t": (0.1, (0.05, 0.3)),
    "natural_gas_10k_m3": (0.6, (0.5, 2.0)),
    "electricity_10k_kwh": (1.0, (2.0, 5.0)),
    "heat_gj": (0.25, (0.5, 3.0)),
}
ENERGY_COLUMNS: tuple[str, ...] = tuple(c.name for c in ENERGY_BY_TYPE)
IDENTITY_COLUMNS = ("credit_code", "enterprise_name", "division_code", "district_code", "industry_code")


@dataclass(frozen=True)
class Span:
    """Years simulated (first..last) and years written."""

    first: int
    last: int

    @classmethod
    def covering(cls, years: tuple[int, int]) -> Span:
        return cls(min(years[0], 2017), max(years[1], 2021))

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Pool:
    """Every enterprise that ever files, one row per id, and who files each year.

    `above[y]` are ids above designated size in year y; `below[y]` ids that file in y below the threshold
    (they fell below it that year).
    """

    enterprises: pd.DataFrame
    above: dict[int, np.ndarray]
    below: dict[int, np.ndarray]

    def veterans(self, span: Span) -> np.ndarray:
        """Ids above designated size in every simulated year."""
        ids = self.above[span.first]
        for year in span.years:
            ids = np.intersect1d(ids, self.above[year])
        return ids

    def with_identities(self, ids: np.ndarray, **columns: object) -> Pool:
        """A copy with identity columns of `ids` overwritten (placed names, districts, codes)."""
        frame = self.enterprises.copy()
        position = frame.index.get_indexer(ids)
        for column, values in columns.items():
            frame.iloc[position, frame.columns.get_loc(column)] = values
        return replace(self, enterprises=frame)


def above_size_targets(
    span: Span, in_calibration_year: int = ABOVE_SIZE_IN_CALIBRATION_YEAR
) -> dict[int, int]:
    return {
        y: round(in_calibration_year * (1 + ABOVE_SIZE_GROWTH) ** (y - CALIBRATION_YEAR)) for y in span.years
    }


def build_pool(rng: np.random.Generator, span: Span, city: CityProfile) -> Pool:
    """Simulate entries and exits so that the count above designated size follows `above_size_targets`."""
    targets = above_size_targets(span)
    next_id = 0
    above: dict[int, np.ndarray] = {}
    below: dict[int, np.ndarray] = {}
    entry: list[np.ndarray] = []
    previous: np.ndarray | None = None
    for year in span.years:
        if previous is None:
            exits = round(EXIT_RATE * targets[year])
            below[year] = np.arange(next_id, next_id + exits)
            stay = np.arange(next_id + exits, next_id + exits + targets[year])
            entry.append(np.full(exits + targets[year], year - 1))
            next_id += exits + targets[year]
            above[year] = stay
        else:
            exits = round(EXIT_RATE * previous.size)
            leaving = np.sort(rng.choice(previous, size=exits, replace=False))
            staying = np.setdiff1d(previous, leaving)
            new = np.arange(next_id, next_id + targets[year] - staying.size)
            entry.append(np.full(new.size, year))
            next_id += new.size
            below[year] = leaving
            above[year] = np.concatenate([staying, new])
        previous = above[year]
    enterprises = _identities(rng, next_id, city)
    enterprises["entry_year"] = np.concatenate(entry)
    return Pool(enterprises=enterprises, above=above, below=below)


def _identities(
    rng: np.random.Generator,
    count: int,
    city: CityProfile,
    *,
    exclude_bodies: set[int] | None = None,
    distinct_names: bool = True,
) -> pd.DataFrame:
    """Identity and the stable traits (scale, value-added ratio, energy habits) of `count` enterprises."""
    districts = identities.draw_districts(rng, count, city)
    industries, intensity = identities.draw_industries(rng, count)
    division, in_zone = identities.division_codes(rng, districts, city)
    bodies = identities.organisation_bodies(rng, count, exclude_bodies)
    codes = identities.credit_codes(identities.registration_areas(rng, districts, city), bodies)
    if distinct_names:
        names = identities.unique_names(rng, districts, industries, city)
    else:
        names = identities.names(rng, districts, industries, city)
    frame = pd.DataFrame(
        {
            "credit_code": codes,
            "enterprise_name": names,
            "division_code": division,
            "district_code": districts,
            "in_functional_zone": in_zone,
            "industry_code": industries,
            "org_body": bodies,
            "scale_10k_yuan": np.exp(rng.normal(np.log(9000.0), 1.0, count)),
            "value_added_ratio": rng.uniform(0.18, 0.32, count),
            "labour_productivity": rng.uniform(50.0, 160.0, count),
            "energy_intensity": intensity * np.exp(rng.normal(0.0, 0.4, count)),
        }
    )
    for column, (probability, (low, high)) in ENERGY_MIX.items():
        uses = rng.random(count) < probability
        frame[f"mix_{column}"] = np.where(uses, rng.uniform(low, high, count), 0.0)
    return frame


def extra_enterprises(
    rng: np.random.Generator, count: int, exclude_bodies: set[int], city: CityProfile
) -> pd.DataFrame:
    """Enterprises beyond the calibrated city (scale mode), with names that may repeat."""
    return _identities(rng, count, city, exclude_bodies=exclude_bodies, distinct_names=False)


def intensity_targets(rng: np.random.Generator, span: Span) -> dict[int, float]:
    """City energy per 10,000 yuan of value added, declining a few per cent a year."""
    targets = {span.first: INTENSITY_FIRST_YEAR}
    for year in span.years[1:]:
        targets[year] = round(targets[year - 1] * (1 - rng.uniform(*INTENSITY_DECLINE)), 4)
    return targets


def stats_frame(
    rng: np.random.Generator,
    enterprises: pd.DataFrame,
    year: int,
    is_above: np.ndarray,
    intensity_target: float,
) -> pd.DataFrame:
    """Canonical enterprise_stats rows of one year for the given enterprises (vectorised).

    Energy is scaled so the city's energy per value added over above-size rows meets `intensity_target`;
    each energy total is the sum of its rounded quantities times the standard-coal factors.
    """
    n = len(enterprises)
    trend = (1.06 ** (year - 2020)) * np.exp(rng.normal(0.0, 0.08, n))
    revenue = enterprises["scale_10k_yuan"].to_numpy() * trend
    floor = ABOVE_SIZE_MIN_REVENUE_10K_YUAN + rng.uniform(0.0, 600.0, n)
    revenue = np.where(
        is_above,
        np.where(revenue < ABOVE_SIZE_MIN_REVENUE_10K_YUAN, floor, revenue),
        rng.uniform(600.0, ABOVE_SIZE_MIN_REVENUE_10K_YUAN - 5.0, n),
    )
    revenue = np.round(revenue, 1)
    gross_output = np.round(revenue * rng.uniform(0.97, 1.12, n), 1)
    value_added = np.round(
        gross_output * enterprises["value_added_ratio"].to_numpy() * rng.uniform(0.95, 1.05, n), 1
    )
    employees = np.maximum(
        20, np.round(revenue / (enterprises["labour_productivity"].to_numpy() * 1.03 ** (year - 2020)))
    ).astype(np.int64)
    columns: dict[str, object] = {"year": np.full(n, year, dtype=np.int64)}
    columns.update({column: enterprises[column].array for column in IDENTITY_COLUMNS})
    columns["size_class"] = _size_classes(revenue, employees, rng.random(n) < 0.03)
    columns["is_above_size"] = is_above
    columns["revenue_10k_yuan"] = revenue
    columns["gross_output_10k_yuan"] = gross_output
    columns["value_added_10k_yuan"] = np.where(~is_above & (rng.random(n) < 0.2), np.nan, value_added)
    columns["employees"] = employees
    columns.update(_energy(enterprises, value_added, is_above, intensity_target, rng, year))
    columns["water_10k_t"] = np.round(revenue * rng.uniform(0.3, 2.0, n) / 1000.0, 2)
    columns["land_area_m2"] = np.round(employees * rng.uniform(60.0, 250.0, n), 0)
    frame = pd.DataFrame(columns)
    frame["enterprise_id"] = enterprises.index.to_numpy()
    return frame


SIZE_CLASSES = ("large", "medium", "small", "micro")


def _size_classes(revenue: np.ndarray, employees: np.ndarray, unknown: np.ndarray) -> pd.Categorical:
    """NBS rule for industry: large ≥1000 persons and ≥40,000万元; medium ≥300, ≥2,000; small ≥20, ≥300.

    `unknown` rows are left empty (size class is not always filled in)."""
    codes = np.select(
        [
            (employees >= 1000) & (revenue >= 40000),
            (employees >= 300) & (revenue >= 2000),
            (employees >= 20) & (revenue >= 300),
        ],
        [0, 1, 2],
        3,
    )
    return pd.Categorical.from_codes(np.where(unknown, -1, codes), categories=list(SIZE_CLASSES))


def _energy(
    enterprises: pd.DataFrame,
    value_added: np.ndarray,
    is_above: np.ndarray,
    intensity_target: float,
    rng: np.random.Generator,
    year: int,
) -> dict[str, np.ndarray]:
    factors = tce_per_canonical_unit(POLICY, year)
    raw_tce = (
        value_added * enterprises["energy_intensity"].to_numpy() * rng.uniform(0.95, 1.05, len(value_added))
    )
    scale = intensity_target * value_added[is_above].sum() / raw_tce[is_above].sum()
    tce = raw_tce * scale
    mix = enterprises[[f"mix_{c}" for c in ENERGY_COLUMNS]].to_numpy()
    shares = mix / mix.sum(axis=1, keepdims=True)
    total = np.zeros(len(value_added))
    out: dict[str, np.ndarray] = {}
    for i, column in enumerate(ENERGY_COLUMNS):
        quantity = np.round(tce * shares[:, i] / factors[column], 2)
        total += quantity * factors[column]
        out[column] = np.where(mix[:, i] > 0, quantity, np.nan)
    out["energy_total_tce"] = np.round(total, 2)
    return out


def recompute_energy_total(frame: pd.DataFrame, year: int) -> pd.Series:
    """Total energy in tce from the quantities by type (used after a correction changes one)."""
    factors = tce_per_canonical_unit(POLICY, year)
    total = sum(frame[c].fillna(0.0) * factors[c] for c in ENERGY_COLUMNS)
    return total.round(2)
