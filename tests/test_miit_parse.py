"""The real MIIT lists end to end through the generic parser: official counts, cleaning, workbook vs CSV."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from greenmfg.contracts import MIIT_FILING_TYPES
from greenmfg.miit_compare import compare_workbook_with_csv
from greenmfg.parsing import ParsedFiling, parse, parse_one
from greenmfg.parsing.miit import CATEGORY_HEADING, known_regions

DATA = Path(
    os.environ.get("GREENMFG_MIIT_DATA", Path(__file__).resolve().parents[2] / "shared/data/miit-green-lists")
)
CSV_FILES = {
    "miit_green_factories": "绿色工厂名单.csv",
    "miit_green_parks": "绿色工业园区名单.csv",
    "miit_green_supply_chain": "绿色供应链管理示范企业名单.csv",
    "miit_green_design_products": "绿色设计产品名单.csv",
}
# data01.xlsx states its batch nowhere inside; the name it is filed under says "2021年度" (batch 6).
WORKBOOK_FILED_AS = "绿色制造名单2021年度.xlsx"
OFFICIAL_COUNTS = Path(__file__).resolve().parents[1] / "greenmfg/codes/miit_official_counts.csv"


@cache
def parsed_csv(filing_type: str) -> ParsedFiling:
    name = CSV_FILES[filing_type]
    return parse_one((DATA / name).read_bytes(), name)


@cache
def parsed_workbook() -> dict[str, ParsedFiling]:
    return {f.filing_type: f for f in parse((DATA / "data01.xlsx").read_bytes(), WORKBOOK_FILED_AS)}


def headers(filing: ParsedFiling) -> dict[str, str]:
    """Canonical column → raw header as the file spelled it."""
    return {column: raw for raw, column in filing.column_mapping.items()}


def official(filing_type: str) -> dict[int, int]:
    lines = OFFICIAL_COUNTS.read_text(encoding="utf-8").splitlines()[1:]
    cells = [line.split(",") for line in lines]
    return {int(batch): int(count) for ft, batch, count, _ in cells if ft == filing_type and count}


@pytest.mark.parametrize("filing_type", MIIT_FILING_TYPES)
def test_parsed_csv_counts_per_batch_equal_the_official_table(filing_type):
    filing = parsed_csv(filing_type)
    assert filing.filing_type == filing_type
    counts = filing.rows["batch"].value_counts()
    expected = {b: n for b, n in official(filing_type).items() if b in counts.index}
    assert {b: int(counts[b]) for b in expected} == expected
    assert set(filing.rows["region"].dropna()) <= known_regions()


def test_parsed_product_csv_reports_the_leaked_rows():
    filing = parsed_csv("miit_green_design_products")
    assert sum(reason == CATEGORY_HEADING for _, reason in filing.dropped_rows) == 9
    assert any("nan" in note for note in filing.notes)


def test_parsed_workbook_equals_the_csv_batch_6_except_near_matches():
    workbook = parsed_workbook()
    assert set(workbook) == set(MIIT_FILING_TYPES)
    for filing_type, filing in workbook.items():
        assert len(filing.rows) == official(filing_type)[6]
    csv = {ft: parsed_csv(ft) for ft in MIIT_FILING_TYPES}
    report = compare_workbook_with_csv(
        {ft: f.rows for ft, f in workbook.items()},
        {ft: f.rows for ft, f in csv.items()},
        workbook_headers={ft: headers(f) for ft, f in workbook.items()},
        csv_headers={ft: headers(f) for ft, f in csv.items()},
    )
    assert all(c.agrees for c in report.lists), report.to_text()
    assert [m.distance for m in report.by_type("miit_green_supply_chain").near_matches] == [1]
    assert any("wrong header" in n for n in report.by_type("miit_green_supply_chain").notes), report.to_text()
