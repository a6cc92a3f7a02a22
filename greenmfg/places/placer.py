"""Place one MIIT entry in its prefecture-level city, or say why not: pure rules over the name index.

Province from the list's region column; city (and county) from place names inside the entity name, read
leftmost-longest. Wrong placements are worse than none, so an entry stays unplaced when its place names
disagree, when one name fits two cities of the province, or when its only place lies in another province.
A short form counts fully only where enterprise and park names put places (see `_strength`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from greenmfg import codes
from greenmfg.places.divisions import MUNICIPALITIES
from greenmfg.places.names import Reading, longest_text, province_texts, readings

OPEN_BRACKETS = ("（", "(")
SEPARATORS = frozenset("-－·• ")
ORGANISATION_BEFORE = ("公司", "集团", "集团）", "集团)")
PARK_AFTER = ("经济", "开发区", "高新", "工业园", "产业园", "园区", "科技城", "化工园", "循环经济")
ORGANISATION_AFTER = ("有限", "股份", "分公司", "分厂", "）", ")", *PARK_AFTER)
LANDMARK_AFTER = ("山", "湾")
"""A short form followed by these is a landmark used as a brand (白云山, 祁连山, 杭州湾), not the division."""
FORMER_NAME = re.compile(r"[（(]原[^）)]*[）)]")
"""A bracket opening with 原 gives a former name (…（原武汉钢铁集团鄂城钢铁…）), not the location."""
UNIT_AFTER = re.compile(r"公司|(?<![（(])集团(?![）)])")
COMPANY_FORM = ("有限", "股份", "（", "(", "）", ")")
"""A company or group name followed by more than its legal form names a unit of it (…公司广州分公司,
新凤鸣集团湖州中石科技…): the parent's place is not the unit's, so only the unit's own part is read."""
EXCEPTIONS = "miit_place_exceptions"
"""greenmfg/codes/miit_place_exceptions.csv: names whose place name is a brand, each with its source."""

NONE, WEAK, STRONG, BRACKETED = range(4)

NO_PROVINCE = "no province"
NO_PLACE = "no place name"
ELSEWHERE = "place name of another province"
AMBIGUOUS = "place name fits several cities"
CONFLICT = "place names of different cities"
REGION_DISAGREES = "name and region column disagree"
BRAND = "place name used as a brand (checked by hand)"
UNIT_ELSEWHERE = "branch or subsidiary without a place name of its own"
UNPLACED_REASONS = (NO_PROVINCE, NO_PLACE, ELSEWHERE, AMBIGUOUS, CONFLICT, REGION_DISAGREES, BRAND,
                    UNIT_ELSEWHERE)  # fmt: skip

PLACEMENT_COLUMNS = ("city_code", "county_code", "place_method", "matched_name", "matched_level",
                     "unplaced_reason")  # fmt: skip


@dataclass(frozen=True)
class Placement:
    """Where an entry is placed and how (method, the text that matched, its level), or why it is not."""

    city_code: str | None = None
    county_code: str | None = None
    place_method: str | None = None
    matched_name: str | None = None
    matched_level: str | None = None
    unplaced_reason: str | None = None


@dataclass(frozen=True)
class Token:
    """A place name found in a text: where it stands and every division it can stand for."""

    start: int
    end: int
    text: str
    readings: tuple[Reading, ...]

    @property
    def is_province(self) -> bool:
        return self.text in province_texts()


Evidence = list[tuple[Token, tuple[Reading, ...]]]


def tokens(text: str) -> list[Token]:
    """Place names in `text`, leftmost-longest without overlap: 浙江山鹰 holds 浙江, never 江山."""
    index, longest = readings(), longest_text()
    found, i = [], 0
    while i < len(text):
        size = next((n for n in range(min(longest, len(text) - i), 1, -1) if text[i : i + n] in index), 0)
        if size:
            found.append(Token(i, i + size, text[i : i + size], index[text[i : i + size]]))
        i += size or 1
    return found


def _leading(text: str, found: list[Token]) -> set[int]:
    """Starts of the tokens in the chain of place names the text opens with (浙江长兴…, 佛山市三水…)."""
    chain, covered = set(), 0
    for token in found:
        while covered < token.start and text[covered] in SEPARATORS:
            covered += 1
        if token.start != covered:
            break
        chain.add(token.start)
        covered = token.end
    return chain


@dataclass(frozen=True)
class _Context:
    text: str
    leading: set[int]
    named_cities: set[str]
    is_unit: bool


def _strength(reading: Reading, token: Token, context: _Context) -> int:
    """How far this reading of the token tells where the entry is: NONE, WEAK, STRONG or BRACKETED.

    City names and full names count anywhere; a county's short form where names put places (leading,
    after 公司/集团, before 有限/经济开发区…), elsewhere only weakly (中电科技德清华莹: the group's name,
    then the place); a district's short form only with its city, after 公司/集团 or before a park word
    (山东泰山钢铁 is a brand). A place in brackets is the official way to name the location.
    """
    before, after = context.text[: token.start], context.text[token.end :]
    if reading.form != "full" and after.startswith(LANDMARK_AFTER):
        return NONE
    if before.endswith(OPEN_BRACKETS):
        return BRACKETED
    if reading.division.level == "city" or reading.form == "full":
        return STRONG
    after_organisation = before.endswith(ORGANISATION_BEFORE) or (context.is_unit and token.start == 0)
    if reading.division.is_district:
        placed = after_organisation or after.startswith(PARK_AFTER)
        return STRONG if placed or reading.division.city_code in context.named_cities else NONE
    placed = token.start in context.leading or after_organisation or after.startswith(ORGANISATION_AFTER)
    return STRONG if placed else WEAK


