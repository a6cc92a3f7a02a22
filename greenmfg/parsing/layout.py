"""What surrounds a table's data: the period and units stated above it, the unit and column-number rows
under its header, and the lines below or among its rows that are not data (notes, signatures, contacts).

Words here are about the form of a sheet, not about any filing type's columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from greenmfg.errors import FilingError
from greenmfg.units import UNITS, fold

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_STATUS_DATE = re.compile(r"(?:截至|截止|至)\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月")
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十]+|\d+)\s*批")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?!\d)")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}

# "单位" is both a unit and an organisation: the words before it tell which.
_UNIT_STATEMENT = re.compile(r"([\u4e00-\u9fff]{0,4}?)单位\s*[:：]\s*([^\s,，;；)）]+)")
_UNIT_LABELS = ("计量", "金额", "货币", "价值", "数量", "")
_UNIT_LIST_SEPARATORS = re.compile(r"[、/和及]")
_BRACKETED = re.compile(r"[(（]([^()（）]+)[)）]")

# The ten heavenly stems number the descriptive columns of statistical forms (甲 乙 丙 …), digits the others.
_COLUMN_NUMBERS = frozenset("甲乙丙丁戊己庚辛壬癸") | {"栏次", "列次", "代码"}
_EMPTY_MARKS = frozenset({"-", "—", "——", "/", "\\"})

# Lines that are not data: notes, sign-offs and contacts, however the sheet spreads them over its cells.
NOT_DATA = re.compile(
    r"^\s*(注\s*\d*\s*[:：.、]|注\s*$|备注\s*[:：]|说明\s*[:：]|填表说明|数据来源|资料来源|制表人|制表\s*[:：]|"
    r"填表人|填报人|审核人|审核\s*[:：]|复核人|负责人|单位负责人|统计负责人|分管领导|联系人|联系电话|"
    r"电话\s*[:：]|手机|传真|邮箱|公示期|公示时间|监督电话|举报电话|填报日期|报出日期|制表日期|填表日期|"
    r"填报单位\s*[:：]|报送单位\s*[:：]|(?:\(|（)?盖章)"
)


def batch_number(text: str) -> str:
    if text.isdigit():
        return text
    if text == "十":
        return "10"
    if text.startswith("十"):
        return str(10 + _CN_DIGITS[text[1]])
    if text.endswith("十"):
        return str(10 * _CN_DIGITS[text[0]])
    if len(text) == 3:
        return str(10 * _CN_DIGITS[text[0]] + _CN_DIGITS[text[2]])
    return str(_CN_DIGITS[text])


def title_periods(title_lines: list[str], *, batch: bool = False) -> list[str]:
    """Every distinct period the title rows state: years (2020年, 2020年度, 截至2020年12月31日) or, for
    batch-numbered lists, 第六批 (else the year label a list was announced under, 2021年度). A year
    followed by a month is a date (a filing date) unless a status date."""
    years: list[str] = []
    batches: list[str] = []
    for line in title_lines:
        text = unicodedata.normalize("NFKC", line)
        batches += [batch_number(m) for m in _BATCH.findall(text)]
        years += _YEAR.findall(text) + _STATUS_DATE.findall(text)
    return list(dict.fromkeys(batches if batch and batches else years))


def title_dates(title_lines: list[str]) -> list[str]:
    """Every distinct full date the title rows state (2023年3月23日, 2023-03-23), as ISO dates."""
    found: list[str] = []
    for line in title_lines:
        for year, month, day in _DATE.findall(unicodedata.normalize("NFKC", line)):
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                found.append(f"{year}-{int(month):02d}-{int(day):02d}")
    return list(dict.fromkeys(found))


def name_periods(source_name: str, *, batch: bool = False) -> list[str]:
    """Every distinct year in the file name (for batch-numbered lists, 第N批 first)."""
    stem = PurePath(source_name).name
    batches = [batch_number(m) for m in _BATCH.findall(stem)] if batch else []
    return list(dict.fromkeys(batches or _NAME_YEAR.findall(stem)))


@dataclass(frozen=True)
class StatedUnit:
    """A unit stated above the data: the unit (folded) and the line that states it."""

    unit: str
    line: str


def stated_units(title_lines: list[str], where: str) -> tuple[list[StatedUnit], list[str]]:
    """Units stated in the lines above the header ('单位：万元', '金额单位：千元', '（万元）'), and notes on
    lines
    where 单位 names an organisation (填报单位：…). An explicit unit label with a value that is no unit is an
    error: the file says its numbers are in a unit this pipeline cannot convert."""
    units: list[StatedUnit] = []
    notes: list[str] = []
    for line in title_lines:
        text = unicodedata.normalize("NFKC", line)
        for label, value in _UNIT_STATEMENT.findall(text):
            label = (
                label
                if label in _UNIT_LABELS
                else next((u for u in _UNIT_LABELS if u and label.endswith(u)), None)
            )
            tokens = [t for t in _UNIT_LIST_SEPARATORS.split(value) if t]
            known = [fold(t) for t in tokens if fold(t) in UNITS]
            if label is None or (label == "" and not known):
                notes.append(f"'{line.strip()}' names an organisation, not a unit")
                continue
            unknown = [t for t in tokens if fold(t) not in UNITS]
            if unknown:
                raise FilingError(
                    where,
                    f"unknown unit {'、'.join(unknown)} stated above the data",
                    found=line.strip(),
                    expected=f"units of {sorted({u for u in UNITS if not u.isascii()})[:12]}…",
                )
            units += [StatedUnit(unit, line.strip()) for unit in known]
        for inner in _BRACKETED.findall(text):
            if fold(inner) in UNITS and not _UNIT_STATEMENT.search(f"({inner})"):
                units.append(StatedUnit(fold(inner), line.strip()))
    return list(dict.fromkeys(units)), notes


def is_column_number_row(cells: list[str | None]) -> bool:
    """甲 乙 丙 … 1 2 3: the row numbering a statistical form's columns, under its header."""
    filled = [unicodedata.normalize("NFKC", c).strip() for c in cells if c is not None and c.strip()]
    if len(filled) < 2:
        return False
    numbers = [int(t) for t in filled if t.isdigit() and int(t) < 1000]
    stems = [t for t in filled if t in _COLUMN_NUMBERS or t in _EMPTY_MARKS]
    return len(numbers) + len(stems) == len(filled) and len(set(numbers)) == len(numbers)


def unit_row(cells: list[str | None]) -> dict[int, str] | None:
    """A row under the header giving each column's unit (万元 吨 千瓦时 …): position → unit, else None."""
    units: dict[int, str] = {}
    for position, cell in enumerate(cells):
        if cell is None or not cell.strip():
            continue
        text = re.sub(r"^(?:计量)?单位\s*[:：]?", "", unicodedata.normalize("NFKC", cell).strip())
        if fold(text) in UNITS:
            units[position] = fold(text)
        elif text and text not in _EMPTY_MARKS and cell.strip() not in ("计量单位", "单位"):
            return None
    return units or None
