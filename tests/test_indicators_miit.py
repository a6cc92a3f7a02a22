"""green_list_counts from the real MIIT lists: official batch counts, Huzhou's placed entities."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import codes
from greenmfg.cities import DEFAULT_CITY as HUZHOU
from greenmfg.indicators import derive
from greenmfg.indicators.list_counts import MIIT_LIST_TYPES, NATIONAL
from greenmfg.parsing import parse_one
from greenmfg.policy import Policy

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/miit-green-lists"
DATA = Path(os.environ.get("GREENMFG_MIIT_DATA", DEFAULT_DATA))
CSV_FILES = {
    "miit_green_factories": "绿色工厂名单.csv",
    "miit_green_parks": "绿色工业园区名单.csv",
    "miit_green_supply_chain": "绿色供应链管理示范企业名单.csv",
    "miit_green_design_products": "绿色设计产品名单.csv",
}
# DOMAIN.md: placed by name, batches 1–5 hold for Huzhou 4 parks, 6 factories, 1 supply-chain enterprise
# and 10 design products.
HUZHOU_PLACED_BATCHES_1_TO_5 = {
    "green_park": 4, "green_factory": 6, "green_supply_chain": 1, "green_design_product": 10,
}


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    if not DATA.is_dir():
        pytest.fail(f"real MIIT lists not found in {DATA} (set GREENMFG_MIIT_DATA)", pytrace=False)
    inputs = {}
    for filing_type, name in CSV_FILES.items():
        path = DATA / name
        inputs[filing_type] = parse_one(path.read_bytes(), name, filing_type=filing_type).rows
    return derive("green_list_counts", inputs, Policy())


def official_counts() -> list[tuple[str, int, int]]:
    """(list type, batch, count) from the official table, batches present in the files (1–6) only."""
    return [(MIIT_LIST_TYPES[row["filing_type"]], int(row["batch"]), int(row["official_count"]))
            for row in codes.rows("miit_official_counts") if row["official_count"] and int(row["batch"]) <= 6]


@pytest.mark.parametrize(("list_type", "batch", "official"), official_counts())
def test_national_counts_match_the_official_table(counts, list_type, batch, official):
    national = counts[(counts["source_list"] == "miit") & (counts["region_code"] == NATIONAL)
                      & (counts["list_type"] == list_type) & (counts["batch"] == batch)]
    # The official count counts published lines (batch 3 lists one product line twice).
    assert national["entries"].tolist() == [official]
    assert official - 1 <= national["entities"].iloc[0] <= official


@pytest.mark.parametrize(("list_type", "placed"), sorted(HUZHOU_PLACED_BATCHES_1_TO_5.items()))
def test_huzhou_entities_placed_by_name_in_batches_1_to_5(counts, list_type, placed):
    city = counts[(counts["source_list"] == "miit") & (counts["region_code"] == HUZHOU)
                  & (counts["list_type"] == list_type) & (counts["batch"] == 5)]
    assert city["cumulative_entities"].tolist() == [placed]
    per_batch = counts[(counts["source_list"] == "miit") & (counts["region_code"] == HUZHOU)
                       & (counts["list_type"] == list_type) & (counts["batch"] <= 5)]
    assert per_batch["entities"].sum() >= placed


def test_province_ranks_are_competition_ranks(counts):
    provinces = counts[(counts["region_level"] == "province") & counts["rank_among_provinces"].notna()]
    for _, group in provinces.groupby(["list_type", "batch"]):
        ordered = group.sort_values("entities", ascending=False)
        expected = [1 + int((ordered["entities"] > value).sum()) for value in ordered["entities"]]
        assert ordered["rank_among_provinces"].tolist() == expected
    totals = counts[counts["region_level"] == "province"].groupby(["list_type", "batch"])["entities"].sum()
    national = counts[counts["region_code"] == NATIONAL].set_index(["list_type", "batch"])["entities"]
    pd.testing.assert_series_equal(totals.sort_index(), national.sort_index(), check_names=False)
