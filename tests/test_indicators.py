"""Indicator formulas on small hand-made tables whose expected numbers are worked out by hand below."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from greenmfg.contracts import get_contract
from greenmfg.errors import FilingError, SettingsError
from greenmfg.indicators import DATASETS, derive, derive_all
from greenmfg.policy import CoalFactor, Policy, coal_factors_from_codes


def canonical(filing_type: str, rows: list[dict], sha: str) -> pd.DataFrame:
    """Rows typed as the contract says, missing columns empty, with provenance."""
    contract = get_contract(filing_type)
    frame = pd.DataFrame([{c: row.get(c) for c in contract.column_names} for row in rows],
                         columns=list(contract.column_names))
    frame["source_sha256"] = [row.get("source_sha256", sha) for row in rows]
    frame["source_row"] = range(2, len(rows) + 2)
    frame["inferred_values"] = pd.NA
    return frame.astype(contract.pandas_dtypes())


def row_of(frame: pd.DataFrame, **match) -> pd.Series:
    selected = frame
    for column, value in match.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, f"expected one row for {match}, found {len(selected)}"
    return selected.iloc[0]


# --- green_coverage -----------------------------------------------------------------------------------

def stat(code: str, district: str, division: str, above: bool = True, year: int = 2020) -> dict:
    return {"year": year, "credit_code": code, "enterprise_name": code, "district_code": district,
            "industry_code": division + "11", "industry_division": division, "is_above_size": above,
            "revenue_10k_yuan": 3000.0, "gross_output_10k_yuan": 3000.0}


def accreditation(code: str | None, tier: str, stars: int | None, valid_from: str,
                  valid_to: str | None = None, revoked: bool = False, list_type: str = "green_factory",
                  year: int = 2020, district: str = "330502", name: str | None = None,
                  product: tuple[str, str] | None = None, sha: str | None = None) -> dict:
    row = {"year": year, "list_type": list_type, "tier": tier, "stars": stars, "credit_code": code,
           "entity_name": name or code, "district_code": district, "valid_from_date": valid_from,
           "valid_to_date": valid_to, "is_revoked": revoked}
    if product:
        row["product_name"], row["product_model"] = product
    if sha:
        row["source_sha256"] = sha
    return row


STATS = [
    stat("A", "330502", "26"), stat("B", "330502", "26"), stat("J", "330502", "26"),
    stat("C", "330502", "30"), stat("H", "330502", "30"), stat("L", "330502", "30"),
    stat("K", "330502", "30"),
    stat("D", "330503", "26"), stat("E", "330503", "26"), stat("F", "330503", "26"),
    stat("I", "330503", "30"), stat("G", "330503", "30", above=False),
    stat("M", "330500", "26"),  # reported at city level: counted in city totals only
]
REGISTER = [
    accreditation("A", "municipal", 3, "2019-05-01"),  # in force, 3★
    accreditation("B", "municipal", 4, "2018-01-01", "2020-06-30", revoked=True),  # revoked mid-year
    accreditation("J", "municipal", 3, "2019-01-01"),  # two accreditations,
    accreditation("J", "national", None, "2020-03-01"),  # counted once
    accreditation("C", "national", None, "2018-01-01"),  # no stars, national
    accreditation("H", "municipal", None, "2018-01-01"),  # municipal, no stars
    accreditation("L", "municipal", 3, "2018-01-01", "2021-03-01", revoked=True),  # revoked after Y-end
    accreditation("K", "national", None, "2018-01-01", list_type="green_park"),  # not a factory
    accreditation("D", "municipal", 3, "2021-01-01"),  # not yet valid
    accreditation("E", "municipal", 5, "2017-12-31", "2020-12-30"),  # expired the day before
    accreditation("F", "provincial", None, "2017-12-31", "2020-12-31"),  # last day is Y-12-31
    accreditation("G", "municipal", 5, "2018-01-01"),  # not above size
    accreditation("I", "municipal", 3, "2018-01-01", year=2019, sha="reg2019"),  # other year's register
]


@pytest.fixture(scope="module")
def coverage_inputs() -> dict[str, pd.DataFrame]:
    return {"enterprise_stats": canonical("enterprise_stats", STATS, "stats2020"),
            "green_register": canonical("green_register", REGISTER, "reg2020")}


@pytest.mark.parametrize(("threshold", "region", "division", "above", "plants"), [
    # threshold 3: A, J (26) and C, L (30) in Wuxing; F in Nanxun.
    (3, "330502", "26", 3, 2), (3, "330502", "30", 4, 2), (3, "330502", "ALL", 7, 4),
    (3, "330503", "26", 3, 1), (3, "330503", "30", 1, 0), (3, "330503", "ALL", 4, 1),
    (3, "330500", "26", 7, 3), (3, "330500", "30", 5, 2), (3, "330500", "ALL", 12, 5),
    # threshold 4: the 3★ municipal plants A and L drop out; J keeps its national accreditation.
    (4, "330502", "26", 3, 1), (4, "330502", "30", 4, 1), (4, "330503", "26", 3, 1),
    (4, "330500", "ALL", 12, 3),
])
def test_coverage_counts_plants_in_force_at_year_end(coverage_inputs, threshold, region, division, above,
                                                     plants):
    out = derive("green_coverage", coverage_inputs, Policy(star_threshold=threshold))
    row = row_of(out, year=2020, region_code=region, industry_division=division)
    assert (row["above_size_enterprises"], row["green_plants"]) == (above, plants)
    assert row["coverage_pct"] == pytest.approx(plants / above * 100)
    assert row["star_threshold"] == threshold
    assert row["region_level"] == ("city" if region == "330500" else "district")


def test_coverage_rows_sources_and_grid(coverage_inputs):
    out = derive("green_coverage", coverage_inputs, Policy())
    # 2 districts × (2 divisions + ALL) + city × (2 divisions + ALL); no district row for 330500.
    assert len(out) == 9
    assert not ((out["region_code"] == "330500") & (out["region_level"] == "district")).any()
    assert set(out["source_sha256s"]) == {"reg2020;stats2020"}
    assert list(out["year"].unique()) == [2020]


def test_coverage_without_register_has_unknown_plants_not_zero(coverage_inputs):
    stats_only = {"enterprise_stats": coverage_inputs["enterprise_stats"]}
    out = derive("green_coverage", stats_only, Policy())
    city = row_of(out, region_code="330500", industry_division="ALL")
    assert city["above_size_enterprises"] == 12
    assert pd.isna(city["green_plants"]) and pd.isna(city["coverage_pct"])
    assert out["green_plants"].isna().all() and out["coverage_pct"].isna().all()
    assert city["source_sha256s"] == "stats2020"


# --- green_list_counts: the register ------------------------------------------------------------------

LIST_REGISTER = [
    accreditation("c1", "national", None, "2018-01-01", district="330502"),
    accreditation("c1", "national", None, "2020-02-01", district="330502"),  # re-accredited: once
    accreditation("c2", "national", None, "2019-01-01", district="330503"),
    accreditation("c3", "national", None, "2018-01-01", "2020-05-01", revoked=True, district="330503"),
    accreditation(None, "national", None, "2019-01-01", list_type="green_park", district="330522",
                  name="长兴经济开发区"),
    accreditation("c1", "national", None, "2019-01-01", list_type="green_design_product",
                  product=("电机", "M1")),
    accreditation("c1", "national", None, "2019-01-01", list_type="green_design_product",
                  product=("电机", "M2")),
    accreditation("c4", "municipal", 3, "2021-01-01", district="330523"),  # not yet valid
    accreditation("c5", "municipal", 4, "2018-01-01", district="330500"),  # city level only
]


@pytest.mark.parametrize(("region", "list_type", "tier", "entities"), [
    ("330500", "green_factory", "national", 2),  # c1 and c2; c3 revoked
    ("330502", "green_factory", "national", 1),
    ("330503", "green_factory", "national", 1),
    ("330500", "green_park", "national", 1),
    ("330522", "green_park", "national", 1),
    ("330500", "green_design_product", "national", 2),  # two models of one product
    ("330523", "green_factory", "municipal", 0),  # explicit zero
    ("330500", "green_factory", "municipal", 1),  # c5, held at city level
    ("330500", "green_supply_chain", "provincial", 0),
])
def test_register_list_counts(region, list_type, tier, entities):
    inputs = {"green_register": canonical("green_register", LIST_REGISTER, "reg2020")}
    out = derive("green_list_counts", inputs, Policy())
    row = row_of(out, source_list="register", region_code=region, list_type=list_type, tier=tier)
    assert row["entities"] == entities
    assert row["year"] == 2020 and pd.isna(row["batch"]) and row["source_sha256s"] == "reg2020"
    # 6 regions × 4 list types × 3 tiers
    assert len(out) == 72


# --- green_list_counts: MIIT lists --------------------------------------------------------------------

def listed(batch: int, name: str, province: str | None, placed: str | None = None) -> dict:
    return {"batch": batch, "entity_name": name, "region": province, "province": province,
            "district_code": placed}


MIIT_FACTORIES = [
    listed(1, "浙一", "浙江", "330502"), listed(1, "浙二", "浙江", "330521"), listed(1, "浙三", "浙江"),
    listed(1, "苏一", "江苏"), listed(1, "苏二", "江苏"), listed(1, "京一", "北京"), listed(1, "无名", None),
    listed(2, "浙四", "浙江", "330502"), listed(2, "苏一", "江苏"), listed(2, "苏三", "江苏"),
    listed(2, "京二", "北京"), listed(2, "京三", "北京"), listed(2, "京三", "北京"),  # a line printed twice
]


@pytest.mark.parametrize(("batch", "region", "entities", "cumulative", "rank"), [
    (1, "全国", 7, 7, None), (2, "全国", 5, 11, None),  # 苏一 is listed again in batch 2
    (1, "浙江", 3, 3, 1), (1, "江苏", 2, 2, 2), (1, "北京", 1, 1, 3), (1, "未知", 1, 1, None),
    (2, "江苏", 2, 3, 1), (2, "北京", 2, 3, 1), (2, "浙江", 1, 4, 3), (2, "未知", 0, 1, None),
    (1, "330500", 2, 2, None), (1, "330502", 1, 1, None), (1, "330521", 1, 1, None),
    (2, "330500", 1, 3, None), (2, "330502", 1, 2, None), (2, "330503", 0, 0, None),
])
def test_miit_list_counts(batch, region, entities, cumulative, rank):
    inputs = {"miit_green_factories": canonical("miit_green_factories", MIIT_FACTORIES, "miit")}
    out = derive("green_list_counts", inputs, Policy(), years=[2020])
    row = row_of(out, source_list="miit", batch=batch, region_code=region)
    assert (row["entities"], row["cumulative_entities"]) == (entities, cumulative)
    assert (None if pd.isna(row["rank_among_provinces"]) else row["rank_among_provinces"]) == rank
    assert row["list_type"] == "green_factory" and row["tier"] == "national" and pd.isna(row["year"])


@pytest.mark.parametrize(("batch", "region", "entries"), [(1, "全国", 7), (2, "全国", 6), (2, "北京", 3),
                                                      (2, "330500", 1), (2, "未知", 0)])
def test_miit_entries_count_published_lines(batch, region, entries):
    inputs = {"miit_green_factories": canonical("miit_green_factories", MIIT_FACTORIES, "miit")}
    out = derive("green_list_counts", inputs, Policy())
    assert row_of(out, source_list="miit", batch=batch, region_code=region)["entries"] == entries


# --- incentives ---------------------------------------------------------------------------------------

def grant(kind: str, district: str, amount: float, investment: float | None = None) -> dict:
    return {"year": 2020, "credit_code": "X", "enterprise_name": "X", "district_code": district,
            "incentive_kind": kind, "amount_10k_yuan": amount, "equipment_investment_10k_yuan": investment}


GRANTS = [
    grant("model_award", "330502", 1000.0),  # exactly the cap: not above
    grant("model_award", "330502", 1200.0),  # 200 above
    grant("equipment_subsidy", "330503", 300.0, 3000.0),  # cap min(300, 500) = 300: not above
    grant("equipment_subsidy", "330503", 700.0, 8000.0),  # cap min(800, 500) = 500: 200 above
    grant("equipment_subsidy", "330503", 123.46, 1234.5),  # cap 123.45: 0.01 above
    grant("equipment_subsidy", "330502", 450.0, None),  # only the absolute cap 500: not above
    grant("equipment_subsidy", "330500", 20.0, 100.0),  # city level, cap 10: 10 above
]


@pytest.mark.parametrize(("params", "region", "kind", "expected"), [
    (Policy(), "330502", "model_award", (2, 2200.0, 1200.0, 1, 200.0)),
    (Policy(), "330502", "equipment_subsidy", (1, 450.0, 450.0, 0, 0.0)),
    (Policy(), "330502", "ALL", (3, 2650.0, 1200.0, 1, 200.0)),
    (Policy(), "330503", "equipment_subsidy", (3, 1123.46, 700.0, 2, 200.01)),
    (Policy(), "330500", "equipment_subsidy", (5, 1593.46, 700.0, 3, 210.01)),
    (Policy(), "330500", "ALL", (7, 3793.46, 1200.0, 4, 410.01)),
    # a 20 % rate: caps 500, 500, 246.9, 20 → only the 700 subsidy stays above; a 1,500 award cap.
    (Policy(subsidy_rate_cap=0.2, model_award_cap_10k_yuan=1500.0), "330500", "ALL",
     (7, 3793.46, 1200.0, 1, 200.0)),
])
def test_incentives_caps(params, region, kind, expected):
    inputs = {"incentives": canonical("incentives", GRANTS, "inc2020")}
    row = row_of(derive("incentives", inputs, params), year=2020, region_code=region, incentive_kind=kind)
    got = tuple(row[c] for c in ("grants", "total_10k_yuan", "largest_10k_yuan", "above_cap_grants",
                                 "above_cap_excess_10k_yuan"))
    assert got[0] == expected[0] and got[3] == expected[3]
    assert got[1:3] + got[4:] == pytest.approx(expected[1:3] + expected[4:])
    assert (row["subsidy_rate_cap"], row["model_award_cap_10k_yuan"]) == (
        params.subsidy_rate_cap, params.model_award_cap_10k_yuan)


def test_incentives_no_district_row_for_city_level_grants():
    inputs = {"incentives": canonical("incentives", GRANTS, "inc2020")}
    out = derive("incentives", inputs, Policy())
    assert set(out.loc[out["region_level"] == "district", "region_code"]) == {"330502", "330503"}


# --- green_finance ------------------------------------------------------------------------------------

def loan(no: str, code: str, district: str, amount: float, year: int = 2020) -> dict:
    return {"year": year, "application_no": no, "credit_code": code, "enterprise_name": code,
            "district_code": district, "loan_amount_10k_yuan": amount}


LOANS = [loan("L1", "c1", "330502", 100.0), loan("L2", "c1", "330502", 300.0),
         loan("L3", "c2", "330502", 200.0), loan("L4", "c3", "330503", 50.0),
         loan("L5", "c1", "330503", 10.0), loan("L6", "c4", "330521", 5.0, 2021)]


@pytest.mark.parametrize(("region", "expected"), [
    ("330502", (2, 3, 600.0, 200.0)),
    ("330503", (2, 2, 60.0, 30.0)),
    ("330500", (3, 5, 660.0, 100.0)),  # c1 applied in two districts: one enterprise for the city
])
def test_green_finance(region, expected):
    inputs = {"green_loans": canonical("green_loans", LOANS, "loans")}
    out = derive("green_finance", inputs, Policy(), years=[2020])
    assert set(out["year"]) == {2020}
    row = row_of(out, region_code=region)
    got = tuple(row[c] for c in ("applicant_enterprises", "applications", "loan_total_10k_yuan",
                                 "loan_median_10k_yuan"))
    assert got == pytest.approx(expected)


# --- energy_intensity ---------------------------------------------------------------------------------

def energy_row(code: str, year: int, division: str, value_added: float | None, above: bool = True,
               **energy) -> dict:
    return {**stat(code, "330502", division, above, year), "value_added_10k_yuan": value_added, **energy}


ENERGY = [
    energy_row("E1", 2019, "26", 100.0, electricity_10k_kwh=10.0, raw_coal_t=100.0),
    energy_row("E1", 2020, "26", 100.0, electricity_10k_kwh=10.0, raw_coal_t=50.0),
    energy_row("E2", 2020, "30", 50.0, natural_gas_10k_m3=1.0, heat_gj=100.0),
    energy_row("E3", 2020, "30", None, electricity_10k_kwh=99.0),  # no value added: left out
    energy_row("E4", 2020, "30", 10.0, above=False, electricity_10k_kwh=99.0),  # not above size: left out
]
# tce = quantity × base units per canonical unit × kgce per base unit / 1000 (DOMAIN.md factors).
E1_2019 = (10 * 1e4 * 0.1229 + 100 * 1e3 * 0.7143) / 1000   # 83.72
E1_2020 = (10 * 1e4 * 0.1229 + 50 * 1e3 * 0.7143) / 1000    # 48.005
E2_2020 = (1 * 1e4 * 1.2150 + 100 * 1e3 * 0.03412) / 1000   # 15.562


@pytest.mark.parametrize(("year", "region", "division", "energy", "value_added", "previous"), [
    (2019, "330502", "26", E1_2019, 100.0, None),
    (2020, "330502", "26", E1_2020, 100.0, E1_2019 / 100),
    (2020, "330502", "30", E2_2020, 50.0, None),
    (2020, "330502", "ALL", E1_2020 + E2_2020, 150.0, E1_2019 / 100),
    (2020, "330500", "ALL", E1_2020 + E2_2020, 150.0, E1_2019 / 100),
])
def test_energy_intensity(year, region, division, energy, value_added, previous):
    inputs = {"enterprise_stats": canonical("enterprise_stats", ENERGY, "stats")}
    row = row_of(derive("energy_intensity", inputs, Policy()), year=year, region_code=region,
                 industry_division=division)
    assert row["energy_tce"] == pytest.approx(energy)
    assert row["value_added_10k_yuan"] == pytest.approx(value_added)
    assert row["energy_per_10k_yuan_value_added"] == pytest.approx(energy / value_added)
    if previous is None:
        assert pd.isna(row["decline_rate_pct"])
    else:
        assert row["decline_rate_pct"] == pytest.approx((1 - energy / value_added / previous) * 100)
    assert row["coal_factors_from_year"] == 2000


def test_energy_factors_by_year_and_years_filter():
    electricity_2020 = CoalFactor("electricity_10k_kwh", "kWh", 0.2, 2020)
    params = Policy(coal_factors=(*coal_factors_from_codes(), electricity_2020))
    inputs = {"enterprise_stats": canonical("enterprise_stats", ENERGY, "stats")}
    out = derive("energy_intensity", inputs, params, years=[2020])
    row = row_of(out, region_code="330502", industry_division="26")
    assert set(out["year"]) == {2020}
    assert row["energy_tce"] == pytest.approx((10 * 1e4 * 0.2 + 50 * 1e3 * 0.7143) / 1000)
    assert row["coal_factors_from_year"] == 2020
    # 2019 keeps the old factor, and the decline rate still compares with it although only 2020 was asked.
    assert row["decline_rate_pct"] == pytest.approx((1 - (55.715 / 100) / (E1_2019 / 100)) * 100)


def test_energy_without_factor_for_the_year_names_it():
    late = tuple(CoalFactor(f.energy_column, f.base_unit, f.kgce_per_base_unit, 2021)
                 for f in coal_factors_from_codes())
    inputs = {"enterprise_stats": canonical("enterprise_stats", ENERGY, "stats")}
    with pytest.raises(SettingsError, match=r"no standard-coal factor for .* in 2019"):
        derive("energy_intensity", inputs, Policy(coal_factors=late))


# --- the API and its guarantees ------------------------------------------------------------------------

def all_inputs() -> dict[str, pd.DataFrame]:
    return {
        "enterprise_stats": canonical("enterprise_stats", [*STATS, *ENERGY], "stats"),
        "green_register": canonical("green_register", [*REGISTER, *LIST_REGISTER], "reg"),
        "incentives": canonical("incentives", GRANTS, "inc"),
        "green_loans": canonical("green_loans", LOANS, "loans"),
        "miit_green_factories": canonical("miit_green_factories", MIIT_FACTORIES, "miit"),
    }


def test_missing_inputs_give_empty_typed_frames():
    empty_stats = {"enterprise_stats": canonical("enterprise_stats", [], "none")}
    for frames in (derive_all({}, Policy()), derive_all(empty_stats, Policy())):
        assert list(frames) == list(DATASETS)
        for name, frame in frames.items():
            assert len(frame) == 0
            assert list(frame.columns) == list(DATASETS[name].column_names)
            assert frame.dtypes.astype(str).to_dict() == DATASETS[name].pandas_dtypes()


def test_outputs_are_typed_sorted_unique_and_do_not_mutate_inputs():
    inputs = all_inputs()
    before = {k: v.copy(deep=True) for k, v in inputs.items()}
    frames = derive_all(inputs, Policy())
    for name, frame in frames.items():
        definition = DATASETS[name]
        assert len(frame) > 0, name
        assert list(frame.columns) == list(definition.column_names)
        assert frame.dtypes.astype(str).to_dict() == definition.pandas_dtypes()
        assert not frame.duplicated(list(definition.key)).any(), name
        resorted = frame.sort_values(list(definition.key), kind="mergesort").reset_index(drop=True)
        pd.testing.assert_frame_equal(frame, resorted)
        assert frame["source_sha256s"].notna().all()
        assert frame["region_level"].isin(["district", "city", "province", "national"]).all()
    for name, frame in inputs.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_shuffled_inputs_give_identical_outputs():
    inputs = all_inputs()
    shuffled = {k: v.sample(frac=1.0, random_state=7) for k, v in inputs.items()}
    first, second = derive_all(inputs, Policy()), derive_all(shuffled, Policy())
    for name in DATASETS:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_arrow_schema_carries_units_and_formula():
    for definition in DATASETS.values():
        schema = definition.arrow_schema()
        assert schema.names == list(definition.column_names)
        assert schema.metadata[b"formula"].decode() == definition.formula
    coverage = DATASETS["green_coverage"].arrow_schema()
    assert coverage.field("coverage_pct").metadata[b"unit"] == b"pct"


def test_input_missing_a_column_is_named():
    stats = canonical("enterprise_stats", STATS, "stats").drop(columns=["industry_division"])
    with pytest.raises(FilingError, match="industry_division"):
        derive("green_coverage", {"enterprise_stats": stats}, Policy())


@pytest.mark.parametrize("bad", [{"star_threshold": 0}, {"star_threshold": 6}, {"subsidy_cap_10k_yuan": -1.0},
                                 {"coal_factors": ()}])
def test_parameters_are_checked(bad):
    with pytest.raises(SettingsError):
        Policy.from_values(bad)


def test_parameters_to_dict_is_plain():
    values = Policy().to_dict()
    assert values["star_threshold"] == 3 and values["subsidy_rate_cap"] == 0.10
    assert all(isinstance(f, dict) and math.isfinite(f["kgce_per_base_unit"]) for f in values["coal_factors"])
