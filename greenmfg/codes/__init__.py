"""Code lists (districts, list types, tiers, …) loaded from the CSV files beside this module.

Each list is data: a new alias from a bureau is a one-line change to a CSV, not to code.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CODES_DIR = Path(__file__).parent

CITY_CODE = "330500"
# The province the city lies in, as regions.csv normalises it (the MIIT lists write it so): district names
# may be written under it, and the city's MIIT entries are placed within it.
HOME_PROVINCE = "浙江"


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of the code list `name` (the CSV file stem), as read."""
    with open(CODES_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def values(name: str) -> tuple[str, ...]:
    """The canonical codes of a list: its first column."""
    table = rows(name)
    first = next(iter(table[0]))
    return tuple(row[first] for row in table)


@cache
def aliases(name: str) -> dict[str, str]:
    """Map every Chinese name and alias (and the code itself) to the canonical code."""
    table = rows(name)
    first = next(iter(table[0]))
    mapping: dict[str, str] = {}
    for row in table:
        code = row[first]
        mapping[code] = code
        if row.get("name_zh"):
            mapping[row["name_zh"]] = code
        for alias in filter(None, (row.get("aliases_zh") or "").split("|")):
            mapping[alias] = code
    return mapping


def district_codes() -> tuple[str, ...]:
    """District-level codes of the city (the city code itself excluded)."""
    return tuple(row["district_code"] for row in rows("districts") if row["kind"] != "city")


@cache
def district_aliases() -> dict[str, str]:
    """Names of districts and functional zones → GB/T 2260 district code."""
    mapping = {row["alias"]: row["district_code"] for row in rows("district_aliases")}
    mapping.update({row["district_code"]: row["district_code"] for row in rows("districts")})
    return mapping


@cache
def province_spellings() -> tuple[str, ...]:
    """Every spelling of the city's province in regions.csv (浙江, 浙江省)."""
    return tuple(
        row["spelling"]
        for row in rows("regions")
        if row["region"] == HOME_PROVINCE and row["kind"] == "province"
    )


def district_name(code: str) -> str:
    return next((row["name_zh"] for row in rows("districts") if row["district_code"] == code), code)


@cache
def section_divisions() -> dict[str, tuple[str, ...]]:
    """GB/T 4754-2017 section letter → its two-digit divisions, from industry_sections.csv."""
    return {
        row["section"]: tuple(
            f"{d:02d}" for d in range(int(row["first_division"]), int(row["last_division"]) + 1)
        )
        for row in rows("industry_sections")
    }


# GB/T 4754-2017: manufacturing is section C (divisions 13–43).
MANUFACTURING_SECTION = "C"
MANUFACTURING_DIVISIONS: tuple[str, ...] = section_divisions()[MANUFACTURING_SECTION]
