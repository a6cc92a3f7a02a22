"""green_coverage: accredited green plants among above-size enterprises, by year, district and industry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from greenmfg.contracts.model import Column
from greenmfg.indicators.common import (
    INDUSTRY_DIVISION,
    REGION_CODE,
    REGION_LEVEL,
    SOURCE_SHA256S,
    YEAR,
    finalize,
    in_force_at_year_end,
    input_frame,
    join_sources,
    only_years,
    with_region_levels,
    with_total,
    year_sources,
)
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy

STATS_COLUMNS = (
    "year",
    "credit_code",
    "district_code",
    "industry_division",
    "is_above_size",
    "source_sha256",
)
REGISTER_COLUMNS = (
    "year",
    "list_type",
    "tier",
    "stars",
    "credit_code",
    "valid_from_date",
    "valid_to_date",
    "is_revoked",
    "source_sha256",
)
FINE_KEY = ["year", "district_code", "industry_division"]
OUT_KEY = ["year", "region_code", "region_level", "industry_division"]
TIERS_WITHOUT_STARS = ("national", "provincial")


def accredited_plants(register: pd.DataFrame, params: Policy) -> pd.DataFrame:
    """Distinct (year, credit_code) holding a green-factory accreditation that counts at the year's end.

    National and provincial accreditations count whatever their stars (the star scale rates municipal
    factories); a municipal one counts when its stars reach the threshold of the year (unknown stars do not).
    """
    factories = register[(register["list_type"] == "green_factory") & register["credit_code"].notna()]
    high_tier = factories["tier"].isin(TIERS_WITHOUT_STARS).fillna(False).astype(bool)
    threshold = params.values_in("star_threshold", factories["year"])
    enough_stars = (factories["stars"] >= threshold).fillna(False).astype(bool)
    counted = factories[(high_tier | enough_stars) & in_force_at_year_end(factories)]
    return counted.loc[:, ["year", "credit_code"]].drop_duplicates()


def _is_green_plant(above: pd.DataFrame, plants: pd.DataFrame) -> np.ndarray:
    """1 where the row's (year, credit_code) is among the plants, else 0: a set lookup per year, not a
    merge of every enterprise row (plants are a few thousand, enterprises up to millions)."""
    flag = np.zeros(len(above), dtype="int64")
    years = above["year"]
    for year, codes in plants.groupby("year", sort=True)["credit_code"]:
        same_year = (years == year).to_numpy(dtype=bool, na_value=False)
        known = above["credit_code"].isin(codes.unique()).to_numpy(dtype=bool, na_value=False)
        flag[same_year & known] = 1
    return flag


def derive(
    inputs: Mapping[str, pd.DataFrame], params: Policy, years: Iterable[int] | None = None
) -> pd.DataFrame:
    stats = only_years(input_frame(inputs, "enterprise_stats", STATS_COLUMNS), years)
    register = only_years(input_frame(inputs, "green_register", REGISTER_COLUMNS), years)
    above = stats[stats["is_above_size"].fillna(False).astype(bool)]
    if len(above) == 0:
        return DEFINITION.empty_frame()
    plants = accredited_plants(register, params)
    above = above.assign(is_green_plant=_is_green_plant(above, plants))

    fine = (
        above.groupby(FINE_KEY, sort=False, observed=True)
        .agg(above_size_enterprises=("credit_code", "size"), green_plants=("is_green_plant", "sum"))
        .reset_index()
    )
    rolled = with_total(with_region_levels(fine, params.city_code), "industry_division")
    summed = ["above_size_enterprises", "green_plants"]
    counts = rolled.groupby(OUT_KEY, sort=False, observed=True)[summed].sum().reset_index()
    # A year without a register filing has unknown plants, not zero: null, and listed as a missing input.
    unregistered = ~counts["year"].isin(register["year"].dropna().unique())
    counts["green_plants"] = counts["green_plants"].astype("Int64").mask(unregistered)
    counts["coverage_pct"] = (
        counts["green_plants"]
        / counts["above_size_enterprises"].where(counts["above_size_enterprises"] > 0)
        * 100.0
    ).astype("float64")
    counts["star_threshold"] = params.values_in("star_threshold", counts["year"])

    stat_pairs = with_total(
        with_region_levels(above.loc[:, [*FINE_KEY, "source_sha256"]].drop_duplicates(), params.city_code),
        "industry_division",
    )
    register_pairs = year_sources(register, counts.loc[:, OUT_KEY])
    sources = join_sources(pd.concat([stat_pairs, register_pairs], ignore_index=True), OUT_KEY)
    return finalize(counts.merge(sources, on=OUT_KEY, how="left"), DEFINITION)


DEFINITION = DatasetDefinition(
    name="green_coverage",
    title="Green plant coverage of above-size enterprises",
    description=(
        "Per year, district (and city total) and industry division (and ALL): enterprises above "
        "designated size and how many of them hold an accredited green-factory status at the year's end. "
        "Green plants are counted among the above-size enterprises of that year's statistics (matched by "
        "credit code), so coverage never exceeds 100 %; district and division come from the statistics. "
        "A year with statistics but no register filing has empty green_plants and coverage_pct (unknown, "
        "not 0), and the manifest lists it under missing_inputs; a register year without statistics has no "
        "rows."
    ),
    formula=(
        "above_size_enterprises = count of enterprise_stats rows of the year with is_above_size; "
        "green_plants = those whose credit_code holds, in that year's green_register filing, a green_factory "
        "accreditation in force on Y-12-31 (valid_from_date ≤ Y-12-31 ≤ valid_to_date or open; revoked "
        "without a date = not in force) that is national or provincial, or municipal with stars ≥ "
        "star_threshold; coverage_pct = green_plants / above_size_enterprises × 100."
    ),
    columns=(
        YEAR,
        REGION_CODE,
        REGION_LEVEL,
        INDUSTRY_DIVISION,
        Column("above_size_enterprises", "int", "Enterprises above designated size.", unit="enterprises"),
        Column(
            "green_plants",
            "int",
            "Above-size enterprises accredited as green plants at the year's end; "
            "empty when the year has no register filing.",
            unit="enterprises",
            nullable=True,
        ),
        Column(
            "coverage_pct",
            "float",
            "green_plants / above_size_enterprises × 100; empty when green_plants is.",
            unit="pct",
            nullable=True,
        ),
        Column(
            "star_threshold",
            "int",
            "Parameter: lowest star level counted for municipal green factories in the year.",
        ),
        SOURCE_SHA256S,
    ),
    key=("year", "region_code", "industry_division"),
    inputs=("enterprise_stats", "green_register"),
    parameters=("star_threshold",),
    partition_columns=("year",),
    joint_inputs=(
        (
            "enterprise_stats",
            "no rows for the year: without the statistics the above-size enterprises are unknown",
        ),
        ("green_register", "green_plants and coverage_pct are null for the year (unknown, not 0)"),
    ),
    derive=derive,
)
