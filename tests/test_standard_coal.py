"""One standard-coal conversion: its year rule, its numbers, and the validation check and the indicator
agreeing row by row because both convert with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from greenmfg.errors import SettingsError
from greenmfg.indicators import derive
from greenmfg.policy import CoalFactor, Policy
from greenmfg.standard_coal import ENERGY_COLUMNS, energy_tce, tce_per_canonical_unit
from greenmfg.validation import ValidationConfig, validate
from greenmfg.validation.sample import clean_rows

# Electricity gets a new factor from 2020 on, so the year rule matters in these tests.
ELECTRICITY_2020 = CoalFactor("electricity_10k_kwh", "kWh", 0.2, 2020)
POLICY = replace(Policy(), coal_factors=(*Policy().coal_factors, ELECTRICITY_2020))


@pytest.mark.parametrize(
    ("year", "column", "tce"),
    [
        (2019, "electricity_10k_kwh", 1.229),  # 0.1229 kgce/kWh × 10,000 kWh / 1000
        (2020, "electricity_10k_kwh", 2.0),
        (2035, "electricity_10k_kwh", 2.0),
        (2019, "raw_coal_t", 0.7143),  # 0.7143 kgce/kg × 1000 kg / 1000
        (2020, "heat_gj", 0.03412),  # 0.03412 kgce/MJ × 1000 MJ / 1000
    ],
)
def test_tce_per_canonical_unit_follows_the_factor_of_the_year(year: int, column: str, tce: float) -> None:
    assert tce_per_canonical_unit(POLICY, year)[column] == pytest.approx(tce)


@pytest.mark.parametrize("year", [1999, 1990])
def test_a_year_before_the_first_factor_is_an_error_naming_both_years(year: int) -> None:
    rows = pd.DataFrame({c: [1.0] for c in ENERGY_COLUMNS} | {"year": pd.array([year], dtype="Int64")})
    message = rf"no standard-coal factor for \w+ in {year}: the first is valid from 2000"
    with pytest.raises(SettingsError, match=message):
        energy_tce(rows, POLICY)
    with pytest.raises(SettingsError, match=message):
        tce_per_canonical_unit(POLICY, year)


def test_rows_without_energy_or_year_have_nothing_to_convert() -> None:
    rows = pd.DataFrame({c: [np.nan, np.nan, 1.0] for c in ENERGY_COLUMNS})
    rows["year"] = pd.array([2020, 1900, None], dtype="Int64")  # 1900 has no energy: no error
    assert energy_tce(rows, POLICY).isna().all()


def test_the_validation_check_rejects_a_year_before_the_first_factor() -> None:
    rows = clean_rows("enterprise_stats", 3, seed=1)
    rows["year"] = pd.array([1995] * 3, dtype="Int64")  # within the contract's years, before the factors
    with pytest.raises(SettingsError, match="in 1995: the first is valid from 2000"):
        validate(rows, "enterprise_stats", config=ValidationConfig())


def test_validation_and_the_energy_indicator_agree_on_the_same_rows() -> None:
    """Each row alone through the indicator gives the tce the validation check compares totals with: a
    reported total 4 % off passes, 6 % off is flagged, for rows on both sides of the factor change."""
    rows = pd.concat(
        [clean_rows("enterprise_stats", 6, seed=7, period=2019), clean_rows("enterprise_stats", 6, seed=8)],
        ignore_index=True,
    )
    rows["is_above_size"] = pd.array([True] * len(rows), dtype="boolean")
    rows["revenue_10k_yuan"] = rows["revenue_10k_yuan"].clip(lower=2000.0)
    rows["industry_division"] = rows["industry_code"].str.slice(0, 2)
    rows["source_row"] = np.arange(2, len(rows) + 2)
    per_row = []
    for position in range(len(rows)):
        one = rows.iloc[[position]]
        out = derive("energy_intensity", {"enterprise_stats": one}, POLICY)
        per_row.append(out.loc[out["industry_division"] == "ALL", "energy_tce"].iloc[0])
    per_row = np.array(per_row)
    np.testing.assert_allclose(per_row, energy_tce(rows, POLICY).to_numpy())
    assert per_row.min() > 1.0 / 0.04, "totals large enough for the share tolerance to decide"

    off = np.where(np.arange(len(rows)) % 2 == 0, 1.04, 1.06)
    rows["energy_total_tce"] = per_row * off
    outcome = validate(rows, "enterprise_stats", config=ValidationConfig(policy=POLICY))
    flagged = outcome.quarantine[outcome.quarantine["rule"] == "energy_total"]
    expected = rows.loc[off > 1.05, "source_row"]
    assert sorted(flagged["source_row"].astype(int)) == sorted(expected.astype(int))
    assert set(rows.loc[off > 1.05, "year"]) == {2019, 2020}
