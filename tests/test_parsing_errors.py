"""Bad input gives one-line FilingErrors naming file, problem and evidence; resource limits hold."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from greenmfg.errors import FilingError, MissingColumnsError, ResourceLimitError, UnknownFilingTypeError
from greenmfg.parsing import parse, parse_one
from greenmfg.settings import Settings

HEADER = "年份,统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入(万元),工业总产值(万元)"
ROW = "2020,91110000600037341L,甲,吴兴区,1311,是,1,2"


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(ROW.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_missing_required_columns_lists_found_and_expected() -> None:
    data = "年份,统一社会信用代码,企业名称,区县,营业收入(万元)\n2020,x,甲,吴兴区,1\n".encode()
    with pytest.raises(MissingColumnsError) as exc:
        parse_one(data, "规上企业.csv")
    message = one_line(exc)
    assert "规上企业.csv" in message
    assert "industry_code" in message and "gross_output_10k_yuan" in message and "营业收入" in message
    # the spellings that would have matched are listed with the missing column
    assert "gross_output_10k_yuan (工业总产值|" in message


def test_a_missing_column_names_the_closest_headers_of_the_file() -> None:
    header = "年份,统一社会信用代码,企业名称,区县,行业代码,营业收入(万元),工业总产值额(万元)"
    data = f"{header}\n2020,x,甲,吴兴区,1311,1,2\n"
    with pytest.raises(MissingColumnsError) as exc:
        parse_one(data.encode(), "统计.csv")
    assert "closest headers in the file: 工业总产值额(万元)" in one_line(exc)


def test_a_column_nothing_files_or_implies_lists_what_could_have_implied_it() -> None:
    data = "年度,企业名称,荣誉,奖补金额(万元)\n2020,甲,国家级绿色工厂,100\n"
    with pytest.raises(MissingColumnsError) as exc:
        parse_one(data.encode(), "公示名单.csv", filing_type="incentives")
    message = one_line(exc)
    assert "incentive_kind" in message and "title or name contains 补助/补贴" in message


def test_unknown_type() -> None:
    with pytest.raises(UnknownFilingTypeError) as exc:
        parse_one("甲,乙,丙\n1,2,3\n".encode(), "misc.csv")
    assert "misc.csv" in one_line(exc)


def test_unknown_type_name_given() -> None:
    with pytest.raises(UnknownFilingTypeError):
        parse_one(f"{HEADER}\n{ROW}\n".encode(), "a.csv", filing_type="no_such_type")


def test_undecodable_names_the_byte_offset() -> None:
    data = f"{HEADER}\n".encode() + b"2020,\xff\xff\xff,x\n"
    with pytest.raises(FilingError) as exc:
        parse_one(data, "bad.csv")
    message = one_line(exc)
    assert "bad.csv" in message and "undecodable" in message
    assert f"offset {len(HEADER.encode()) + 6}" in message


@pytest.mark.parametrize("data", [b"", b"  \n\n", "\ufeff".encode()])
def test_empty(data: bytes) -> None:
    with pytest.raises(FilingError, match="empty"):
        parse_one(data, "empty.csv")


def test_header_only() -> None:
    with pytest.raises(FilingError, match="header only") as exc:
        parse_one(f"{HEADER}\n".encode(), "规上企业.csv")
    assert "规上企业.csv" in one_line(exc)


def test_duplicate_headers_mapping_to_one_column() -> None:
    data = f"{HEADER},主营业务收入\n{ROW},3\n".encode()
    with pytest.raises(FilingError, match="duplicate headers") as exc:
        parse_one(data, "规上企业.csv")
    assert "营业收入" in one_line(exc) and "主营业务收入" in str(exc.value)


def test_no_period_anywhere() -> None:
    header = "统一社会信用代码,企业名称,区县,行业代码,是否规上,营业收入(万元),工业总产值(万元)"
    with pytest.raises(FilingError, match="no period"):
        parse_one(f"{header}\nx,甲,吴兴区,1311,是,1,2\n".encode(), "enterprises.csv")


def test_truncated_xlsx() -> None:
    data = xlsx_bytes()
    assert len(parse(data, "ok_2020.xlsx")) == 1
    with pytest.raises(FilingError, match="truncated or corrupt") as exc:
        parse(data[: len(data) // 2], "cut.xlsx")
    assert "cut.xlsx" in one_line(exc)


def test_zip_that_is_not_an_xlsx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FilingError, match="not an XLSX"):
        parse(buffer.getvalue(), "data.xlsx")


def test_xlsx_name_without_zip_signature() -> None:
    with pytest.raises(FilingError, match="not really an XLSX"):
        parse(b"just text", "data.xlsx")


def test_zip_bomb_limit_on_uncompressed_size() -> None:
    data = xlsx_bytes()
    uncompressed = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(ResourceLimitError, match="max_xlsx_uncompressed_bytes") as exc:
        parse(data, "bomb.xlsx", settings=Settings(max_xlsx_uncompressed_bytes=uncompressed - 1))
    assert str(uncompressed) in one_line(exc)
    assert parse(data, "x_2020.xlsx", settings=Settings(max_xlsx_uncompressed_bytes=uncompressed))


def test_file_size_rows_columns_and_cell_limits() -> None:
    data = f"{HEADER}\n{ROW}\n{ROW}\n{ROW}\n".encode()
    with pytest.raises(ResourceLimitError, match="max_file_bytes"):
        parse(data, "a.csv", settings=Settings(max_file_bytes=len(data) - 1))
    with pytest.raises(ResourceLimitError, match="max_rows"):
        parse(data, "a.csv", settings=Settings(max_rows=2))
    with pytest.raises(ResourceLimitError, match="max_columns"):
        parse(data, "a.csv", settings=Settings(max_columns=5))
    with pytest.raises(ResourceLimitError, match="max_cell_chars"):
        parse(data, "a.csv", settings=Settings(max_cell_chars=10))
    assert len(parse(data, "a.csv", settings=Settings(max_rows=3))[0].rows) == 3


def test_legacy_xls_is_refused() -> None:
    with pytest.raises(FilingError, match="legacy"):
        parse(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls")
