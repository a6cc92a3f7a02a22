"""miit_entry_places and miit_city_counts from the real MIIT lists: Huzhou's placement unchanged, counts
that add up, and Huzhou's rank among prefecture-level cities for 2020 (batches 1–5)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import headline
from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.indicators import derive
from greenmfg.indicators.list_counts import MIIT_LIST_TYPES
from greenmfg.indicators.miit_cities import ALL, rows_in_force
from greenmfg.miit_landing import miit_landing_files
from greenmfg.parsing import parse_one
from greenmfg.policy import Policy
from greenmfg.report import cities

DATA = Path(
    os.environ.get("GREENMFG_MIIT_DATA", Path(__file__).resolve().parents[2] / "shared/data/miit-green-lists")
)
HUZHOU = load_profile(DEFAULT_CITY)
HUZHOU_GOLDEN = Path(__file__).parent / "fixtures" / "huzhou_miit_placements.csv"
# DOMAIN.md: placed by name, batches 1–5 hold for Huzhou 4 parks, 6 factories, 1 supply-chain enterprise and
# 10 design products.
HUZHOU_BATCHES_1_TO_5 = {
    "green_park": 4,
    "green_factory": 6,
    "green_supply_chain": 1,
    "green_design_product": 10,
}


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


@pytest.fixture(scope="module")
def inputs() -> dict[str, pd.DataFrame]:
    if not DATA.is_dir():
        pytest.fail(f"real MIIT lists not found in {DATA} (set GREENMFG_MIIT_DATA)", pytrace=False)
    lists = [(key.split("/")[0], path) for key, path in miit_landing_files(DATA) if path.suffix == ".csv"]
    return {ft: parse_one(path.read_bytes(), path.name, filing_type=ft).rows for ft, path in lists}


@pytest.fixture(scope="module")
def places(inputs) -> pd.DataFrame:
    return derive("miit_entry_places", inputs, Policy())


@pytest.fixture(scope="module")
def counts(inputs) -> pd.DataFrame:
    return derive("miit_city_counts", inputs, Policy())


def test_district_codes_are_the_national_placement_and_unchanged(inputs, places):
    """One mechanism: the parser's district_code equals the national placement in Huzhou, and both
    equal the placements published before the national one existed (the golden list)."""
    parsed = []
    for filing_type, frame in inputs.items():
        placed = frame[frame["district_code"].notna()]
        for row in placed.itertuples():
            parsed.append(
                (
                    filing_type,
                    str(row.batch),
                    row.entity_name,
                    getattr(row, "product_name", None) or "",
                    getattr(row, "product_model", None) or "",
                    row.district_code,
                )
            )
    with open(HUZHOU_GOLDEN, encoding="utf-8", newline="") as handle:
        golden = [
            (
                r["filing_type"],
                r["batch"],
                r["entity_name"],
                r["product_name"],
                r["product_model"],
                r["district_code"],
            )
            for r in csv.DictReader(handle)
        ]
    assert sorted(parsed) == sorted(golden)
    national = places[places["city_code"] == HUZHOU.code]
    by_type = {v: k for k, v in MIIT_LIST_TYPES.items()}
    derived = {
        (by_type[r.list_type], str(r.batch), r.entity_name, _text(r.product_name), _text(r.product_model),
         _text(r.county_code) or r.city_code)
        for r in national.itertuples()
    }  # fmt: skip
    assert derived == set(golden)  # the golden list has no line printed twice


@pytest.mark.parametrize(("list_type", "expected"), sorted(HUZHOU_BATCHES_1_TO_5.items()))
def test_huzhou_in_force_for_2020(counts, list_type, expected):
    in_force = rows_in_force(counts, "2020-12-31")
    assert set(in_force["batch"]) == {5}
    row = in_force[(in_force["region_code"] == HUZHOU.code) & (in_force["list_type"] == list_type)].iloc[0]
    assert row["cumulative_entities"] == row["in_force_entities"] == expected


def test_huzhou_rank_among_prefecture_level_cities_in_2020(counts):
    rows = counts[(counts["batch"] == 5) & (counts["list_type"] == ALL) & (counts["region_level"] == "city")]
    huzhou = rows[rows["region_code"] == HUZHOU.code].iloc[0]
    assert huzhou["cumulative_entities"] == sum(HUZHOU_BATCHES_1_TO_5.values())
    ranked = rows[rows["city_kind"] == "prefecture"]
    more = int((ranked["cumulative_entities"] > huzhou["cumulative_entities"]).sum())
    assert huzhou["rank_among_cities"] == more + 1
    assert huzhou["cities_ranked"] == int((ranked["cumulative_entities"] > 0).sum())
    assert rows.loc[rows["city_kind"] == "municipality", "rank_among_cities"].isna().all()
    print(
        f"\nHuzhou 2020 (batches 1–5): rank {huzhou['rank_among_cities']} of {huzhou['cities_ranked']} "
        f"prefecture-level cities, {huzhou['cumulative_entities']} entries placed by name"
    )


def test_cities_and_unplaced_add_up_to_each_province(counts):
    latest = counts[counts["batch"] == counts["batch"].max()]
    cities = (
        latest[latest["region_level"] == "city"]
        .groupby(["province", "list_type"])["cumulative_entities"]
        .sum()
    )
    provinces = latest[latest["region_level"] == "province"].set_index(["province", "list_type"])
    placed = provinces["cumulative_entities"] - provinces["cumulative_unplaced_entities"]
    pd.testing.assert_series_equal(
        cities.sort_index(), placed.loc[cities.index].sort_index(), check_names=False
    )
    assert (placed.drop(cities.index, errors="ignore") == 0).all()


def test_every_entry_is_placed_or_says_why(places, counts):
    assert (places["city_code"].notna() ^ places["unplaced_reason"].notna()).all()
    assert places["divisions_vintage"].nunique() == 1
    national = counts[(counts["region_code"] == "全国") & (counts["list_type"] != ALL)]
    listed = places.groupby(["list_type", "batch"]).size()
    assert (
        national.set_index(["list_type", "batch"])["entities"].sort_index().tolist()
        == listed.sort_index().tolist()
    )


def test_headline_states_the_rank_with_its_caveat(counts):
    rank = headline.city_rank(counts, 2020, HUZHOU)
    row = counts[
        (counts["batch"] == 5) & (counts["list_type"] == ALL) & (counts["region_code"] == HUZHOU.code)
    ]
    assert (rank["batch"], rank["rank"], rank["entities"]) == (5, row["rank_among_cities"].iloc[0], 21)
    lines = headline._rank_lines(rank, 2020, HUZHOU.province)
    assert f"{rank['rank']} of {rank['cities_ranked']}" in lines[0] and "2020-12-31 (batches 1–5)" in lines[0]
    assert "lower bound" in lines[1] and f"{rank['unplaced_share_pct']:.0f} %" in lines[1]
    assert headline.city_rank(counts, 2016, HUZHOU) == {}  # no batch was published by then


def test_report_ranks_the_top_cities_with_huzhou_and_their_provinces_unplaced_shares(counts):
    frames = {"miit_city_counts": counts}
    ranking = cities.city_ranking(frames, 2020, HUZHOU)
    others, home = ranking.series
    values = [o if o is not None else h for o, h in zip(others.values, home.values, strict=True)]
    assert len(values) == cities.TOP_CITIES + 1  # Huzhou (18th) follows the top 15
    assert values[:-1] == sorted(values[:-1], reverse=True) and home.highlight
    assert [v for v in home.values if v is not None] == [21.0]
    shares = cities.unplaced_by_province(frames, 2020, HUZHOU)
    provinces = [c.zh for c in shares.categories]
    assert HUZHOU.province in provinces and len(provinces) == len(set(provinces))
    assert all(c.zh.split("（")[1].rstrip("）") in provinces for c in ranking.categories)
