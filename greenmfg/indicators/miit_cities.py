"""miit_entry_places and miit_city_counts: every MIIT entry placed in its city by name, and city rankings.

Placement is greenmfg.places (the same rules give parsing's huzhou_district_code). Counts are lower
bounds: an entry whose name holds no usable place name is counted in its province's unplaced entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache

import pandas as pd

from greenmfg import codes
from greenmfg.contracts import get_contract
from greenmfg.contracts.model import Column
from greenmfg.indicators.common import (
    REGION_CODE,
    REGION_LEVEL,
    SOURCE_SEPARATOR,
    SOURCE_SHA256S,
    entity_id,
    finalize,
    input_frame,
    join_sources,
)
from greenmfg.indicators.list_counts import MIIT_LIST_TYPES, NATIONAL, UNKNOWN_PROVINCE
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.places import DIVISIONS_VINTAGE, place_frame
from greenmfg.places.divisions import divisions
from greenmfg.places.names import province_texts
from greenmfg.places.placer import UNPLACED_REASONS

ALL = "ALL"
RANKED_KIND = "prefecture"
PRODUCT_COLUMNS = ("product_name", "product_model")
ENTRY_KEY = ("list_type", "batch", "entity_name", *PRODUCT_COLUMNS)
COUNT_KEY = ["batch", "region_code", "list_type"]


@cache
def published_dates() -> dict[int, str]:
    """Batch → the date MIIT published it (greenmfg/codes/miit_official_counts.csv)."""
    return {int(row["batch"]): row["published_date"] for row in codes.rows("miit_official_counts")}


def batch_in_force(frame: pd.DataFrame, day: str) -> int | None:
    """The latest batch of a miit_city_counts frame published on or before `day` (ISO date), or None."""
    dates = pd.to_datetime(frame["published_date"])
    batches = frame.loc[dates <= pd.Timestamp(day), "batch"].dropna()
    return int(batches.max()) if len(batches) else None


@cache
def _province_names() -> dict[str, str]:
    """Province code → the short name the lists use (浙江)."""
    out: dict[str, str] = {}
    for text, code in sorted(province_texts().items(), key=lambda item: len(item[0])):
        out.setdefault(code, text)
    return out


def entries(inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per list type, batch and listed entity (a line printed twice counts once), with its sources."""
    frames = []
    for filing_type, list_type in MIIT_LIST_TYPES.items():
        identity = [k for k in get_contract(filing_type).key if k != "batch"]
        frame = input_frame(inputs, filing_type, ("batch", *identity, "region", "province", "source_sha256"))
        frame = frame[frame["batch"].notna()]
        frames.append(frame.assign(list_type=list_type, entity_id=entity_id(frame, identity)))
    listed = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    for column in PRODUCT_COLUMNS:
        if column not in listed:
            listed[column] = None
    keys = ["list_type", "batch", "entity_id"]
    distinct = listed.loc[:, [*keys, "source_sha256"]].drop_duplicates()
    several = distinct.duplicated(keys, keep=False)  # a line filed in two filings (rare): join their SHAs
    sources = pd.concat([
        distinct[~several].rename(columns={"source_sha256": SOURCE_SHA256S.name}),
        join_sources(distinct[several], keys),
    ]).astype({SOURCE_SHA256S.name: "string"})  # fmt: skip
    first = listed.sort_values(keys, kind="mergesort").drop_duplicates(keys)
    return first.drop(columns="source_sha256").merge(sources, on=keys, how="left")


