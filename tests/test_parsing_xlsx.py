"""XLSX path: title rows, merged two-row header, totals row, dates, several sheets, worksheet rows."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from greenmfg.parsing import parse, parse_one
from greenmfg.uscc import check_character


def uscc(serial: int) -> str:
    first17 = f"91330500{serial:09d}"
    return first17 + check_character(first17)


def workbook_bytes(
    sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell_range in (merges or {}).get(title, []):
            sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ENTERPRISE_SHEET = [
    ["湖州市2020年规上工业企业能源统计表"],
    ["单位：万元"],
    [
        "统一社会信用代码",
        "企业名称",
        "区县",
        "行业代码",
        "是否规上",
        "营业收入",
        "工业总产值(千元)",
        "能源消费量",
        None,
    ],
    [None, None, None, None, None, None, None, "原煤(吨)", "电力(万千瓦时)"],
    [uscc(1), "湖州甲有限公司", "吴兴区", 1311, "是", 1200.5, 30000, 10, 2.5],
    [uscc(2), "湖州乙有限公司", "安吉县", "2611", "否", "１，０００", 500, None, 1],
    ["合计", None, None, None, None, 2200.5, 30500, 10, 3.5],
]
MERGES = {"统计": ["A1:I1", "A2:I2", "H3:I3", "A3:A4", "B3:B4"]}


def test_title_rows_merged_two_row_header_and_totals_row() -> None:
    filing = parse_one(workbook_bytes({"统计": ENTERPRISE_SHEET}, MERGES), "企业.xlsx")
    assert filing.filing_type == "enterprise_stats"
    assert filing.file_format == "xlsx" and filing.encoding is None and filing.sheet == "统计"
    assert filing.header_row == 4
    assert filing.column_mapping["能源消费量/原煤(吨)"] == "raw_coal_t"
    assert filing.column_mapping["能源消费量/电力(万千瓦时)"] == "electricity_10k_kwh"
    rows = filing.rows
    assert rows["source_row"].tolist() == [5, 6]
    assert filing.dropped_rows == [(7, "totals row (合计/总计/小计)")]
    assert rows["raw_coal_t"].tolist()[0] == pytest.approx(10.0)
    assert rows["electricity_10k_kwh"].tolist() == pytest.approx([2.5, 1.0])
    assert rows["revenue_10k_yuan"].tolist() == pytest.approx([1200.5, 1000.0])
    assert rows["gross_output_10k_yuan"].tolist() == pytest.approx([3000.0, 50.0])
    assert rows["industry_code"].tolist() == ["1311", "2611"]
    assert filing.periods == [2020]


def test_sheets_that_match_no_type_are_skipped_with_a_note() -> None:
    catalogue = [["一级目录", "二级目录", "说明"], ["1. 节能环保产业", "1.1", "…"]]
    loans = [
        ["年度", "申请编号", "统一社会信用代码", "企业名称", "区县", "申请金额(万元)", "申请日期"],
        [2020, "L1", uscc(3), "甲", "长兴", 500, dt.datetime(2020, 3, 1)],
        [2020, "L2", uscc(4), "乙", "德清县", 12.5, 43900],
    ]
    filings = parse(workbook_bytes({"目录": catalogue, "绿贷": loans}), "book.xlsx")
    assert [f.filing_type for f in filings] == ["green_loans"]
    filing = filings[0]
    assert any("目录" in note and "skipped" in note for note in filing.notes)
    assert filing.rows["application_date"].tolist() == [
        pd.Timestamp("2020-03-01"),
        pd.Timestamp(dt.date(1899, 12, 30) + dt.timedelta(43900)),
    ]
    assert filing.rows["source_row"].tolist() == [2, 3]


def test_blank_worksheet_rows_keep_row_numbers() -> None:
    sheet = [
        ["年度", "申请编号", "统一社会信用代码", "企业名称", "区县", "申请金额(万元)"],
        [2021, "L1", uscc(5), "甲", "吴兴", 1],
        [None],
        [2021, "L2", uscc(6), "乙", "南浔", 2],
    ]
    filing = parse_one(workbook_bytes({"loans": sheet}), "loans.xlsx")
    assert filing.rows["source_row"].tolist() == [2, 4]
    assert filing.rows["application_no"].tolist() == ["L1", "L2"]


def test_parse_one_refuses_a_workbook_with_two_tables() -> None:
    sheet = [
        ["年度", "申请编号", "统一社会信用代码", "企业名称", "区县", "申请金额(万元)"],
        [2021, "L1", uscc(7), "甲", "吴兴", 1],
    ]
    earlier = [sheet[0], [2020, *sheet[1][1:]]]
    data = workbook_bytes({"a": sheet, "b": earlier})
    assert len(parse(data, "loans.xlsx")) == 2
    from greenmfg.errors import FilingError

    with pytest.raises(FilingError, match="exactly one table"):
        parse_one(data, "loans.xlsx")


def test_two_sheets_of_one_type_and_period_are_refused_not_one_lost() -> None:
    def sheet(code: int) -> list[list[object]]:
        return [
            ["年度", "申请编号", "统一社会信用代码", "企业名称", "区县", "申请金额(万元)"],
            [2021, f"L{code}", uscc(code), "甲", "吴兴", 1],
        ]

    from greenmfg.errors import FilingError

    with pytest.raises(FilingError, match=r"two sheets hold green_loans of period 2021.*吴兴, 南浔"):
        parse(workbook_bytes({"吴兴": sheet(20), "南浔": sheet(21)}), "loans.xlsx")
    other_years = [[*row[:1], *row[1:]] for row in sheet(22)]
    other_years[1][0] = 2020
    assert len(parse(workbook_bytes({"2021": sheet(20), "2020": other_years}), "loans.xlsx")) == 2
