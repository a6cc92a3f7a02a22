"""Every form a division is written with in an entity name: its full name, its short form by rule.

Short forms: 长兴县 → 长兴, 延边朝鲜族自治州 → 延边. City profiles add places below the county (towns, zones).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from greenmfg.places.divisions import Division, divisions, ethnic_names

# Longest first, so 自治县 is stripped before 县. A stem shorter than MIN_STEM is a common word (城区 → 城).
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
            "省", "市", "县", "区", "旗", "盟")  # fmt: skip
MIN_STEM = 2

Form = Literal["full", "short", "town"]


@dataclass(frozen=True)
class Reading:
    """One division a text can stand for, and how it is written there."""

    division: Division
    form: Form


def short_form(name: str) -> str | None:
    """The name without its administrative suffix (and the nationalities before 自治…), or None when the
    stem left would be shorter than MIN_STEM characters."""
    suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        return None
    stem = name[: -len(suffix)]
    if suffix.startswith("自治"):
        stripped = True
        while stripped:
            stripped = False
            for nation in ethnic_names():
                if stem.endswith(nation) and len(stem) - len(nation) >= MIN_STEM:
                    stem, stripped = stem[: -len(nation)], True
                    break
    return stem if len(stem) >= MIN_STEM else None


def _written_forms(division: Division) -> list[tuple[str, Form]]:
    short = short_form(division.name)
    forms: list[tuple[str, Form]] = []
    if short is not None or division.name.endswith("县") or division.level != "county":
        forms.append((division.name, "full"))  # 萧县 yes; 城区 and 郊区 are words, not places
    if short is not None and short != division.name:
        forms.append((short, "short"))
    return forms


@cache
def province_texts() -> dict[str, str]:
    """Every way a province is written (浙江省, 浙江; 广西壮族自治区, 广西) → its code."""
    out: dict[str, str] = {}
    for division in divisions().values():
        if division.level == "province":
            out.update({text: division.code for text, _ in _written_forms(division)})
    return out


def _town_readings() -> list[tuple[str, Reading]]:
    """Places below the county (towns, zones) of every shipped city profile, whichever city is selected."""
    from greenmfg.cities import shipped_places

    named = divisions()
    return [(name, Reading(named[district], "town")) for name, district, _ in shipped_places()]


@cache
def readings() -> dict[str, tuple[Reading, ...]]:
    """Text → every division it can stand for. A text that names a province stands for the province only
    (吉林 is the province, not 吉林市), so a short form never competes with a province's name."""
    provinces = province_texts()
    found: dict[str, list[Reading]] = {}
    for division in divisions().values():
        for text, form in _written_forms(division):
            if text in provinces and division.level != "province":
                continue
            found.setdefault(text, []).append(Reading(division, form))
    for text, reading in _town_readings():
        if text not in provinces:
            found.setdefault(text, []).append(reading)
    return {text: tuple(sorted(rs, key=lambda r: (r.division.code, r.form))) for text, rs in found.items()}


@cache
def longest_text() -> int:
    return max(map(len, readings()))