def placed_entries(inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`entries` with PLACEMENT_COLUMNS beside each row."""
    listed = entries(inputs).reset_index(drop=True)
    placed = place_frame(listed["entity_name"], listed["province"], listed["region"])
    return pd.concat([listed, placed], axis=1)


def _names(code_column: pd.Series) -> pd.Series:
    named = divisions()
    return code_column.map(lambda c: named[c].name if isinstance(c, str) and c in named else None)


def derive_entry_places(
    inputs: Mapping[str, pd.DataFrame], params: object = None, years: Iterable[int] | None = None
) -> pd.DataFrame:
    placed = placed_entries(inputs)
    if not len(placed):
        return ENTRY_PLACES.empty_frame()
    is_placed = placed["city_code"].notna()
    province = placed["province"].astype(object).where(placed["province"].notna(), UNKNOWN_PROVINCE)
    out = placed.assign(
        region_code=placed["city_code"].where(is_placed, province),
        region_level=is_placed.map({True: "city", False: "province"}),
        city_name=_names(placed["city_code"]),
        county_name=_names(placed["county_code"]),
        divisions_vintage=DIVISIONS_VINTAGE,
    )
    return finalize(out, ENTRY_PLACES)


def _memberships(placed: pd.DataFrame) -> pd.DataFrame:
    """Each entry once nationally, once for its province and, when placed, once for its city."""
    province = placed["province"].astype(object).where(placed["province"].notna(), UNKNOWN_PROVINCE)
    city = placed[placed["city_code"].notna()]
    return pd.concat(
        [
            placed.assign(region_code=NATIONAL, region_level="national"),
            placed.assign(region_code=province, region_level="province"),
            city.assign(region_code=city["city_code"], region_level="city"),
        ],
        ignore_index=True,
    ).assign(is_unplaced=lambda f: f["city_code"].isna() & (f["region_level"] != "city"))


def _counts_at(members: pd.DataFrame, first: pd.DataFrame, batch: int) -> pd.DataFrame:
    """Per group (region and list type): entities listed in `batch`, and those listed in it or before
    (`first`: each entity at its first listing), with the unplaced among them."""
    parts = {
        "entities": members[members["batch"] == batch],
        "cumulative_entities": first[first["batch"] <= batch],
    }
    counted = [frame.groupby("group")["entity"].nunique().rename(name) for name, frame in parts.items()]
    counted += [frame[frame["is_unplaced"]].groupby("group")["entity"].nunique().rename(f"unplaced_{name}")
                for name, frame in parts.items()]  # fmt: skip
    return pd.concat(counted, axis=1).reset_index().assign(batch=batch)


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """The four list types and their sum (ALL): a product and a factory are two listings."""
    numbers = ["entities", "cumulative_entities", "unplaced_entities", "unplaced_cumulative_entities"]
    total = counts.groupby(["batch", "region_code", "region_level"], as_index=False)[numbers].sum()
    return pd.concat([counts, total.assign(list_type=ALL)], ignore_index=True)


def _ranks(out: pd.DataFrame) -> pd.DataFrame:
    """Competition rank (1, 2, 2, 4) of prefecture-level cities by entities listed up to the batch."""
    ranked = (out["city_kind"] == RANKED_KIND) & (out["cumulative_entities"] > 0)
    groups = [out["batch"], out["list_type"]]
    rank = out["cumulative_entities"].where(ranked).groupby(groups).rank(method="min", ascending=False)
    return out.assign(rank_among_cities=rank, cities_ranked=ranked.groupby(groups).transform("sum"))


def _sources(placed: pd.DataFrame, batches: list[int]) -> pd.DataFrame:
    """(batch, list type) → the filings holding that list's rows of the batch or an earlier one."""
    pairs = placed.loc[:, ["list_type", "batch", SOURCE_SHA256S.name]].dropna()
    rows = []
    for batch in batches:
        upto = pairs[pairs["batch"] <= batch]
        for list_type in [*MIIT_LIST_TYPES.values(), ALL]:
            chosen = upto if list_type == ALL else upto[upto["list_type"] == list_type]
            shas = sorted(
                {s for joined in chosen[SOURCE_SHA256S.name] for s in joined.split(SOURCE_SEPARATOR)}
            )
            rows.append(
                {"batch": batch, "list_type": list_type, SOURCE_SHA256S.name: SOURCE_SEPARATOR.join(shas)}
            )
    return pd.DataFrame(rows)


def _describe_regions(out: pd.DataFrame) -> pd.DataFrame:
    named, provinces = divisions(), _province_names()
    is_city = out["region_level"] == "city"
    city = out["region_code"].where(is_city)
    return out.assign(
        region_name=_names(city).where(is_city, out["region_code"]),
        province=city.map(lambda c: provinces[named[c].province_code] if isinstance(c, str) else None).where(
            is_city, out["region_code"].where(out["region_level"] == "province")
        ),
        city_kind=city.map(lambda c: named[c].city_kind if isinstance(c, str) else None),
    )


def derive_city_counts(
    inputs: Mapping[str, pd.DataFrame], params: object = None, years: Iterable[int] | None = None
) -> pd.DataFrame:
    placed = placed_entries(inputs)
    if not len(placed):
        return CITY_COUNTS.empty_frame()
    members = _memberships(placed.assign(entity=pd.factorize(placed["entity_id"])[0]))
    keys = ["region_code", "region_level", "list_type"]
    members = members.assign(group=members.groupby(keys, sort=False).ngroup())  # integers group fast
    first = members.sort_values("batch", kind="mergesort").drop_duplicates(["group", "entity"])
    batches = sorted(int(b) for b in placed["batch"].unique())
    counts = pd.concat([_counts_at(members, first, batch) for batch in batches], ignore_index=True)
    groups = members.drop_duplicates("group").loc[:, ["group", *keys]]
    counts = counts.merge(groups, on="group").drop(columns="group")
    regions = counts.loc[:, ["region_code", "region_level"]].drop_duplicates()
    types = pd.DataFrame({"list_type": list(MIIT_LIST_TYPES.values())})
    grid = regions.merge(types, how="cross").merge(pd.DataFrame({"batch": batches}), how="cross")
    out = _with_totals(grid.merge(counts, on=[*COUNT_KEY, "region_level"], how="left").fillna(0))
    out = _ranks(_describe_regions(out))
    shown = out["region_level"] != "city"
    share = (
        100
        * out["unplaced_cumulative_entities"]
        / out["cumulative_entities"].where(out["cumulative_entities"] > 0)
    )
    out = out.assign(
        unplaced_entities=out["unplaced_entities"].where(shown),
        cumulative_unplaced_entities=out["unplaced_cumulative_entities"].where(shown),
        unplaced_share_pct=share.where(shown).round(2),
        published_date=pd.to_datetime(out["batch"].map(published_dates())),
        divisions_vintage=DIVISIONS_VINTAGE,
    ).merge(_sources(placed, batches), on=["batch", "list_type"], how="left")
    return finalize(out, CITY_COUNTS)


_LIST_TYPE = Column("list_type", "string", "Green manufacturing list.", codes="list_types")
_VINTAGE = Column("divisions_vintage", "string", "Divisions the placement used: GB/T 2260 and its vintage.")
_ENTITIES = "entities (a product counts as enterprise + product + model; a re-listed entity once)"

ENTRY_PLACES = DatasetDefinition(
    name="miit_entry_places",
    title="MIIT list entries placed in their cities",
    description=(
        "Every entry of the national MIIT lists (all batches), placed in its prefecture-level city by the "
        "place names in its name, with the method: the text matched and its level, or why it stays "
        "unplaced. Province from the region column; municipalities and separately planned cities from the "
        "region column itself. Placement is deliberately cautious (a wrong city is worse than none), so "
        "many entries stay unplaced and city counts built on it are lower bounds."
    ),
    formula=(
        "greenmfg.places: place names read leftmost-longest; full names count anywhere, short forms where "
        "names put places, district short forms only with their city or before a park word; an entry is "
        "placed only when all its place names agree on one city of its province."
    ),
    columns=(
        _LIST_TYPE,
        Column("batch", "int", "MIIT batch (1–7)."),
        Column("entity_name", "string", "Enterprise or park name as listed."),
        Column("product_name", "string", "Design products: product name.", nullable=True),
        Column("product_model", "string", "Design products: product model.", nullable=True),
        Column(
            "region", "string", "Region normalised (province, or separately planned city).", nullable=True
        ),
        Column("province", "string", "Province the region belongs to.", nullable=True),
        replace(
            REGION_CODE,
            description="The city's GB/T 2260 code when placed, else the province (未知 when unknown).",
        ),
        replace(REGION_LEVEL, description="city when placed, else province."),
        Column(
            "city_code",
            "string",
            "GB/T 2260 code of the prefecture-level city (or municipality, or "
            "county-level unit under the province) the entry is placed in.",
            nullable=True,
        ),
        Column("city_name", "string", "Name of city_code.", nullable=True),
        Column("county_code", "string", "County-level division when the name resolves it.", nullable=True),
        Column("county_name", "string", "Name of county_code.", nullable=True),
        Column(
            "place_method",
            "string",
            "name (place names in the entity name) or region (the region "
            "column names the city: municipality, separately planned city).",
            nullable=True,
        ),
        Column("matched_name", "string", "The text that placed the entry.", nullable=True),
        Column(
            "matched_level",
            "string",
            "Level of the matched text: city, county, town or municipality.",
            nullable=True,
        ),
        Column(
            "unplaced_reason",
            "string",
            f"Why the entry is not placed: one of {list(UNPLACED_REASONS)}.",
            nullable=True,
        ),
        _VINTAGE,
        SOURCE_SHA256S,
    ),
    key=ENTRY_KEY,
    inputs=tuple(MIIT_LIST_TYPES),
    derive=derive_entry_places,
)

CITY_COUNTS = DatasetDefinition(
    name="miit_city_counts",
    title="MIIT list entries per city, with city rankings",
    description=(
        "MIIT list entries placed by name (miit_entry_places) per prefecture-level city, list type and "
        "batch, with the entries listed up to each batch: the lists in force from the batch's publication "
        "date until the next batch (batches 1–5 for 2020). Province and national rows carry the unplaced "
        "entries beside the totals. LOWER BOUNDS: an entry whose name holds no usable place name counts "
        "for no city, so a city's true count is at least this; compare cities with the unplaced share of "
        "their province. Municipalities and the five separately planned cities (宁波, 青岛, 大连, 厦门, "
        "深圳) are named by the region column itself, so all their entries are placed and they rank "
        "higher than cities placed by names alone."
    ),
    formula=(
        "entities = distinct entities listed in the batch; cumulative_entities = distinct entities "
        "listed in this batch or before; list_type ALL = the sum of the four lists; rank_among_cities = "
        "competition rank (1, 2, 2, 4) of prefecture-level cities by cumulative_entities within batch "
        "and list type (cities with none, municipalities and county-level units under a province are "
        "not ranked); unplaced_share_pct = 100 × cumulative_unplaced_entities / cumulative_entities."
    ),
    columns=(
        Column("batch", "int", "MIIT batch (1–7): counts are of the lists as of this batch."),
        Column(
            "published_date",
            "date",
            "Date MIIT published the batch: the counts are in force from it.",
            nullable=True,
        ),
        replace(REGION_CODE, description="GB/T 2260 code of a city, a province's name, or 全国 (national)."),
        REGION_LEVEL,
        Column("region_name", "string", "Name of the city, province or 全国."),
        Column("province", "string", "Province of the city or province row.", nullable=True),
        Column(
            "city_kind",
            "string",
            "City rows: prefecture (ranked), municipality, or province-administered "
            "(a county-level unit under the province, 仙桃).",
            nullable=True,
        ),
        Column("list_type", "string", "Green manufacturing list, or ALL for the four together."),
        Column(
            "entities", "int", f"Entities listed in the batch and placed here: {_ENTITIES}.", unit="entities"
        ),
        Column(
            "cumulative_entities",
            "int",
            f"Entities listed in this batch or before and placed here: "
            f"{_ENTITIES}. A lower bound for cities.",
            unit="entities",
        ),
        Column(
            "unplaced_entities",
            "int",
            "Province and national rows: entities of the batch placed in no city.",
            unit="entities",
            nullable=True,
        ),
        Column(
            "cumulative_unplaced_entities",
            "int",
            "Province and national rows: entities listed up to the batch placed in no city.",
            unit="entities",
            nullable=True,
        ),
        Column(
            "unplaced_share_pct",
            "float",
            "Province and national rows: share of the entities listed up to the batch placed in no city.",
            unit="pct",
            nullable=True,
        ),
        Column(
            "rank_among_cities",
            "int",
            "Prefecture-level cities: competition rank by cumulative_entities "
            "(1 = most), a rank of lower bounds.",
            nullable=True,
        ),
        Column(
            "cities_ranked",
            "int",
            "Prefecture-level cities with at least one entity placed, in the batch and list type.",
        ),
        _VINTAGE,
        SOURCE_SHA256S,
    ),
    key=tuple(COUNT_KEY),
    inputs=tuple(MIIT_LIST_TYPES),
    derive=derive_city_counts,
)
