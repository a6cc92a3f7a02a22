"""The indicators reproduce DOMAIN.md's 2020 headline figures from the reference city's canonical frames."""

from __future__ import annotations

import pandas as pd
import pytest

from greenmfg.cities import DEFAULT_CITY as CITY_CODE
from greenmfg.cities import load_profile
from greenmfg.contracts import get_contract
from greenmfg.indicators import derive_all
from greenmfg.policy import Policy
from greenmfg.reference import answer_key
from greenmfg.reference.city import build_city
from greenmfg.reference.generate import DEFAULT_SEED, DEFAULT_YEARS

YEAR = 2020


def canonical(filing_type: str, frames: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """The generator's frames typed as the contract says, one pretend filing per year."""
    contract = get_contract(filing_type)
    typed = []
    for year, frame in frames.items():
        columns = {c.name: frame.get(c.name) for c in contract.columns}
        if filing_type == "enterprise_stats":
            columns["industry_division"] = frame["industry_code"].str[:2]
        out = pd.DataFrame(columns)
        for column in contract.columns:
            if column.dtype == "date":
                out[column.name] = pd.to_datetime(out[column.name])
        out["source_sha256"], out["source_row"] = f"{filing_type}-{year}", range(2, len(out) + 2)
        out["inferred_values"] = pd.NA
        typed.append(out.astype(contract.pandas_dtypes()))
    return pd.concat(typed, ignore_index=True)


@pytest.fixture(scope="module")
def city_and_outputs():
    city = build_city(DEFAULT_SEED, DEFAULT_YEARS, load_profile(CITY_CODE))
    inputs = {"enterprise_stats": canonical("enterprise_stats", city.stats),
              "green_register": canonical("green_register", city.register),
              "incentives": canonical("incentives", city.incentives),
              "green_loans": canonical("green_loans", city.loans)}
    return city, derive_all(inputs, Policy())


def city_total(frame: pd.DataFrame, **match) -> pd.Series:
    selected = frame[(frame["year"] == YEAR) & (frame["region_code"] == CITY_CODE)]
    for column, value in match.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1
    return selected.iloc[0]


def test_headline_figures_of_2020(city_and_outputs):
    _, out = city_and_outputs
    coverage = city_total(out["green_coverage"], industry_division="ALL")
    assert coverage["green_plants"] == 3091 and coverage["coverage_pct"] > 90
    national = {lt: city_total(out["green_list_counts"], list_type=lt, tier="national")["entities"]
                for lt in ("green_factory", "green_park", "green_supply_chain", "green_design_product")}
    assert national == {"green_factory": 44, "green_park": 4, "green_supply_chain": 17,
                        "green_design_product": 49}
    finance = city_total(out["green_finance"])
    assert finance["applicant_enterprises"] == 148
    assert finance["loan_total_10k_yuan"] == pytest.approx(330_000.0)


def test_agrees_with_the_answer_key(city_and_outputs):
    city, out = city_and_outputs
    key = answer_key.headline(city.stats[YEAR], city.register[YEAR], city.incentives[YEAR], city.loans[YEAR],
                              YEAR)
    coverage = city_total(out["green_coverage"], industry_division="ALL")
    assert coverage["above_size_enterprises"] == key["above_size_enterprises"]
    assert coverage["coverage_pct"] == pytest.approx(key["coverage_pct"], abs=0.005)
    for kind, figures in key["incentives"].items():
        row = city_total(out["incentives"], incentive_kind=kind)
        assert (row["grants"], row["above_cap_grants"]) == (figures["count"], figures["over_cap"])
        assert row["total_10k_yuan"] == pytest.approx(figures["total_10k_yuan"])
    for year, figures in answer_key.energy_intensity(city.stats).items():
        energy = out["energy_intensity"]
        row = energy[(energy["year"] == int(year)) & (energy["region_code"] == CITY_CODE)
                     & (energy["industry_division"] == "ALL")]
        expected = figures["tce_per_10k_yuan"]
        assert row["energy_per_10k_yuan_value_added"].item() == pytest.approx(expected, rel=1e-4)
