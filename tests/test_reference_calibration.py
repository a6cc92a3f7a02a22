"""The default reference filings reproduce DOMAIN.md's 2020 figures, recomputed here from the files alone.

Figures come from DOMAIN.md ("Headline figures"); the files are read with the independent reader of
test_reference_reading, never from the generator's frames.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from test_reference_reading import default_reference, read_filing

from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.codes import aliases, rows
from greenmfg.units import BASE_UNITS_PER_CANONICAL
from greenmfg.uscc import check_ok

HUZHOU = load_profile(DEFAULT_CITY)

YEAR_END = date(2020, 12, 31)
MIIT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "miit-green-lists"
BATCH_PUBLISHED = {
    "1": date(2017, 8, 23),
    "2": date(2018, 2, 11),
    "3": date(2018, 10, 29),
    "4": date(2019, 9, 2),
    "5": date(2020, 10, 16),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return default_reference(tmp_path_factory)


@pytest.fixture(scope="module")
def key(out: Path) -> dict:
    return json.loads((out / "answer_key.json").read_text(encoding="utf-8"))


@cache
def read(path: Path, filing_type: str) -> pd.DataFrame:
    return read_filing(path, filing_type)


def effective(out: Path, key: dict, filing_type: str, year: int) -> pd.DataFrame:
    """The filing of a period that stands: the last landed (file names sort in landing order)."""
    files = sorted((out / filing_type).glob(f"*_{year}年*"))
    return read(files[-1], filing_type).copy()


def yes(series: pd.Series) -> pd.Series:
    return series == "是"


def in_force(register: pd.DataFrame, on: date) -> pd.DataFrame:
    started = register["valid_from_date"].map(lambda d: d <= on)
    not_ended = register["valid_to_date"].map(lambda d: d is None or pd.isna(d) or d >= on)
    return register[started & not_ended & ~yes(register["is_revoked"])]


def coded(register: pd.DataFrame) -> pd.DataFrame:
    out = register.copy()
    out["list_type"] = out["list_type"].map(aliases("list_types"))
    out["tier"] = out["tier"].map(aliases("tiers"))
    return out


@pytest.fixture(scope="module")
def register_2020(out: Path, key: dict) -> pd.DataFrame:
    return coded(effective(out, key, "green_register", 2020))


@pytest.fixture(scope="module")
def stats_2020(out: Path, key: dict) -> pd.DataFrame:
    return effective(out, key, "enterprise_stats", 2020)


def test_green_plants_are_3091_above_size_and_over_90_percent(register_2020, stats_2020) -> None:
    current = in_force(register_2020, YEAR_END)
    factories = current[(current["list_type"] == "green_factory") & (current["stars"] >= 3)]
    green = set(factories["credit_code"])
    above = set(stats_2020.loc[yes(stats_2020["is_above_size"]), "credit_code"])
    assert len(green) == 3091
    assert green <= above
    assert len(green) / len(above) > 0.90
    # The threshold and the effective dating matter: without them the count would be different.
    all_factories = register_2020[register_2020["list_type"] == "green_factory"]
    assert all_factories["credit_code"].nunique() > 3091
    assert (current[current["list_type"] == "green_factory"]["stars"] < 3).any()
    assert yes(register_2020["is_revoked"]).any()


def test_national_counts_in_force_at_2020_end(register_2020) -> None:
    national = in_force(register_2020, YEAR_END)
    national = national[national["tier"] == "national"]
    by_type = {lt: national[national["list_type"] == lt] for lt in national["list_type"].unique()}
    assert by_type["green_factory"]["credit_code"].nunique() == 44
    assert by_type["green_park"]["entity_name"].nunique() == 4
    assert by_type["green_supply_chain"]["credit_code"].nunique() == 17
    products = by_type["green_design_product"][["entity_name", "product_name", "product_model"]]
    assert len(products.drop_duplicates()) == 49
    assert (national["valid_from_date"].isin(list(BATCH_PUBLISHED.values()))).all()


def test_real_placed_entries_are_in_the_register(register_2020) -> None:
    national = in_force(register_2020, YEAR_END)
    national = national[national["tier"] == "national"]
    expected = {
        ("green_park", "湖州现代物流装备高新技术产业园区", "2"),
        ("green_park", "湖州经济技术开发区", "3"),
        ("green_park", "长兴绿色制造产业园(绿色金融支持绿色产业示范区)", "4"),
        ("green_park", "浙江安吉经济开发区", "5"),
        ("green_factory", "新凤鸣集团湖州中石科技有限公司", "3"),
        ("green_factory", "湖州越球电机有限公司", "4"),
        ("green_factory", "微宏动力系统（湖州）有限公司", "4"),
        ("green_factory", "中电科技德清华莹电子有限公司", "4"),
        ("green_factory", "湖州老恒和酿造有限公司", "5"),
        ("green_factory", "湖州绿色新材股份有限公司", "5"),
        ("green_supply_chain", "新凤鸣集团湖州中石科技有限公司", "4"),
    }
    found = set(zip(national["list_type"], national["entity_name"], national["batch"], strict=True))
    assert expected <= found
    for list_type, name, batch in expected:
        row = national[(national["list_type"] == list_type) & (national["entity_name"] == name)].iloc[0]
        assert row["valid_from_date"] == BATCH_PUBLISHED[batch]
    # The made-up remainder carries no Huzhou place name, so a name count finds only the real ones.
    places = HUZHOU.place_names()
    placed = national[national["entity_name"].map(lambda n: any(p in n for p in places))]
    assert set(placed.loc[placed["list_type"] == "green_factory", "entity_name"]) == {
        name for lt, name, _ in expected if lt == "green_factory"
    }


def test_the_ten_placed_design_products_of_the_miit_lists_exist(register_2020) -> None:
    source = MIIT_DIR / "绿色设计产品名单.csv"
    if not source.exists():
        pytest.skip(f"{source} is not beside the repository")
    lists = pd.read_csv(source, dtype=str)
    places = HUZHOU.place_names()
    huzhou = lists[
        (lists["地区"] == "浙江")
        & lists["批次"].isin(list(BATCH_PUBLISHED))
        & lists["企业名称"].fillna("").map(lambda n: any(p in n for p in places))
    ]
    assert len(huzhou) == 10
    national = in_force(register_2020, YEAR_END)
    products = national[(national["tier"] == "national") & (national["list_type"] == "green_design_product")]
    registered = set(
        zip(
            products["entity_name"],
            products["product_name"],
            products["product_model"].fillna("-"),
            strict=True,
        )
    )
    for row in huzhou.itertuples():
        assert (row.企业名称, row.产品名称, row.产品型号) in registered


def test_incentive_caps(out: Path, key: dict) -> None:
    kinds = aliases("incentive_kinds")
    for year in range(2017, 2022):
        frame = effective(out, key, "incentives", year)
        frame["incentive_kind"] = frame["incentive_kind"].map(kinds)
        awards = frame[frame["incentive_kind"] == "model_award"]["amount_10k_yuan"]
        subsidies = frame[frame["incentive_kind"] == "equipment_subsidy"]
        assert (awards <= 1000).all()
        expected = (subsidies["equipment_investment_10k_yuan"] * 0.10).clip(upper=500)
        assert subsidies["amount_10k_yuan"].to_numpy() == pytest.approx(expected.to_numpy(), abs=0.01)
        assert (subsidies["amount_10k_yuan"] <= 500).all()
        if year == 2020:
            assert (awards == 1000).any()
            assert (subsidies["amount_10k_yuan"] == 500).any()


def test_green_loans_of_2020(out: Path, key: dict) -> None:
    loans = effective(out, key, "green_loans", 2020)
    assert len(loans) == 148
    assert loans["credit_code"].nunique() == 148
    assert loans["loan_amount_10k_yuan"].sum() == pytest.approx(330_000, abs=0.01)


def test_credit_codes_valid_except_the_two_flagged(out: Path, key: dict, stats_2020, register_2020) -> None:
    flagged = set(key["invalid_check_codes"])
    assert len(flagged) == 2
    districts = set(HUZHOU.region_codes())
    for year in range(2017, 2022):
        codes = effective(out, key, "enterprise_stats", year)["credit_code"]
        valid = check_ok(codes).astype(bool)
        assert set(codes[~valid]) == flagged
        assert codes.str[:2].eq("91").all() and codes.str[2:8].isin(districts).all()
    assert flagged <= set(stats_2020.loc[yes(stats_2020["is_above_size"]), "credit_code"])
    assert flagged & set(register_2020["credit_code"].dropna())
    assert flagged & set(effective(out, key, "green_loans", 2020)["credit_code"])


def test_enterprise_statistics_are_consistent(out: Path, key: dict) -> None:
    factors = {
        row["energy_column"]: float(row["kgce_per_base_unit"]) for row in rows("standard_coal_factors")
    }
    units = {"_t": "t", "_10k_m3": "10k_m3", "_10k_kwh": "10k_kwh", "_gj": "gj"}
    zones = HUZHOU.district_aliases()
    intensity = []
    for year in range(2017, 2022):
        stats = effective(out, key, "enterprise_stats", year)
        above = stats[yes(stats["is_above_size"])]
        assert (above["revenue_10k_yuan"] >= 2000).all()
        assert (stats["value_added_10k_yuan"].fillna(0) <= stats["gross_output_10k_yuan"]).all()
        tce = sum(
            stats[column].fillna(0) * BASE_UNITS_PER_CANONICAL[unit] * factors[column] / 1000
            for column in factors
            for suffix, unit in units.items()
            if column.endswith(suffix)
        )
        assert (stats["energy_total_tce"] - tce).abs().max() < 0.01
        district = stats["district_code"].map(zones)
        assert (stats["division_code"].str[:6] == district).all()
        intensity.append(above["energy_total_tce"].sum() / above["value_added_10k_yuan"].sum())
    declines = [1 - b / a for a, b in pairwise(intensity)]
    assert all(0.01 < d < 0.08 for d in declines)


def test_some_rows_name_a_functional_zone_for_the_district(stats_2020) -> None:
    assert (stats_2020["district_code"] == "南太湖新区").any()


def test_correction_supersedes_the_2019_filing(out: Path, key: dict) -> None:
    files = sorted((out / "enterprise_stats").glob("*_2019年*"))
    assert len(files) == 2 and "更正" in files[-1].name
    original, corrected = (read(f, "enterprise_stats").set_index("credit_code") for f in files)
    (correction,) = key["corrections"]
    assert correction["file"].endswith(files[-1].name) and correction["supersedes"].endswith(files[0].name)
    changed = {(c["credit_code"], c["column"]): c["after"] for c in correction["changes"]}
    for (code, column), after in changed.items():
        assert corrected.at[code, column] == pytest.approx(after, abs=0.01)
        assert original.at[code, column] != pytest.approx(after, abs=0.01)
    numeric = [c for c in corrected.columns if c in original.columns and corrected[c].dtype == float]
    differs = (corrected[numeric] - original.loc[corrected.index, numeric]).abs().fillna(0) > 1e-6
    assert {(code, column) for code, column in differs.stack()[lambda s: s].index} == set(changed)


def test_answer_key_counts_match_the_files(out: Path, key: dict) -> None:
    assert key["calibrated"] is True
    for name, record in key["files"].items():
        assert len(read(out / name, record["filing_type"])) == record["rows"]
    headline = key["headline"]
    assert (headline["green_plants"], headline["loans_enterprises"], headline["loans_total_10k_yuan"]) == (
        3091,
        148,
        330_000,
    )
    assert sum(d["green_plants"] for d in key["districts"].values()) == 3091
