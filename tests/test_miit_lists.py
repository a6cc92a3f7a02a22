"""The real MIIT green lists (batches 1–6) cleaned: official counts, leaked rows, regions, Huzhou."""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import codes
from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.contracts import MIIT_FILING_TYPES, get_contract, header_variants
from greenmfg.errors import FilingError
from greenmfg.miit_compare import compare_workbook_with_csv
from greenmfg.parsing.miit import CATEGORY_HEADING, clean, known_regions, place_in_city

DATA = Path(
    os.environ.get("GREENMFG_MIIT_DATA", Path(__file__).resolve().parents[2] / "shared/data/miit-green-lists")
)
CSV_FILES = {
    "miit_green_factories": "绿色工厂名单.csv",
    "miit_green_parks": "绿色工业园区名单.csv",
    "miit_green_supply_chain": "绿色供应链管理示范企业名单.csv",
    "miit_green_design_products": "绿色设计产品名单.csv",
}
WORKBOOK = "data01.xlsx"
WORKBOOK_BATCH_LABEL = "2021"
PRODUCTS = "miit_green_design_products"
# DOMAIN.md: batches 1–5 placed by name in Huzhou.
HUZHOU_BATCHES_1_TO_5 = {
    "miit_green_parks": 4, "miit_green_factories": 6, "miit_green_supply_chain": 1, PRODUCTS: 10,
}


def _rename_map(filing_type: str) -> dict[str, str]:
    return {raw: column for column, raws in header_variants()[filing_type].items() for raw in raws}


@cache
def raw_csv(filing_type: str) -> pd.DataFrame:
    """A list's CSV with canonical columns, raw strings and source_row (line 1 is the header)."""
    frame = pd.read_csv(DATA / CSV_FILES[filing_type], dtype=str, keep_default_na=False)
    frame = frame.rename(columns=_rename_map(filing_type))
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


@cache
def cleaned_csv(filing_type: str):
    return clean(raw_csv(filing_type), filing_type, DEFAULT_CITY)


def _sheet_type(sheet: str) -> str | None:
    hinted = (ft for ft in MIIT_FILING_TYPES if any(h in sheet for h in get_contract(ft).file_stem_hints))
    return next(hinted, None)


@cache
def raw_workbook() -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
    """Each MIIT sheet of the workbook: canonical frame (rows above and below the first header kept,
    so category headings before it survive) and the raw header of each canonical column."""
    sheets = pd.read_excel(DATA / WORKBOOK, sheet_name=None, header=None, dtype=str)
    out = {}
    for name, sheet in sheets.items():
        filing_type = _sheet_type(name)
        if filing_type is None:
            continue
        rename = _rename_map(filing_type)
        hits = sheet.apply(lambda row, r=rename: sum(str(v).strip() in r for v in row), axis=1)
        header_at = int(hits.idxmax())
        header = [str(v).strip() for v in sheet.iloc[header_at]]
        frame = sheet.drop(index=header_at).set_axis([rename.get(h, h) for h in header], axis=1)
        frame["source_row"] = frame.index + 1
        if "batch" not in frame:
            frame["batch"] = WORKBOOK_BATCH_LABEL
        out[filing_type] = (frame.reset_index(drop=True), {rename[h]: h for h in header if h in rename})
    return out


@cache
def cleaned_workbook(filing_type: str):
    return clean(raw_workbook()[filing_type][0], filing_type, DEFAULT_CITY)


