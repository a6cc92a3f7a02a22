"""CSV path of the generic parser: encodings, title rows, units, values, totals, periods, source rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from greenmfg.contracts import get_contract
from greenmfg.parsing import detect_filing_type, parse, parse_one
from greenmfg.uscc import CHARSET, check_character


def uscc(serial: int) -> str:
    """A valid credit code built from a serial number (check character computed, not copied)."""
    first17 = f"91330500{serial:09d}"
    return first17 + check_character(first17)


HEADER = "年份,统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入(千元),工业总产值(万元),电力(千瓦时)"


def enterprise_csv(rows: list[str], header: str = HEADER, title: list[str] | None = None) -> str:
    return "\n".join([*(title or []), header, *rows]) + "\n"


ROWS = [
    f"2020,{uscc(1)},湖州甲有限公司,吴兴区,1311,是,1234,56.5,20000",
    f"2020,{uscc(2)},湖州乙有限公司,德清,2611,否,80,7,10000",
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_give_the_same_rows(encoding: str) -> None:
    data = enterprise_csv(ROWS).encode(encoding)
    filing = parse_one(data, "规上企业.csv")
    assert filing.encoding == encoding
    assert filing.filing_type == "enterprise_stats"
    assert filing.rows["enterprise_name"].tolist() == ["湖州甲有限公司", "湖州乙有限公司"]
    assert filing.rows["district_code"].tolist() == ["330502", "330521"]


def test_units_in_headers_are_converted_to_canonical_units() -> None:
    filing = parse_one(enterprise_csv(ROWS).encode(), "规上企业.csv")
    rows = filing.rows
    assert rows["revenue_10k_yuan"].tolist() == pytest.approx([1234 / 10, 80 / 10])
    assert rows["gross_output_10k_yuan"].tolist() == pytest.approx([56.5, 7.0])
    assert rows["electricity_10k_kwh"].tolist() == pytest.approx([2.0, 1.0])
    assert filing.unit_conversions["revenue_10k_yuan"] == ("千元", pytest.approx(0.1))
    assert filing.unit_conversions["electricity_10k_kwh"] == ("千瓦时", pytest.approx(1e-4))
    assert filing.column_mapping["营业收入(千元)"] == "revenue_10k_yuan"


def test_rows_are_typed_with_the_contract_dtypes_and_derive_division() -> None:
    filing = parse_one(enterprise_csv(ROWS).encode(), "规上企业.csv")
    contract = get_contract("enterprise_stats")
    assert list(filing.rows.columns) == [
        *contract.column_names,
        "source_sha256",
        "source_row",
        "inferred_values",
    ]
    assert {c: str(t) for c, t in filing.rows.dtypes.items()} == contract.pandas_dtypes()
    assert filing.rows["industry_division"].tolist() == ["13", "26"]
    assert filing.rows["is_above_size"].tolist() == [True, False]
    assert filing.periods == [2020]


def test_title_rows_period_and_money_unit_from_title() -> None:
    header = "统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入,工业总产值(亿元)"
    rows = [f"{uscc(3)},湖州丙有限公司,长兴县,3130,Y,2500,0.5"]
    text = enterprise_csv(rows, header, title=["湖州市2021年规上工业企业能源统计表,,,", "单位：千元,,,"])
    filing = parse_one(text.encode(), "statistics.csv")
    assert filing.header_row == 3
    assert filing.periods == [2021]
    assert filing.inferences[0]["evidence"] == "from a title row"
    assert any("unit 千元 of revenue_10k_yuan from a line above the table" in note for note in filing.notes)
    assert filing.rows["revenue_10k_yuan"].iloc[0] == pytest.approx(250.0)
    assert filing.rows["gross_output_10k_yuan"].iloc[0] == pytest.approx(0.5 * 10_000)
    assert filing.rows["source_row"].tolist() == [4]


def test_period_from_file_name_when_no_column_and_no_title() -> None:
    header = "统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入(万元),工业总产值(万元)"
    data = enterprise_csv([f"{uscc(4)},湖州丁有限公司,安吉县,3311,是,1,2"], header).encode()
    filing = parse_one(data, "enterprises_2019_final.csv", filing_type="enterprise_stats")
    assert filing.periods == [2019]
    assert filing.inferences[0] == {
        "column": "year",
        "value": "2019",
        "rule": None,
        "evidence": "from the file name",
    }
    assert set(filing.rows["inferred_values"]) == {"year=2019 (from the file name)"}


def test_two_years_in_the_file_name_and_no_other_period_is_refused() -> None:
    from greenmfg.errors import FilingError

    header = "统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入(万元),工业总产值(万元)"
    data = enterprise_csv([f"{uscc(4)},湖州丁有限公司,安吉县,3311,是,1,2"], header).encode()
    with pytest.raises(FilingError, match=r"several periods in the file name.*2019, 2020"):
        parse_one(data, "enterprises_2019-2020.csv", filing_type="enterprise_stats")


def test_a_money_column_with_no_unit_anywhere_is_refused_not_guessed() -> None:
    from greenmfg.errors import FilingError

    header = "年份,统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入,工业总产值(万元)"
    data = enterprise_csv([f"2020,{uscc(4)},湖州丁有限公司,安吉县,3311,是,1,2"], header).encode()
    with pytest.raises(FilingError, match="no unit stated for revenue_10k_yuan"):
        parse_one(data, "规上企业.csv")


def test_without_a_stated_unit_only_cells_carrying_their_own_unit_are_read() -> None:
    header = "年份,统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入,工业总产值(万元)"
    rows = [f"2020,{uscc(4)},甲,安吉县,3311,是,3亿元,2", f"2020,{uscc(5)},乙,安吉县,3311,是,500,2"]
    filing = parse_one(enterprise_csv(rows, header).encode(), "规上企业.csv")
    assert filing.rows["revenue_10k_yuan"].iloc[0] == pytest.approx(30_000)
    assert pd.isna(filing.rows["revenue_10k_yuan"].iloc[1])
    assert filing.cell_errors["raw_value"].tolist() == ["500"]


def test_full_width_digits_separators_brackets_and_percent() -> None:
    rows = [
        f'2020,{uscc(5)},湖州戊有限公司,南浔区,１３１１,是,"1,234",１２３．５,"(2,000)"',
        f'2020,{uscc(6)},湖州己有限公司,南浔区,1311,是,"1，000", 7 ,5%',
        f"2020,{uscc(7)},湖州庚有限公司,南浔区,1311,是,—,12万元,-",
    ]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    rows_ = filing.rows
    assert rows_["revenue_10k_yuan"].iloc[0] == pytest.approx(123.4)
    assert rows_["gross_output_10k_yuan"].tolist() == pytest.approx([123.5, 7.0, 12.0])
    assert rows_["electricity_10k_kwh"].iloc[0] == pytest.approx(-0.2)
    assert rows_["revenue_10k_yuan"].iloc[1] == pytest.approx(100.0)
    assert math.isnan(rows_["revenue_10k_yuan"].iloc[2])
    assert pd.isna(rows_["electricity_10k_kwh"].iloc[2])
    assert rows_["industry_code"].iloc[0] == "1311"
    # '5%' is no amount of electricity: text after a number that is not a unit of its quantity is an error
    assert pd.isna(rows_["electricity_10k_kwh"].iloc[1])
    assert filing.cell_errors[["source_row", "column", "raw_value"]].values.tolist() == [
        [3, "electricity_10k_kwh", "5%"]
    ]


def test_unconvertible_cells_become_na_and_are_reported() -> None:
    rows = [
        f"2020,{uscc(8)},湖州辛有限公司,吴兴区,1311,也许,abc,5,10",
        f"2020,{uscc(9)},湖州壬有限公司,吴兴区,1311,是,6,7,8",
    ]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    assert len(filing.rows) == 2
    errors = filing.cell_errors.set_index("column")
    assert set(errors.index) == {"is_above_size", "revenue_10k_yuan"}
    assert errors.loc["revenue_10k_yuan", "raw_value"] == "abc"
    assert errors.loc["revenue_10k_yuan", "source_row"] == 2
    assert pd.isna(filing.rows["revenue_10k_yuan"].iloc[0])
    assert pd.isna(filing.rows["is_above_size"].iloc[0])


def test_totals_blank_rows_and_source_rows() -> None:
    rows = [ROWS[0], ",,,,,,,,", ROWS[1], "合计,,,,,,1314,63.5,30000"]
    text = enterprise_csv(rows, title=["2020年湖州市规上企业统计"])
    filing = parse_one(text.encode(), "规上企业.csv")
    assert filing.rows["source_row"].tolist() == [3, 5]
    assert dict(filing.dropped_rows) == {4: "blank row", 6: "totals row (合计/总计/小计)"}
    lines = text.splitlines()
    for name, line_no in zip(filing.rows["enterprise_name"], filing.rows["source_row"], strict=True):
        assert name in lines[line_no - 1]


def test_source_rows_count_quoted_line_breaks() -> None:
    rows = [f'2020,{uscc(10)},"湖州\n多行有限公司",吴兴区,1311,是,1,2,3', ROWS[1]]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    assert filing.rows["source_row"].tolist() == [2, 4]
    assert filing.rows["enterprise_name"].iloc[0] == "湖州\n多行有限公司"


def test_code_labels_and_aliases_map_and_unknown_labels_are_kept() -> None:
    header = (
        "年份,统一社会信用代码,企业名称,所属区县,行业代码,企业规模,是否规上,营业收入(万元),工业总产值(万元)"
    )
    rows = [
        f"2020,{uscc(11)},甲,南太湖新区,1311,大型,是,1,1",
        f"2020,{uscc(12)},乙,火星区,1311,中,是,1,1",
        f"2020,{uscc(13)},丙,330522,1311,small,是,1,1",
    ]
    filing = parse_one(enterprise_csv(rows, header).encode(), "规上企业.csv")
    assert filing.rows["district_code"].tolist() == ["330502", "火星区", "330522"]
    assert filing.rows["size_class"].tolist() == ["large", "medium", "small"]


def test_district_code_filled_from_division_code() -> None:
    header = "年份,统一社会信用代码,企业名称,行政区划代码,行业代码,是否规上,营业收入(万元),工业总产值(万元)"
    rows = [f"2020,{uscc(14)},甲,330523101000,1311,是,1,1"]
    filing = parse_one(enterprise_csv(rows, header).encode(), "规上企业.csv")
    assert filing.rows["district_code"].tolist() == ["330523"]
    assert filing.rows["division_code"].tolist() == ["330523101000"]
    assert filing.rows["inferred_values"].tolist() == [
        "district_code=330523 (first 6 digits of division_code)"
    ]


def test_dates_in_several_formats() -> None:
    header = "年度,申请编号,统一社会信用代码,企业名称,区县,申请金额(亿元),申请日期"
    dates = ["2020-01-31", "2020/1/31", "2020年1月31日", "20200131", "43861", "2020.01.31", "明天"]
    rows = [f"2020,A{i},{uscc(20 + i)},企业{i},吴兴,0.01,{d}" for i, d in enumerate(dates)]
    filing = parse_one(enterprise_csv(rows, header).encode(), "绿贷.csv")
    assert filing.filing_type == "green_loans"
    parsed = filing.rows["application_date"]
    assert parsed.iloc[:6].tolist() == [pd.Timestamp("2020-01-31")] * 6
    assert pd.isna(parsed.iloc[6])
    assert filing.cell_errors["raw_value"].tolist() == ["明天"]
    assert filing.rows["loan_amount_10k_yuan"].iloc[0] == pytest.approx(100.0)


def test_semicolon_and_tab_delimiters() -> None:
    for delimiter in (";", "\t"):
        text = enterprise_csv(ROWS).replace(",", delimiter)
        filing = parse_one(text.encode(), "规上企业.csv")
        assert len(filing.rows) == 2


def test_repeated_header_rows_are_dropped() -> None:
    rows = [ROWS[0], HEADER, ROWS[1]]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    assert filing.rows["source_row"].tolist() == [2, 4]
    assert filing.dropped_rows == [(3, "repeated header row")]


def test_detect_filing_type_from_headers_and_name() -> None:
    assert detect_filing_type(HEADER.split(","), "anything.csv") == "enterprise_stats"
    headers = ["序号", "地区", "园区名称", "第三方评价机构", "批次"]
    assert detect_filing_type(headers, "x.xlsx", sheet="绿色园区名单") == "miit_green_parks"


def test_parse_returns_one_filing_for_a_csv() -> None:
    assert len(parse(enterprise_csv(ROWS).encode(), "规上企业.csv")) == 1


def test_credit_codes_are_normalised_not_judged() -> None:
    code = uscc(30)
    wrong = code[:-1] + next(c for c in CHARSET if c != code[-1])
    rows = [f"2020,{code.lower()},甲,吴兴区,1311,是,1,1,1", f"2020,{wrong},乙,吴兴区,1311,是,1,1,1"]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    assert filing.rows["credit_code"].tolist() == [code, wrong]


def big_csv(encoding: str, rows: int = 20_000) -> bytes:
    """A file larger than the 1 MiB head the parser decodes up front."""
    lines = [HEADER] + [
        f"2020,{uscc(100 + i)},湖州企业{i}有限公司,吴兴区,1311,是,{i},1,1" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_large_files_keep_encoding_and_rows(encoding: str) -> None:
    data = big_csv(encoding)
    assert len(data) > 1 << 20
    filing = parse_one(data, "规上企业.csv")
    assert filing.encoding == encoding
    assert len(filing.rows) == 20_000
    assert filing.rows["source_row"].iloc[-1] == 20_001
    assert filing.rows["enterprise_name"].iloc[-1] == "湖州企业19999有限公司"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_invalid_bytes_after_the_first_mebibyte_are_reported() -> None:
    big = big_csv("utf-8")
    data = big + b"2020,\xff\xfe,x\n"
    from greenmfg.errors import FilingError

    with pytest.raises(FilingError, match=f"not UTF-8 \\(byte offset {len(big) + 5}\\)"):
        parse_one(data, "规上企业.csv")


def test_ragged_rows_are_padded_or_dropped_with_their_line() -> None:
    rows = [
        ROWS[0],
        f"2020,{uscc(40)},短行有限公司,吴兴区,1311,是,1",
        ROWS[1] + ",extra,more",
        ROWS[1] + ",,",
    ]
    filing = parse_one(enterprise_csv(rows).encode(), "规上企业.csv")
    assert filing.rows["source_row"].tolist() == [2, 3, 5]
    assert filing.dropped_rows == [(4, "11 fields, the header has 9")]
    assert pd.isna(filing.rows["electricity_10k_kwh"].iloc[1])


def test_green_register_codes_dates_and_derived_entity_type() -> None:
    header = (
        "年份,名单类型,级别,星级,统一社会信用代码,企业(园区)名称,产品名称,区县,认定日期,有效期止,是否撤销"
    )
    rows = [
        f"2020,绿色工厂,国家级,5,{uscc(50)},湖州甲有限公司,,长兴县,2019年9月2日,,否",
        "2020,绿色园区,省级,,,湖州某园区,,德清县,2018/2/11,2021-02-10,是",
        f"2020,绿色产品,国家,,{uscc(51)},湖州乙有限公司,某产品,安吉,20171023,,N",
    ]
    filing = parse_one(enterprise_csv(rows, header).encode(), "认定名单.csv")
    assert filing.filing_type == "green_register"
    rows_ = filing.rows
    assert rows_["list_type"].tolist() == ["green_factory", "green_park", "green_design_product"]
    assert rows_["entity_type"].tolist() == ["enterprise", "park", "product"]
    assert rows_["tier"].tolist() == ["national", "provincial", "national"]
    assert rows_["valid_from_date"].tolist() == [
        pd.Timestamp("2019-09-02"),
        pd.Timestamp("2018-02-11"),
        pd.Timestamp("2017-10-23"),
    ]
    assert rows_["is_revoked"].tolist() == [False, True, False]
    assert rows_["stars"].iloc[0] == 5 and pd.isna(rows_["stars"].iloc[1])


def test_a_unit_that_does_not_fit_the_column_is_an_error() -> None:
    from greenmfg.errors import FilingError

    text = enterprise_csv(ROWS, HEADER.replace("营业收入(千元)", "营业收入(吨)"))
    with pytest.raises(FilingError, match=r"unit '吨' \(its header\) does not fit column revenue_10k_yuan"):
        parse_one(text.encode(), "规上企业.csv")
