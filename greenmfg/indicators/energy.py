"""energy_intensity: energy per 10,000 yuan of value added and its yearly decline by district and industry."""

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
    input_frame,
    join_sources,
    only_years,
    with_region_levels,
    with_total,
)
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy
from greenmfg.standard_coal import ENERGY_COLUMNS, energy_tce

COLUMNS = ("year", "district_code", "industry_division", "is_above_size", "value_added_10k_yuan",
           *ENERGY_COLUMNS, "energy_total_tce", "source_sha256")
FINE_KEY = ["year", "district_code", "industry_division"]
OUT_KEY = ["year", "region_code", "region_level", "industry_division"]
SUMS = ["enterprises", "energy_tce", "energy_reported_tce", "value_added_10k_yuan"]


def _previous_years(years: Iterable[int] | None) -> list[int] | None:
    return None if years is None else sorted({y for year in years for y in (year, year - 1)})


def _decline_rate_pct(out: pd.DataFrame) -> pd.Series:
    """(1 − e_t / e_(t−1)) × 100 against the previous calendar year of the same region and division."""
    previous = out.loc[:, ["year", "region_code", "industry_division", "energy_per_10k_yuan_value_added"]]
    previous = previous.assign(year=previous["year"] + 1).rename(
        columns={"energy_per_10k_yuan_value_added": "previous"})
    aligned = out.merge(previous, on=["year", "region_code", "industry_division"], how="left")["previous"]
    aligned = aligned.where(aligned > 0)
    return pd.Series((1.0 - out["energy_per_10k_yuan_value_added"].to_numpy() / aligned.to_numpy()) * 100.0,
                     index=out.index)


def derive(inputs: Mapping[str, pd.DataFrame], params: Policy,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    wanted = None if years is None else list(years)
    stats = only_years(input_frame(inputs, "enterprise_stats", COLUMNS), _previous_years(wanted))
    counted = stats["is_above_size"].fillna(False).astype(bool) & stats["value_added_10k_yuan"].notna()
    rows = stats[counted]
    if len(rows) == 0:
        return DEFINITION.empty_frame()
    rows = rows.assign(enterprises=1, energy_tce=energy_tce(rows, params).fillna(0.0),
                       energy_reported_tce=rows["energy_total_tce"].astype("float64"),
                       value_added_10k_yuan=rows["value_added_10k_yuan"].astype("float64"))

    fine = rows.groupby(FINE_KEY, sort=False)[SUMS].sum(min_count=1).reset_index()
    rolled = with_total(with_region_levels(fine, params.city_code), "industry_division")
    out = rolled.groupby(OUT_KEY, sort=False)[SUMS].sum(min_count=1).reset_index()
    value_added = out["value_added_10k_yuan"].where(out["value_added_10k_yuan"] > 0)
    out["energy_per_10k_yuan_value_added"] = out["energy_tce"] / value_added
    out["decline_rate_pct"] = _decline_rate_pct(out).replace([np.inf, -np.inf], np.nan)
    out["coal_factors_from_year"] = out["year"].map(lambda y: params.coal_factors_from_year(int(y)))

    pairs = with_total(with_region_levels(rows.loc[:, [*FINE_KEY, "source_sha256"]].drop_duplicates(),
                                               params.city_code),
                       "industry_division")
    out = out.merge(join_sources(pairs, OUT_KEY), on=OUT_KEY, how="left")
    return finalize(only_years(out, wanted), DEFINITION)


DEFINITION = DatasetDefinition(
    name="energy_intensity",
    title="Energy intensity of industrial value added",
    description=(
        "Per year, district (and city total) and industry division (and ALL): energy consumed by "
        "above-size enterprises that reported value added, the value added, energy per 10,000 yuan of value "
        "added and its decline against the previous year. Enterprises without value added are left out of "
        "both sums so that the ratio compares like with like."
    ),
    formula=(
        "energy_tce = Σ over enterprises and energy types of quantity × base units per canonical unit "
        "(greenmfg.units.BASE_UNITS_PER_CANONICAL) × kgce per base unit (standard-coal factor in force "
        "that year) / 1000; energy_per_10k_yuan_value_added = energy_tce / value_added_10k_yuan; "
        "decline_rate_pct = (1 − e_t / e_(t−1)) × 100 against year t−1 of the same region and division, "
        "empty when that year is absent."
    ),
    columns=(
        YEAR, REGION_CODE, REGION_LEVEL, INDUSTRY_DIVISION,
        Column("enterprises", "int", "Above-size enterprises with value added counted.", unit="enterprises"),
        Column("energy_tce", "float", "Total energy consumption computed from energy by type.", unit="tce"),
        Column("energy_reported_tce", "float", "Total energy consumption as reported, for reconciliation.",
               unit="tce", nullable=True),
        Column("value_added_10k_yuan", "float", "Industrial value added (comparable prices).",
               unit="10k_yuan"),
        Column("energy_per_10k_yuan_value_added", "float", "energy_tce / value_added_10k_yuan.",
               unit="tce/10k_yuan", nullable=True),
        Column("decline_rate_pct", "float", "(1 − e_t / e_(t−1)) × 100 against the previous year.",
               unit="pct", nullable=True),
        Column("coal_factors_from_year", "int", "Parameter: first year in force of the newest standard-coal "
               "factor applied (identifies the factor set)."),
        SOURCE_SHA256S,
    ),
    key=("year", "region_code", "industry_division"),
    inputs=("enterprise_stats",),
    parameters=("coal_factors",),
    partition_columns=("year",),
    derive=derive,
)
