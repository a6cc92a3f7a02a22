"""Code lists (list types, tiers, regions, …) loaded from the CSV files beside this module; the city's
districts from its profile (greenmfg.cities).

Each list is data: a new alias from a bureau is a one-line change to a CSV, not to code.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CODES_DIR = Path(__file__).parent

CITY_LISTS = ("districts",)
"""Code lists that belong to the selected city: read from its profile (greenmfg.cities), not from a CSV."""


def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of the code list `name` (the CSV file stem), as read; a city list from the selected profile."""
    if name in CITY_LISTS:
        from greenmfg.cities import selected

        return selected().district_rows()
    return _csv_rows(name)


@cache
def _csv_rows(name: str) -> tuple[dict[str, str], ...]:
    with open(CODES_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def values(name: str) -> tuple[str, ...]:
    """The canonical codes of a list: its first column."""
    table = rows(name)
    first = next(iter(table[0]))
    return tuple(row[first] for row in table)


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
