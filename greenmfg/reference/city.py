"""The whole reference city for a seed: canonical frames of every filing type and year, built in one place.

Pure: returns DataFrames (canonical columns, money in 万元) plus the few helper columns the writers need
(`enterprise_id`, `in_functional_zone`); nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from greenmfg.cities import CityProfile
from greenmfg.reference import population, programmes
from greenmfg.reference.identities import wrong_check
from greenmfg.reference.population import CALIBRATION_YEAR, Pool, Span
from greenmfg.reference.register import Register, build_register, register_frame

CORRECTION_YEAR = 2019
CORRECTED_ROWS = 6


@dataclass(frozen=True)
class Correction:
    """A re-filed period: which rows changed, from what to what (canonical units)."""

    year: int
    changes: tuple[dict, ...]


@dataclass
class City:
    """Canonical frames by filing type and year, and the facts the answer key states."""

    years: tuple[int, int]
    span: Span
    stats: dict[int, pd.DataFrame]
    register: dict[int, pd.DataFrame]
    incentives: dict[int, pd.DataFrame]
    loans: dict[int, pd.DataFrame]
    invalid_codes: tuple[str, ...]
    intensity_targets: dict[int, float]
    correction: Correction | None = None
    original_stats: dict[int, pd.DataFrame] = field(default_factory=dict)

    @property
    def written_years(self) -> range:
        return range(self.years[0], self.years[1] + 1)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent random streams, so a change in one part does not reshuffle the others."""
    names = ("pool", "register", "stats", "programmes", "invalid", "correction", "scale")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}


def build_city(
    seed: int, years: tuple[int, int], profile: CityProfile, enterprises: int | None = None
) -> City:
    """The reference city of `profile`: its divisions, names and real MIIT entries, Huzhou's shape."""
    rng = _streams(seed)
    span = Span.covering(years)
    pool = population.build_pool(rng["pool"], span, profile)
    register = build_register(rng["register"], pool, span, profile)
    pool, invalid_codes, invalid_ids = _flag_two_codes(rng["invalid"], register)
    targets = population.intensity_targets(rng["stats"], span)
    written = range(years[0], years[1] + 1)
    stats = {y: _stats_of_year(rng["stats"], pool, y, targets[y]) for y in span.years}
    stats = {y: stats[y] for y in written}
    correction = None
    original: dict[int, pd.DataFrame] = {}
    correction_year = CORRECTION_YEAR if CORRECTION_YEAR in written else None
    if correction_year is not None:
        original[correction_year] = stats[correction_year]
        stats[correction_year], correction = _correct(rng["correction"], stats[correction_year])
    if enterprises is not None:
        _scale(rng["scale"], pool, stats, enterprises, targets, original, profile)
    accreditations = register.accreditations
    parks = programmes.park_recipients(rng["programmes"], accreditations, set(pool.enterprises["org_body"]))
    loan_counts = programmes.loan_counts(span)
    incentives, loans = {}, {}
    for year in span.years:
        incentive = programmes.incentives_frame(rng["programmes"], pool, accreditations, parks, year)
        must_apply = (invalid_ids[1],) if year == CALIBRATION_YEAR else ()
        loan = programmes.loans_frame(
            rng["programmes"], pool, year, loan_counts[year], register.green_plants,
            profile.reference.lenders, must_apply,
        )  # fmt: skip
        if year in written:
            incentives[year], loans[year] = incentive, loan
    return City(
        years=years,
        span=span,
        stats=stats,
        register={y: register_frame(register, pool, y) for y in written},
        incentives=incentives,
        loans=loans,
        invalid_codes=invalid_codes,
        intensity_targets={y: targets[y] for y in written},
        correction=correction,
        original_stats=original,
    )


