"""Read a city profile (greenmfg/cities/profiles/<code>.toml) and check it against the division package.

A profile names its city by GB/T 2260 code only; the city's name, province and county-level divisions are
read from the package, and the profile must give an English name for exactly those divisions, so a profile
cannot drift from the divisions it is placed with.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from greenmfg import codes
from greenmfg.cities.profile import DEFAULT_CITY, CityProfile, District, Place, ReferenceShape, Zone
from greenmfg.errors import SettingsError
from greenmfg.places.divisions import DIVISIONS_VINTAGE, divisions
from greenmfg.places.names import short_form
from greenmfg.settings import get_settings

PROFILES_DIR = Path(__file__).with_name("profiles")
PLACE_KINDS = frozenset({"town", "functional zone"})


def available_cities() -> tuple[str, ...]:
    """Codes of the shipped profiles."""
    return tuple(sorted(path.stem for path in PROFILES_DIR.glob("*.toml")))


def selected() -> CityProfile:
    """The profile the settings select (GREENMFG_CITY; Huzhou by default)."""
    return load_profile(get_settings().city)


def of_parameters(parameters: dict[str, Any]) -> CityProfile:
    """The city a snapshot was published for: its parameters' city_code (Huzhou before profiles existed)."""
    return load_profile(parameters.get("city_code") or DEFAULT_CITY)


@cache
def load_profile(code: str) -> CityProfile:
    """The profile of city `code`; a missing or inconsistent profile is one clear SettingsError."""
    path = PROFILES_DIR / f"{code}.toml"
    if not path.is_file():
        raise SettingsError(
            f"no city profile for {code!r} (GREENMFG_CITY or --city); "
            f"expected one of {list(available_cities())}"
        )
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    return _profile(document, f"greenmfg/cities/profiles/{path.name}", code)


def _profile(document: dict[str, Any], where: str, code: str) -> CityProfile:
    named = divisions()
    city = named.get(code)
    if city is None or city.level != "city" or city.city_kind != "prefecture":
        raise SettingsError(f"{where}: {code} is not a prefecture-level city in {DIVISIONS_VINTAGE}")
    if document.get("code") != code:
        raise SettingsError(
            f"{where}: code {document.get('code')!r} differs from the file name; expected {code}"
        )
    package = sorted(d.code for d in named.values() if d.level == "county" and d.city_code == code)
    english = {str(k): str(v) for k, v in _table(document, "districts_en", where).items()}
    if sorted(english) != package:
        raise SettingsError(
            f"{where}: [districts_en] names {sorted(english)}; expected exactly the county-level divisions "
            f"{DIVISIONS_VINTAGE} lists under {city.name}: {package}"
        )
    districts = tuple(District(c, named[c].name, english[c]) for c in package)
    zones = tuple(Zone(z["name"], _district(z, package, where), z.get("note", "")) for z in
                  document.get("zones", []))  # fmt: skip
    places = tuple(_place(p, package, where) for p in document.get("places", []))
    province = named[city.province_code]
    short_province = short_form(province.name) or province.name
    policy = dict(_table(document, "policy", where))
    return CityProfile(
        code=code,
        name_zh=city.name,
        name_en=str(document.get("name_en") or _missing(where, "name_en")),
        province_code=province.code,
        province=short_province,
        province_name=province.name,
        districts=districts,
        zones=zones,
        places=places,
        policy={k: v for k, v in policy.items() if k != "source"},
        policy_source=str(policy.get("source", "")),
        reference=_reference(_table(document, "reference", where), package, where),
        profile_file=where,
        divisions_vintage=DIVISIONS_VINTAGE,
        province_spellings=_province_spellings(short_province, where),
    )


def _table(document: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    table = document.get(name)
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: [{name}] table missing; expected it (see profiles/330500.toml)")
    return table


def _missing(where: str, key: str) -> str:
    raise SettingsError(f"{where}: {key} missing; expected it (see profiles/330500.toml)")


def _district(entry: dict[str, Any], package: list[str], where: str) -> str:
    code = str(entry.get("district", ""))
    if code not in package:
        raise SettingsError(
            f"{where}: {entry.get('name')!r} is counted in district {code!r}; expected one of {package}"
        )
    return code


def _place(entry: dict[str, Any], package: list[str], where: str) -> Place:
    if entry.get("kind") not in PLACE_KINDS:
        raise SettingsError(
            f"{where}: place {entry.get('name')!r} has kind {entry.get('kind')!r}; expected one of "
            f"{sorted(PLACE_KINDS)} (cities, districts and counties come from the division package)"
        )
    return Place(str(entry["name"]), _district(entry, package, where), str(entry["kind"]))


def _reference(table: dict[str, Any], package: list[str], where: str) -> ReferenceShape:
    weights = {str(k): float(v) for k, v in table.get("district_weights", {}).items()}
    if sorted(weights) != package or min(weights.values(), default=0) <= 0:
        raise SettingsError(
            f"{where}: [reference] district_weights {weights}; "
            f"expected a positive weight for each of {package}"
        )
    lenders = tuple(str(name) for name in table.get("lenders", ()))
    if not lenders:
        raise SettingsError(f"{where}: [reference] lenders missing; expected the names of a few lenders")
    return ReferenceShape(bool(table.get("calibrated", False)), weights, lenders)


def _province_spellings(province: str, where: str) -> tuple[str, ...]:
    """Every spelling of the province in regions.csv (浙江, 浙江省): the lists' own normalisation."""
    spellings = tuple(
        row["spelling"]
        for row in codes.rows("regions")
        if row["region"] == province and row["kind"] == "province"
    )
    if not spellings:
        raise SettingsError(f"{where}: province {province!r} is not in greenmfg/codes/regions.csv")
    return spellings


@cache
def shipped_places() -> tuple[tuple[str, str, str], ...]:
    """(name, district code, kind) of every shipped profile's places: the national placement reads them
    whichever city is selected, so one entry is placed the same way in every city's snapshot."""
    return tuple(
        (place.name, place.district_code, place.kind)
        for code in available_cities()
        for place in load_profile(code).places
    )