def official_rows() -> list[dict[str, str]]:
    with open(codes.CODES_DIR / "miit_official_counts.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def official_counts() -> dict[tuple[str, str], int]:
    """(filing type, batch) → official count, from the table taken from DOMAIN.md."""
    rows = official_rows()
    return {(r["filing_type"], r["batch"]): int(r["official_count"]) for r in rows if r["official_count"]}


def csv_headers(filing_type: str) -> dict[str, str]:
    """Canonical column → the raw header the CSV uses for it."""
    header = pd.read_csv(DATA / CSV_FILES[filing_type], nrows=0).columns
    return {column: raw for raw, column in _rename_map(filing_type).items() if raw in header}


@pytest.mark.parametrize("filing_type", MIIT_FILING_TYPES)
def test_batch_counts_equal_the_official_table(filing_type):
    counts = cleaned_csv(filing_type).frame["batch"].value_counts()
    expected = {b: n for (ft, b), n in official_counts().items() if ft == filing_type and b in counts.index}
    assert len(expected) == (5 if filing_type == PRODUCTS else 6)  # batch 5 products: no official figure
    assert {b: int(counts[b]) for b in expected} == expected


def test_the_leaked_batch_3_product_rows_are_dropped_and_reported():
    result = cleaned_csv(PRODUCTS)
    leaked = raw_csv(PRODUCTS)["region_raw"].eq("na") & ~raw_csv(PRODUCTS)["serial_no"].str.isdigit()
    assert sorted(row for row, _ in result.dropped) == sorted(raw_csv(PRODUCTS).loc[leaked, "source_row"])
    assert {reason for _, reason in result.dropped} == {CATEGORY_HEADING}
    assert result.frame["serial_no"].str.fullmatch(r"\d+").all()


def test_rows_after_a_leaked_heading_take_its_category_and_standard():
    frame = cleaned_csv(PRODUCTS).frame
    tyres = frame[frame["category"].str.contains("汽车轮胎", na=False) & frame["batch"].eq("3")]
    heading = raw_csv(PRODUCTS).loc[raw_csv(PRODUCTS)["serial_no"].str.contains("汽车轮胎"), "serial_no"]
    assert len(tyres) == int(heading.iloc[0].split("（")[1].rstrip("种）"))
    assert tyres["standard"].str.contains("汽车轮胎").all()


@pytest.mark.parametrize("filing_type", MIIT_FILING_TYPES)
def test_no_cell_ends_in_nan(filing_type):
    frame = cleaned_csv(filing_type).frame
    text = frame.drop(columns="source_row").astype("string")
    assert not text.apply(lambda col: col.str.endswith("nan", na=False)).any().any()


@pytest.mark.parametrize("filing_type", MIIT_FILING_TYPES)
def test_every_region_is_normalised_to_a_known_region(filing_type):
    result = cleaned_csv(filing_type)
    regions = set(result.frame["region"].dropna())
    assert regions and regions <= known_regions()
    assert not {"内蒙", "黑龙", "兵团", "新疆兵团", "合肥"} & regions
    unplaced = result.frame["province"].isna()
    if unplaced.any():  # only brand fragments nothing can place; each one noted
        for raw in set(result.frame.loc[unplaced, "region_raw"]):
            assert any(raw in note and "province left empty" in note for note in result.notes)


def test_brand_fragments_take_the_province_of_the_enterprise_name():
    frame = cleaned_csv(PRODUCTS).frame
    hisense = frame[frame["region_raw"].eq("海信")]
    assert set(zip(hisense["entity_name"].str.extract(r"（(.+)）")[0], hisense["province"], strict=True)) == {
        ("山东", "山东"), ("广东", "广东"),
    }


def test_separately_planned_cities_keep_their_region_and_name_their_province():
    frame = cleaned_csv("miit_green_factories").frame
    ningbo = frame[frame["region_raw"].eq("宁波")]
    assert len(ningbo) > 0 and set(ningbo["region"]) == {"宁波"} and set(ningbo["province"]) == {"浙江"}
    assert ningbo["district_code"].isna().all()


@pytest.mark.parametrize(("filing_type", "expected"), HUZHOU_BATCHES_1_TO_5.items())
def test_huzhou_placement_by_name_in_batches_1_to_5(filing_type, expected):
    frame = cleaned_csv(filing_type).frame
    placed = frame[frame["district_code"].notna() & frame["batch"].astype(int).le(5)]
    assert len(placed) == expected
    assert set(placed["province"]) == {"浙江"}
    assert set(placed["district_code"]) <= set(load_profile(DEFAULT_CITY).region_codes())
    assert not placed["entity_name"].str.startswith("深圳").any()


def test_a_district_beats_the_city_and_only_zhejiang_itself_is_placed():
    names = pd.Series(
        ["湖州南浔经济开发区", "浙江安吉经济开发区", "深圳安吉尔饮水有限公司", "湖州老恒和", "湖州南太湖"]
    )
    regions = pd.Series(["浙江", "浙江", "广东", "宁波", "浙江"])
    assert place_in_city(names, regions, DEFAULT_CITY).tolist() == ["330503", "330523", None, None, "330502"]


def test_a_missing_batch_is_an_error_naming_the_rows():
    frame = raw_csv("miit_green_parks").head(3).copy()
    frame.loc[1, "batch"] = ""
    with pytest.raises(FilingError, match="source rows \\[3\\]"):
        clean(frame, "miit_green_parks", DEFAULT_CITY)


def test_official_counts_csv_matches_the_contract_types_and_batches():
    rows = official_rows()
    assert {r["filing_type"] for r in rows} == set(MIIT_FILING_TYPES)
    dates = {(r["batch"], r["published_date"]) for r in rows}
    assert len(dates) == len({batch for batch, _ in dates}) == 7
    assert [r for r in rows if not r["official_count"]] == [
        {"filing_type": PRODUCTS, "batch": "5", "official_count": "", "published_date": "2020-10-16"}
    ]


def test_each_region_belongs_to_one_province():
    table = pd.DataFrame(codes.rows("regions"))
    assert table.groupby("region")["province"].nunique().max() == 1
    assert set(table["kind"]) <= {"province", "city", "corps"}
    assert set(table["province"]) <= set(table.loc[table["kind"] == "province", "region"])


# --- the batch-6 workbook ---------------------------------------------------------------------------------

def test_workbook_product_headings_are_carried_and_dropped():
    result = cleaned_workbook(PRODUCTS)
    frame = result.frame
    headings = [row for row, reason in result.dropped if reason == CATEGORY_HEADING]
    categories = frame["category"].drop_duplicates()
    assert len(headings) == 3 * len(categories)  # heading, standard and highlights per category
    assert frame[["category", "standard", "highlights"]].notna().all().all()
    assert not frame["standard"].str.startswith("适用评价标准").any()
    declared = categories.str.extract(r"（(\d+)种）")[0].astype(int)
    assert (frame["category"].value_counts()[categories].to_numpy() == declared.to_numpy()).all()
    assert frame["province"].notna().all()  # from 推荐单位: the product sheet has no region column


@pytest.mark.parametrize("filing_type", MIIT_FILING_TYPES)
def test_workbook_counts_equal_the_official_batch_6(filing_type):
    assert len(cleaned_workbook(filing_type).frame) == official_counts()[(filing_type, "6")]


def test_workbook_batch_6_equals_the_csv_except_the_reported_near_matches():
    report = compare_workbook_with_csv(
        {ft: cleaned_workbook(ft).frame for ft in MIIT_FILING_TYPES},
        {ft: cleaned_csv(ft).frame for ft in MIIT_FILING_TYPES},
        workbook_headers={ft: raw_workbook()[ft][1] for ft in MIIT_FILING_TYPES},
        csv_headers={ft: csv_headers(ft) for ft in MIIT_FILING_TYPES},
    )
    text = report.to_text()
    assert all(c.agrees for c in report.lists), text
    for c in report.lists:
        assert c.matched + len(c.near_matches) == c.workbook_count == c.csv_count, text
    assert not report.by_type("miit_green_factories").near_matches
    assert not report.by_type("miit_green_parks").near_matches
    supply_chain = report.by_type("miit_green_supply_chain")
    assert [m.distance for m in supply_chain.near_matches] == [1]
    assert "differs by one character" in text
    assert any("wrong header" in note and "园区名称" in note for note in supply_chain.notes)
    for match in report.by_type(PRODUCTS).near_matches:  # same enterprise and product, garbled model
        assert match.workbook.rsplit(" | ", 1)[0] == match.csv.rsplit(" | ", 1)[0], text
