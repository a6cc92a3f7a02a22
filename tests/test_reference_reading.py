"""An independent reader of the reference filings (pandas only), used to recompute the calibration.

It knows the filings only as a person would: find the header row among the known spellings, take the unit
from the header brackets or a 单位 title row, drop 合计, undo full-width digits and thousands separators.
It shares nothing with the generator but the data tables (headers.csv, code lists, units).
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from greenmfg.contracts import get_contract, header_variants
from greenmfg.reference import generate
from greenmfg.units import MONEY_TO_10K_YUAN, is_unit

_BRACKETED = re.compile(r"^(.*)[(（]([^()（）]+)[)）]$")
_TITLE_UNIT = re.compile(r"单位[:：]\s*(\S+)")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


_GENERATED: dict[str, Path] = {}


def default_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default reference filings, generated once per test session; tests only read them."""
    if "default" not in _GENERATED:
        folder = tmp_path_factory.mktemp("reference-default")
        generate(folder)
        _GENERATED["default"] = folder
    return _GENERATED["default"]


def _split_unit(header: str) -> tuple[str, str | None]:
    match = _BRACKETED.match(header)
    if match and is_unit(match.group(2)):
        return match.group(1), match.group(2)
    return header, None


def _grid(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, header=None, dtype=object)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False).replace("", None)


def read_filing(path: Path, filing_type: str) -> pd.DataFrame:
    """Rows of a filing under canonical column names; money in 万元, numbers as floats, totals dropped."""
    known = {label: column for column, labels in header_variants()[filing_type].items() for label in labels}
    grid = _grid(path)
    cells = [[None if pd.isna(v) else v for v in row] for row in grid.itertuples(index=False)]

    def mapped(row: list) -> dict[int, tuple[str, str | None]]:
        out = {}
        for index, value in enumerate(row):
            if isinstance(value, str):
                label, unit = _split_unit(value.strip())
                if label in known:
                    out[index] = (known[label], unit)
        return out

    header_at = next(i for i, row in enumerate(cells) if len(mapped(row)) >= 3)
    columns = mapped(cells[header_at])
    first_data = header_at + 1
    below = mapped(cells[header_at + 1])
    if len(below) >= 2 and not set(below) & set(columns):
        columns.update(below)
        first_data += 1
    title_unit = next(
        (
            m.group(1)
            for row in cells[:header_at]
            for v in row
            if isinstance(v, str)
            for m in [_TITLE_UNIT.search(v)]
            if m
        ),
        None,
    )
    contract = get_contract(filing_type)
    records = [row for row in cells[first_data:] if str(row[0]).strip() != "合计"]
    frame = pd.DataFrame({name: [row[i] for row in records] for i, (name, _) in columns.items()})
    for name, unit in columns.values():
        column = contract.column(name)
        if column.dtype in ("float", "int"):
            values = frame[name].map(_number)
            if column.unit == "10k_yuan":
                values = values * MONEY_TO_10K_YUAN[unit or title_unit or "万元"]
            frame[name] = values
        elif column.dtype == "date":
            frame[name] = frame[name].map(_date)
        elif column.dtype == "string":
            frame[name] = frame[name].map(lambda v: None if _missing(v) else str(v).strip())
    return frame


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _number(value: object) -> float | None:
    if _missing(value):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return float(unicodedata.normalize("NFKC", str(value)).replace(",", ""))


def _date(value: object) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    match = _CHINESE_DATE.match(text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return date.fromisoformat(text[:10])


def test_reader_handles_title_rows_units_and_totals(tmp_path: Path) -> None:
    """The reader itself: a made-up CSV in GB18030 with a title unit row, full-width digits and 合计."""
    text = (
        "湖州市2020年绿色贷款申请情况,,\n单位：亿元,,\n申请编号,统一社会信用代码,申请金额\n"
        'A1,91330500MA00000000,０.５\nA2,91330500MA00000001,"1,234.5"\n合计,,1235\n'
    )
    path = tmp_path / "loans.csv"
    path.write_bytes(text.encode("gb18030"))
    frame = read_filing(path, "green_loans")
    assert frame["application_no"].tolist() == ["A1", "A2"]
    assert frame["loan_amount_10k_yuan"].tolist() == pytest.approx([5000.0, 12_345_000.0])