def _evidence(text: str, province: str, is_unit: bool) -> tuple[Evidence, bool]:
    """(token, its readings in the province) for the tokens of the strongest kind found, and whether a
    place name as strong lies only in another province (none is used when a stronger one does)."""
    everything = tokens(text)
    found = [t for t in everything if not t.is_province]
    cities = {r.division.code for t in found for r in t.readings if r.division.level == "city"}
    context = _Context(text, _leading(text, everything), cities, is_unit)
    graded: list[tuple[int, Token, tuple[Reading, ...], bool]] = []
    for token in found:
        for strength in (BRACKETED, STRONG, WEAK):
            counted = [r for r in token.readings if _strength(r, token, context) == strength]
            here = tuple(r for r in counted if r.division.province_code == province)
            if counted:
                graded.append((strength, token, here, not here))
    best = max((strength for strength, _, here, _ in graded if here), default=NONE)
    if any(foreign and strength > best for strength, _, _, foreign in graded):
        return [], True  # a stronger place name lies elsewhere: 合肥京东方 is not of 东方 (海南)
    evidence = [(token, here) for strength, token, here, _ in graded if strength == best and here]
    return evidence, any(foreign and strength == best for strength, _, _, foreign in graded)


def _county(evidence: Evidence, city: str) -> tuple[str | None, Token | None]:
    """The one county the evidence names inside the city (a token naming a city as well resolves none)."""
    counties: dict[str, Token] = {}
    for token, here in evidence:
        inside = [r for r in here if r.division.city_code == city]
        if inside and all(r.division.level == "county" for r in inside):
            for reading in inside:
                counties.setdefault(reading.division.code, token)
    return next(iter(counties.items())) if len(counties) == 1 else (None, None)


def _level(reading: Reading) -> str:
    return "town" if reading.form == "town" else reading.division.level


def _region_place(region: str | None, province: str) -> tuple[str, str] | None:
    """(city, level) the region column names: a municipality, a separately planned city (宁波), or a city
    or county written in place of the province (合肥, 景泰)."""
    if province in MUNICIPALITIES:
        return province, "municipality"
    here = [r for r in readings().get(region or "", ())
            if r.division.province_code == province and r.division.level != "province"]  # fmt: skip
    cities = {r.division.city_code for r in here}
    return (cities.pop(), _level(here[0])) if len(cities) == 1 else None


def _unit_part(name: str) -> str | None:
    """The part naming a branch or subsidiary after its parent's name, or None when there is none."""
    for match in UNIT_AFTER.finditer(name):
        rest = name[match.end() :]
        if rest and not rest.startswith(COMPANY_FORM):
            return rest
    return None


@cache
def _brands() -> tuple[str, ...]:
    return tuple(row["name_contains"] for row in codes.rows(EXCEPTIONS))


def _by_name(evidence: Evidence, city: str) -> Placement:
    """The placement in `city`, reporting the county-level token when it resolves the county."""
    county, token = _county(evidence, city)
    if token is None:
        token = next(t for t, here in evidence if any(r.division.city_code == city for r in here))
    reading = next(r for r in dict(evidence)[token] if r.division.city_code == city)
    return Placement(city, county, "name", token.text, _level(reading))


@cache
def place(name: str | None, province_name: str | None, region: str | None = None) -> Placement:
    """Place one entry: its name, the province its region column gives, and that column's own text."""
    province = province_texts().get(province_name or "")
    if province is None:
        return Placement(unplaced_reason=NO_PROVINCE)
    text = FORMER_NAME.sub("", name or "")
    if any(brand in text for brand in _brands()):
        return Placement(unplaced_reason=BRAND)
    unit = _unit_part(text)
    evidence, elsewhere = _evidence(text if unit is None else unit, province, unit is not None)
    sets = [{r.division.city_code for r in here} for _, here in evidence]
    by_name = set.intersection(*sets) if sets else set()
    by_region = _region_place(region, province)
    if by_region is not None:
        city, level = by_region
        if sets and city not in by_name:
            return Placement(unplaced_reason=REGION_DISAGREES)
        return Placement(city, _county(evidence, city)[0], "region", region, level)
    if not sets:
        reason = UNIT_ELSEWHERE if unit is not None else ELSEWHERE if elsewhere else NO_PLACE
        return Placement(unplaced_reason=reason)
    if len(by_name) != 1:
        return Placement(unplaced_reason=AMBIGUOUS if by_name else CONFLICT)
    return _by_name(evidence, by_name.pop())


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def place_frame(names: Iterable, provinces: Iterable, regions: Iterable) -> pd.DataFrame:
    """PLACEMENT_COLUMNS for each (entity name, province, region text), in order."""
    rows = [place(_text(n), _text(p), _text(r)) for n, p, r in zip(names, provinces, regions, strict=True)]
    return pd.DataFrame([vars(p) for p in rows], columns=list(PLACEMENT_COLUMNS)).astype(object)
