"""Energy by type in tonnes of standard coal (tce): the one conversion, with the policy's factors by year.

The validation of reported totals, the energy-intensity indicator and the reference generator all convert
here, so they cannot disagree on a factor or on which year's factor applies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.policy import Policy
from greenmfg.units import BASE_UNITS_PER_CANONICAL

ENERGY_COLUMNS: tuple[str, ...] = tuple(c.name for c in ENERGY_BY_TYPE)
KG_PER_T = 1000.0


def tce_per_canonical_unit(policy: Policy, year: int) -> dict[str, float]:
    """Energy column → tce per canonical unit of the column (t, 10k kWh, 10k m³, GJ) in `year`.

    A year before the first factor is an error naming the year and the first year available.
    """
    factors = policy.coal_factors_in(year)
    return {
        c.name: factors[c.name].kgce_per_base_unit * BASE_UNITS_PER_CANONICAL[c.unit] / KG_PER_T
        for c in ENERGY_BY_TYPE
    }


def energy_tce(rows: pd.DataFrame, policy: Policy, *, year_column: str = "year") -> pd.Series:
    """Σ energy by type × standard-coal factor of the row's year, in tce.

    An empty energy cell counts 0; a row reporting no energy type at all, or without a year, is NA (nothing
    to convert). Factors are looked up once per year present, not once per row.
    """
    quantities = rows.loc[:, list(ENERGY_COLUMNS)].to_numpy(dtype="float64", na_value=np.nan)
    years = rows[year_column].to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(quantities)
    convertible = ~missing.all(axis=1) & ~np.isnan(years)
    quantities = np.where(missing, 0.0, quantities)  # an empty cell counts 0
    total = np.full(len(rows), np.nan)
    for year in np.unique(years[convertible]):
        same = convertible & (years == year)
        factors = tce_per_canonical_unit(policy, int(year))
        vector = np.array([factors[c] for c in ENERGY_COLUMNS])
        total[same] = (quantities if same.all() else quantities[same]) @ vector
    return pd.Series(total, index=rows.index, dtype="float64")
