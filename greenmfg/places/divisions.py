"""China's administrative divisions (GB/T 2260) as shipped by the pinned `cpca` package: read, not typed.

The package's table is read as a file (importing cpca itself would build its own matcher); its vintage is
stated once here, with the evidence for it, and a test fails when a new package version no longer fits.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Literal

from greenmfg.errors import SettingsError

PACKAGE = "cpca"
TABLE = "cpca/resources/adcodes.csv"
NATIONS = "cpca/resources/56_nations.csv"
VINTAGE_EVIDENCE = {"蓟州区": "120119", "永年县": "130429", "莱芜市": "371200", "临安市": "330185"}
"""Names whose presence dates the table: 蓟州区 (June 2016) is in; 永年县 (a district from September 2016),
临安市 (a district from 2017) and 莱芜市 (merged into 济南 in January 2019) are still as before."""
DIVISIONS_VINTAGE = "GB/T 2260 as of mid-2016 (package cpca 0.5.5)"
"""Recorded in every placement row and in the docs; placements follow the divisions of that date."""

MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
# Rows that stand for a grouping, not a division ("districts of the city", "counties under the province").
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

Level = Literal["province", "city", "county"]
CityKind = Literal["prefecture", "municipality", "province-administered"]


@dataclass(frozen=True)
class Division:
    """A province, a prefecture-level city or a county-level division, with the city it belongs to.

    `city_code` is the unit a city ranking counts in: the division's prefecture-level city, the municipality
    for its districts, or the division itself for a county-level city under the province (仙桃, 济源).
    """

    code: str
    name: str
    level: Level
    province_code: str
    city_code: str | None
    city_kind: CityKind | None

    @property
    def is_district(self) -> bool:
        """A district (市辖区): its short form is often a brand (泰山, 白云), so it needs context."""
        return (
            self.level == "county" and self.name.endswith("区") and not self.name.endswith(("林区", "特区"))
        )


def _package_file(relative: str) -> Path:
    try:
        path = Path(str(metadata.distribution(PACKAGE).locate_file(relative)))
    except metadata.PackageNotFoundError:
        raise SettingsError(
            f"the division package {PACKAGE!r} is not installed; expected it pinned in "
            "pyproject.toml (pip install -e .)"
        ) from None
    if not path.is_file():
        raise SettingsError(f"{PACKAGE} {package_version()} has no {relative}; expected cpca 0.5.5's layout")
    return path


def package_version() -> str:
    return metadata.version(PACKAGE)


@cache
def _table() -> tuple[tuple[str, str], ...]:
    with open(_package_file(TABLE), encoding="utf-8", newline="") as handle:
        rows = {(row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(handle)}
    return tuple(sorted(rows))


@cache
def ethnic_names() -> tuple[str, ...]:
    """The 56 nationalities with and without 族 (壮族, 壮), longest first: they sit before 自治 in names."""
    with open(_package_file(NATIONS), encoding="utf-8") as handle:
        nations = {line.strip() for line in handle if line.strip()}
    forms = {form for nation in nations for form in (nation, nation.removesuffix("族")) if form}
    return tuple(sorted(forms, key=lambda s: (-len(s), s)))


def _level(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


@cache
def divisions() -> dict[str, Division]:
    """Every named division by its six-digit code (groupings such as 市辖区 left out)."""
    named = {code: name for code, name in _table() if name not in PLACEHOLDERS}
    out: dict[str, Division] = {}
    for code, name in named.items():
        level, province = _level(code), code[:2] + "0000"
        if province in MUNICIPALITIES:
            city, kind = province, "municipality"
        elif level == "province":
            city, kind = None, None
        elif code[:4] + "00" in named:
            city, kind = code[:4] + "00", "prefecture"
        else:  # a county-level city or county governed by the province itself
            city, kind = code, "province-administered"
        out[code] = Division(code, name, level, province, city, kind)
    return out


def vintage_evidence_holds() -> bool:
    """True while the table still dates as DIVISIONS_VINTAGE says (see VINTAGE_EVIDENCE)."""
    named = divisions()
    return all(code in named and named[code].name == name for name, code in VINTAGE_EVIDENCE.items())
