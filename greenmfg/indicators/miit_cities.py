"""miit_entry_places and miit_city_counts: every MIIT entry placed in its city by name, and city rankings.

Placement is greenmfg.places (the same rules give parsing's district_code). Counts are lower bounds: an
entry whose name holds no usable place name is counted in its province's unplaced entries. Membership is
effective-dated (greenmfg.indicators.membership): rankings count the entries in force at each date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache

import pandas as pd

from greenmfg.contracts import MIIT_REMOVALS, get_contract
from greenmfg.contracts.model import Column
from greenmfg.indicators import membership
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
COUNT_KEY = ["batch", "as_of_date", "region_code", "list_type"]


def rows_in_force(frame: pd.DataFrame, day: str | None) -> pd.DataFrame:
    """The rows of a miit_city_counts frame (or green_list_counts' MIIT rows) taken at the latest as_of_date
    on or before `day` (ISO date; the latest of all when None): the lists in force that day."""
    dates = pd.to_datetime(frame["as_of_date"]) if len(frame) else pd.Series(dtype="datetime64[s]")
    known = dates.dropna()
    if day is not None:
        known = known[known <= pd.Timestamp(day)]
    return frame[dates == known.max()] if len(known) else frame.iloc[0:0]


@cache
def _province_names() -> dict[str, str]:
    """Province code → the short name the lists use (浙江)."""
    out: dict[str, str] = {}
    for text, code in sorted(province_texts().items(), key=lambda item: len(item[0])):
        out.setdefault(code, text)
    return out


def entries(inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per list type, batch and listed entity (a line printed twice counts once), with its sources,
    the date it is in force from and the date a removal notice took it off the lists."""
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
    out = first.drop(columns="source_sha256").merge(sources, on=keys, how="left")
    dates = membership.published_dates()
    out["valid_from_date"] = pd.to_datetime(out["batch"].map(dates)).astype("datetime64[s]")
    out = pd.concat([out, membership.removed(out, membership.removals(inputs))], axis=1)
    removal = out["removal_sha256"].notna()
    out.loc[removal, SOURCE_SHA256S.name] = (
        out.loc[removal, SOURCE_SHA256S.name] + SOURCE_SEPARATOR + out.loc[removal, "removal_sha256"]
    )
    return out.drop(columns="removal_sha256")


def unmatched_removals(inputs: Mapping[str, pd.DataFrame]) -> list[dict]:
    """The removal notices' rows that name no listed entry — a misspelt name, a wrong batch or list, or a
    list not filed — as {list_type, batch, entity_name, product_name, product_model, notice_date,
    source_sha256, source_row}: they remove nothing, so the in-force counts keep the entry they meant."""
    notices = membership.removals(inputs)
    if notices.empty:
        return []
    missed = membership.unmatched(entries(inputs), notices)
    records = []
    for row in missed.sort_values(["source_sha256", "source_row"], kind="mergesort").itertuples(index=False):
        record = {
            c: (None if pd.isna(getattr(row, c)) else getattr(row, c)) for c in membership.REMOVAL_COLUMNS
        }
        record["batch"] = int(record["batch"])
        record["source_row"] = None if record["source_row"] is None else int(record["source_row"])
        record["notice_date"] = pd.Timestamp(record["notice_date"]).date().isoformat()
        records.append(record)
    return records


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


def _counts_at(members: pd.DataFrame, first: pd.DataFrame, point) -> pd.DataFrame:
    """Per group (region and list type) at an as-of point: entities listed in its batch, those listed in it
    or before (`first`: each entity at its first listing), those of them in force at its date, and the
    unplaced among them."""
    parts = {
        "entities": members[members["batch"] == point.batch],
        "cumulative_entities": first[first["batch"] <= point.batch],
        "in_force_entities": members[membership.in_force(members, point.batch, point.as_of_date)],
    }
    counted = [frame.groupby("group")["entity"].nunique().rename(name) for name, frame in parts.items()]
    counted += [frame[frame["is_unplaced"]].groupby("group")["entity"].nunique().rename(f"unplaced_{name}")
                for name, frame in parts.items() if name != "in_force_entities"]  # fmt: skip
    return pd.concat(counted, axis=1).reset_index().assign(batch=point.batch, as_of_date=point.as_of_date)


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """The four list types and their sum (ALL): a product and a factory are two listings."""
    numbers = ["entities", "cumulative_entities", "in_force_entities", "unplaced_entities",
               "unplaced_cumulative_entities"]  # fmt: skip
    keys = ["batch", "as_of_date", "region_code", "region_level"]
    total = counts.groupby(keys, as_index=False, dropna=False)[numbers].sum()
    return pd.concat([counts, total.assign(list_type=ALL)], ignore_index=True)


def _ranks(out: pd.DataFrame) -> pd.DataFrame:
    """Competition rank (1, 2, 2, 4) of prefecture-level cities by entities in force at the point's date."""
    ranked = (out["city_kind"] == RANKED_KIND) & (out["in_force_entities"] > 0)
    groups = [out["batch"], out["as_of_date"].fillna(pd.Timestamp(0)), out["list_type"]]
    rank = out["in_force_entities"].where(ranked).groupby(groups).rank(method="min", ascending=False)
    return out.assign(rank_among_cities=rank, cities_ranked=ranked.groupby(groups).transform("sum"))


def _sources(placed: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """(as-of point, list type) → the filings holding that list's rows of the batch or an earlier one,
    and the removal notices dated by then that took one of them off."""
    pairs = placed.loc[:, ["list_type", "batch", "removed_date", SOURCE_SHA256S.name]].dropna(
        subset=["batch", SOURCE_SHA256S.name]
    )
    rows = []
    for point in points.itertuples():
        upto = pairs[pairs["batch"] <= point.batch]
        for list_type in [*MIIT_LIST_TYPES.values(), ALL]:
            chosen = upto if list_type == ALL else upto[upto["list_type"] == list_type]
            shas = {s for joined in chosen[SOURCE_SHA256S.name] for s in joined.split(SOURCE_SEPARATOR)}
            later = chosen["removed_date"].notna() & ~(chosen["removed_date"] <= point.as_of_date)
            shas -= {joined.split(SOURCE_SEPARATOR)[-1] for joined in chosen.loc[later, SOURCE_SHA256S.name]}
            rows.append({"batch": point.batch, "as_of_date": point.as_of_date, "list_type": list_type,
                         SOURCE_SHA256S.name: SOURCE_SEPARATOR.join(sorted(shas))})  # fmt: skip
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
    points = membership.as_of_points(batches, membership.removals(inputs))
    counts = pd.concat([_counts_at(members, first, p) for p in points.itertuples()], ignore_index=True)
    groups = members.drop_duplicates("group").loc[:, ["group", *keys]]
    counts = counts.merge(groups, on="group").drop(columns="group")
    regions = counts.loc[:, ["region_code", "region_level"]].drop_duplicates()
    types = pd.DataFrame({"list_type": list(MIIT_LIST_TYPES.values())})
    grid = regions.merge(types, how="cross").merge(points.loc[:, ["batch", "as_of_date"]], how="cross")
    numbers = ["entities", "cumulative_entities", "in_force_entities", "unplaced_entities",
               "unplaced_cumulative_entities"]  # fmt: skip
    out = grid.merge(counts, on=[*COUNT_KEY, "region_level"], how="left").fillna(dict.fromkeys(numbers, 0))
    out = _ranks(_describe_regions(_with_totals(out).merge(points, on=["batch", "as_of_date"], how="left")))
    shown = out["region_level"] != "city"
    share = (
        100
        * out["unplaced_cumulative_entities"]
        / out["cumulative_entities"].where(out["cumulative_entities"] > 0)
    )
    on_batch_row = out["is_batch_row"].astype(bool)
    out = out.assign(
        entities=out["entities"].where(on_batch_row),
        unplaced_entities=out["unplaced_entities"].where(shown & on_batch_row),
        cumulative_unplaced_entities=out["unplaced_cumulative_entities"].where(shown),
        removed_entities=out["cumulative_entities"] - out["in_force_entities"],
        unplaced_share_pct=share.where(shown).round(2),
        published_date=pd.to_datetime(out["batch"].map(membership.published_dates())),
        divisions_vintage=DIVISIONS_VINTAGE,
    ).merge(_sources(placed, points), on=["batch", "as_of_date", "list_type"], how="left")
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
        "many entries stay unplaced and city counts built on it are lower bounds. Each entry is in force "
        "from its batch's publication date until a removal notice (动态调整) names it."
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
        Column(
            "valid_from_date",
            "date",
            "Date the batch was published: the entry is in force from it.",
            nullable=True,
        ),
        Column(
            "removed_date",
            "date",
            "Date of the removal notice that took the entry off the list (in "
            "force until the day before); empty while it is listed.",
            nullable=True,
        ),
        _VINTAGE,
        replace(SOURCE_SHA256S, description=f"{SOURCE_SHA256S.description} The removal notice last."),
    ),
    key=ENTRY_KEY,
    inputs=(*MIIT_LIST_TYPES, MIIT_REMOVALS),
    derive=derive_entry_places,
)

