"""Changes of the published schema a consumer must know, newest first: renames, new columns, new keys.

Every snapshot carries them (`changelog` in its data dictionary, inside manifest.json), and
docs/data_dictionary.md lists them. A rename keeps the meaning; only the name changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MIIT_LIST_TYPES = (
    "miit_green_factories, miit_green_parks, miit_green_supply_chain, miit_green_design_products"
)


@dataclass(frozen=True)
class Change:
    """One change: what kind, where (a filing type, dataset, manifest part or the report), from → to, why."""

    since: str
    kind: str  # rename | added | key | meaning | removed
    where: str
    before: str
    after: str
    note: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


CITY_PROFILES = "city profiles and MIIT removals (issue 16)"

CHANGELOG: tuple[Change, ...] = (
    Change(
        CITY_PROFILES,
        "rename",
        MIIT_LIST_TYPES + " (staged canonical rows)",
        "huzhou_district_code",
        "district_code",
        "the district of the pipeline's city (its profile), no longer always Huzhou's",
    ),
    Change(
        CITY_PROFILES,
        "meaning",
        "every dataset's region_code (region_level city)",
        "330500",
        "the city's own GB/T 2260 code",
        "330500 for Huzhou, the default; 330400 for Jiaxing",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "manifest parameters",
        "",
        "city_code, changes",
        "the city the snapshot is of, and policy values that apply from a year on",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "data dictionary (manifest dictionary)",
        "",
        "city, changelog",
        "the city profile (divisions, zones, vintage) and this list",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "filing types",
        "",
        "miit_removals",
        "the ministry's removal notices (动态调整): list type, entity, region, batch listed, notice date",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "green_list_counts",
        "",
        "as_of_date, removed_entities, in_force_entities",
        "MIIT rows at each batch's publication and each removal notice's date; entities and entries "
        "stay as published and are empty on a notice's row",
    ),
    Change(
        CITY_PROFILES,
        "key",
        "green_list_counts",
        "source_list, year, batch, region_code, list_type, tier",
        "source_list, year, batch, as_of_date, region_code, list_type, tier",
        "a notice adds as-of rows",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "miit_city_counts",
        "",
        "as_of_date, removed_entities, in_force_entities",
        "rank_among_cities and cities_ranked now count in_force_entities (equal to cumulative_entities "
        "while nothing is removed); entities is empty on a notice's row",
    ),
    Change(
        CITY_PROFILES,
        "key",
        "miit_city_counts",
        "batch, region_code, list_type",
        "batch, as_of_date, region_code, list_type",
        "a notice adds as-of rows",
    ),
    Change(
        CITY_PROFILES,
        "added",
        "miit_entry_places",
        "",
        "valid_from_date, removed_date",
        "membership is effective-dated; source_sha256s ends with the removal notice when there is one",
    ),
    Change(
        CITY_PROFILES,
        "rename",
        "report charts",
        "huzhou_placed, zhejiang_rank",
        "city_placed, province_rank",
        "the report shows the snapshot's city and its province",
    ),
)


def changelog() -> list[dict[str, str]]:
    return [change.to_dict() for change in CHANGELOG]