def _flag_two_codes(
    rng: np.random.Generator, register: Register
) -> tuple[Pool, tuple[str, ...], tuple[int, int]]:
    """Two real-looking codes with a wrong check character: one green plant, one loan applicant."""
    pool = register.pool
    ordinary = np.setdiff1d(pool.above[CALIBRATION_YEAR], register.national_enterprises)
    green = rng.choice(np.intersect1d(ordinary, register.green_plants))
    other = rng.choice(np.setdiff1d(ordinary, register.green_plants))
    ids = np.array([green, other])
    codes = pool.enterprises.loc[ids, "credit_code"].tolist()
    flagged = [wrong_check(code, shift) for code, shift in zip(codes, (7, 13), strict=True)]
    return pool.with_identities(ids, credit_code=flagged), tuple(flagged), (int(green), int(other))


def _stats_of_year(rng: np.random.Generator, pool: Pool, year: int, target: float) -> pd.DataFrame:
    ids = np.concatenate([pool.above[year], pool.below[year]])
    is_above = np.concatenate([np.ones(pool.above[year].size, bool), np.zeros(pool.below[year].size, bool)])
    frame = population.stats_frame(rng, pool.enterprises.loc[ids], year, is_above, target)
    frame["in_functional_zone"] = pool.enterprises.loc[ids, "in_functional_zone"].to_numpy()
    return frame.sort_values(["district_code", "industry_code", "credit_code"], kind="stable").reset_index(
        drop=True
    )


def _correct(rng: np.random.Generator, frame: pd.DataFrame) -> tuple[pd.DataFrame, Correction]:
    """A few rows re-filed with higher revenue, output and value added; two with more electricity."""
    year = int(frame["year"].iloc[0])
    corrected = frame.copy()
    candidates = np.flatnonzero(corrected["is_above_size"].to_numpy())
    rows = np.sort(rng.choice(candidates, size=CORRECTED_ROWS, replace=False))
    changes: list[dict] = []
    for n, row in enumerate(rows.tolist()):
        factor = round(float(rng.uniform(1.02, 1.12)), 3)
        columns = ["revenue_10k_yuan", "gross_output_10k_yuan", "value_added_10k_yuan"]
        if n < 2:
            columns.append("electricity_10k_kwh")
        for column in columns:
            before = float(corrected.at[row, column])
            corrected.at[row, column] = round(before * factor, 2 if column.startswith("elec") else 1)
        if n < 2:
            columns.append("energy_total_tce")
            corrected.loc[[row], "energy_total_tce"] = population.recompute_energy_total(
                corrected.loc[[row]], year
            ).to_numpy()
        for column in columns:
            changes.append(
                {
                    "credit_code": corrected.at[row, "credit_code"],
                    "column": column,
                    "before": float(frame.at[row, column]),
                    "after": float(corrected.at[row, column]),
                }
            )
    return corrected, Correction(year=year, changes=tuple(changes))


def _scale(
    rng: np.random.Generator,
    pool: Pool,
    stats: dict[int, pd.DataFrame],
    rows: int,
    targets: dict[int, float],
    original: dict[int, pd.DataFrame],
    profile: CityProfile,
) -> None:
    """Scale mode: each year's enterprise statistics get exactly `rows` rows, the city's own first.

    Changes `stats` and `original` (the filing before its correction) in place, with the same extra rows.
    """
    missing = max(0, max(rows - len(frame) for frame in stats.values()))
    if missing:
        extra = population.extra_enterprises(
            rng, missing, set(pool.enterprises["org_body"].tolist()), profile
        )
        is_above = rng.random(missing) < 0.95
    for year, frame in list(stats.items()):
        pad = rows - len(frame)
        frames = [stats, original] if year in original else [stats]
        if pad <= 0:
            for target in frames:
                target[year] = target[year].head(rows).reset_index(drop=True)
            continue
        more = population.stats_frame(rng, extra.iloc[:pad], year, is_above[:pad], targets[year])
        more["in_functional_zone"] = extra["in_functional_zone"].to_numpy()[:pad]
        more["enterprise_id"] = -1 - np.arange(pad)
        for target in frames:
            target[year] = pd.concat([target[year], more], ignore_index=True)