CITY_COUNTS = DatasetDefinition(
    name="miit_city_counts",
    title="MIIT list entries per city, with city rankings",
    description=(
        "MIIT list entries placed by name (miit_entry_places) per prefecture-level city and list type, as of "
        "each batch's publication and each removal notice's date (as_of_date): the entries listed up to the "
        "batch, and those of them still in force (a removal notice takes entries off; batches 1–5 for "
        "2020). Rankings count the entries in force. Province and national rows carry the unplaced "
        "entries beside the totals. LOWER BOUNDS: an entry whose name holds no usable place name counts "
        "for no city, so a city's true count is at least this; compare cities with the unplaced share of "
        "their province. Municipalities and the five separately planned cities (宁波, 青岛, 大连, 厦门, "
        "深圳) are named by the region column itself, so all their entries are placed and they rank "
        "higher than cities placed by names alone."
    ),
    formula=(
        "entities = distinct entities listed in the batch (on the batch's row); cumulative_entities = "
        "distinct entities listed in this batch or before; in_force_entities = those of them with a listing "
        "not removed by as_of_date; removed_entities = cumulative_entities − in_force_entities; list_type "
        "ALL = the sum of the four lists; rank_among_cities = competition rank (1, 2, 2, 4) of "
        "prefecture-level cities by in_force_entities within as-of point and list type (cities with none, "
        "municipalities and county-level units under a province are not ranked); unplaced_share_pct = 100 × "
        "cumulative_unplaced_entities / cumulative_entities."
    ),
    columns=(
        Column("batch", "int", "MIIT batch (1–7): the latest batch published by as_of_date."),
        Column(
            "published_date",
            "date",
            "Date MIIT published the batch.",
            nullable=True,
        ),
        Column(
            "as_of_date",
            "date",
            "Date the counts are taken at: the batch's publication date, or a removal notice's date.",
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
            "entities",
            "int",
            f"Entities listed in the batch and placed here: {_ENTITIES}; on the batch's row only (empty on a "
            "removal notice's row).",
            unit="entities",
            nullable=True,
        ),
        Column(
            "cumulative_entities",
            "int",
            f"Entities listed in this batch or before and placed here: "
            f"{_ENTITIES}. A lower bound for cities.",
            unit="entities",
        ),
        Column(
            "removed_entities",
            "int",
            "Of cumulative_entities, those a removal notice dated on or before as_of_date took off.",
            unit="entities",
        ),
        Column(
            "in_force_entities",
            "int",
            "Entities on the lists in force at as_of_date and placed here: cumulative_entities − "
            "removed_entities. A lower bound for cities.",
            unit="entities",
        ),
        Column(
            "unplaced_entities",
            "int",
            "Province and national rows: entities of the batch placed in no city (the batch's row only).",
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
            "Prefecture-level cities: competition rank by in_force_entities "
            "(1 = most), a rank of lower bounds.",
            nullable=True,
        ),
        Column(
            "cities_ranked",
            "int",
            "Prefecture-level cities with at least one entity in force, at the as-of point and list type.",
        ),
        _VINTAGE,
        SOURCE_SHA256S,
    ),
    key=tuple(COUNT_KEY),
    inputs=(*MIIT_LIST_TYPES, MIIT_REMOVALS),
    derive=derive_city_counts,
)
