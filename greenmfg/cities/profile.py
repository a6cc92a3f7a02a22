"""One city's profile: its divisions (from the division package) and what the package does not know.

Pure: every name form here is derived from the package's full names (short forms by the rule of
greenmfg.places.names); a profile file adds only English names, functional zones, towns, policy values and
the reference city's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from greenmfg.places.names import short_form
from greenmfg.settings import Settings

DEFAULT_CITY: str = Settings.model_fields["city"].default
"""Huzhou (湖州市, 330500): the city greenmfg was first built for, selected when GREENMFG_CITY is not set."""
CITY_LEVEL_WORDS = ("市本级",)
"""Words a municipal table writes in its district column for the city's own departments: the city level."""
KINDS_BY_SUFFIX = (("区", "district"), ("县", "county"), ("旗", "county"), ("市", "county-level city"))


@dataclass(frozen=True)
class District:
    """A county-level division of the city: code and name from the package, English name from the profile."""

    code: str
    name_zh: str
    name_en: str

    @property
    def kind(self) -> str:
        """district (市辖区), county (县, 旗) or county-level city (县级市), from the name's suffix."""
        return next((kind for suffix, kind in KINDS_BY_SUFFIX if self.name_zh.endswith(suffix)), "county")

    @property
    def short_name(self) -> str:
        return short_form(self.name_zh) or self.name_zh


@dataclass(frozen=True)
class Zone:
    """A name a bureau's tables write as if it were a district (a functional zone), and the district it is
    counted in."""

    name: str
    district_code: str
    note: str = ""


@dataclass(frozen=True)
class Place:
    """A place below the county the package does not name (a town, a zone's short name), for placing MIIT
    entries by name."""

    name: str
    district_code: str
    kind: str


@dataclass(frozen=True)
class ReferenceShape:
    """How the reference generator draws this city: made-up weights and lenders, and whether its figures are
    calibrated to DOMAIN.md (Huzhou's only)."""

    calibrated: bool
    district_weights: dict[str, float]
    lenders: tuple[str, ...]


@dataclass(frozen=True)
class CityProfile:
    """Everything city-specific the pipeline reads; `describe()` is what a snapshot records."""

    code: str
    name_zh: str
    name_en: str
    province_code: str
    province: str
    province_name: str
    districts: tuple[District, ...]
    zones: tuple[Zone, ...]
    places: tuple[Place, ...]
    policy: dict[str, Any]
    policy_source: str
    reference: ReferenceShape
    profile_file: str
    divisions_vintage: str
    province_spellings: tuple[str, ...] = field(default=())

    @property
    def short_name(self) -> str:
        """湖州 for 湖州市: how names and titles write the city."""
        return short_form(self.name_zh) or self.name_zh

    def district_codes(self) -> tuple[str, ...]:
        """County-level codes of the city, in code order (the city's own code excluded)."""
        return tuple(d.code for d in self.districts)

    def region_codes(self) -> tuple[str, ...]:
        """The city and its districts: every region_code a city dataset holds."""
        return (self.code, *self.district_codes())

    def district_name(self, code: str) -> str:
        """吴兴区 for 330502, 湖州市 for the city; the code itself when it is neither."""
        if code == self.code:
            return self.name_zh
        return next((d.name_zh for d in self.districts if d.code == code), code)

    def district_rows(self) -> tuple[dict[str, str], ...]:
        """The `districts` code list: the city, then each district (the columns of a code list file)."""
        source = f"GB/T 2260 ({self.divisions_vintage}); name_en from {self.profile_file}"
        city = {"district_code": self.code, "name_zh": self.name_zh, "name_en": f"{self.name_en} (city)",
                "kind": "city", "source": source}  # fmt: skip
        return (city, *({"district_code": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
                         "kind": d.kind, "source": source} for d in self.districts))  # fmt: skip

    def district_aliases(self) -> dict[str, str]:
        """Every name a table writes in a district column → the GB/T 2260 code: official and short names
        (derived), the city and its own departments (city level), the functional zones, and the codes."""
        aliases: dict[str, str] = {}
        for district in self.districts:
            aliases[district.name_zh] = district.code
            aliases[district.short_name] = district.code
        aliases[self.name_zh] = self.code
        aliases.update(dict.fromkeys(CITY_LEVEL_WORDS, self.code))
        aliases.update({zone.name: zone.district_code for zone in self.zones})
        aliases.update({code: code for code in self.region_codes()})
        return aliases

    def place_prefixes(self) -> tuple[str, ...]:
        """What a district label may be written under: the city's names and its province's spellings
        (浙江省湖州市吴兴区 is 吴兴区)."""
        city = tuple(a for a, c in self.district_aliases().items() if c == self.code)
        return (*city, *self.province_spellings)

    def place_names(self) -> tuple[str, ...]:
        """Names that place an entity in the city: the city's, each district's short name, and the towns."""
        return (self.short_name, *(d.short_name for d in self.districts), *(p.name for p in self.places))

    def zone_district(self) -> str | None:
        """The district most functional zones are counted in (where the reference city puts its zone)."""
        counted = [zone.district_code for zone in self.zones]
        return max(counted, key=counted.count) if counted else None

    def describe(self) -> dict[str, Any]:
        """The city as a snapshot records it: code, names, province, districts, zones and data vintage."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "province": self.province,
            "profile": self.profile_file,
            "divisions_vintage": self.divisions_vintage,
            "districts": [
                {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en, "kind": d.kind}
                for d in self.districts
            ],
            "functional_zones": [
                {"name": z.name, "district_code": z.district_code, "note": z.note} for z in self.zones
            ],
            "policy_source": self.policy_source,
        }
