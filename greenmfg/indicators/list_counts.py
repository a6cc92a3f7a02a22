"""green_list_counts: green-manufacturing list members, from the city register and the MIIT national lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from greenmfg import codes
from greenmfg.cities import CityProfile, load_profile
from greenmfg.contracts import MIIT_REMOVALS, get_contract
from greenmfg.contracts.model import Column
from greenmfg.indicators import membership
from greenmfg.indicators.common import (
    REGION_CODE,
    REGION_LEVEL,
    SOURCE_SEPARATOR,
    SOURCE_SHA256S,
    YEAR,
    entity_id,
    finalize,
    in_force_at_year_end,
    input_frame,
    join_sources,
    only_years,
    with_region_levels,
    year_sources,
)
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy

NATIONAL = "全国"
UNKNOWN_PROVINCE = "未知"
MIIT_LIST_TYPES: dict[str, str] = {
    "miit_green_factories": "green_factory",
    "miit_green_parks": "green_park",
    "miit_green_supply_chain": "green_supply_chain",
    "miit_green_design_products": "green_design_product",
}
REGISTER_COLUMNS = ("year", "list_type", "tier", "credit_code", "entity_name", "product_name",
                    "product_model", "district_code", "valid_from_date", "valid_to_date", "is_revoked",
                    "source_sha256")
REGISTER_KEY = ["year", "region_code", "region_level", "list_type", "tier"]
REGION = ["region_code", "region_level"]
BATCH_FLOWS = ("entities", "entries", "rank_among_provinces")
"""Counts of one batch as published: on the batch's own row only, empty on a removal notice's row."""


def _city_regions(city: CityProfile) -> pd.DataFrame:
    """The city total and its districts, as region rows."""
    return pd.DataFrame({"region_code": list(city.region_codes()),
                         "region_level": ["city", *["district"] * len(city.districts)]})  # fmt: skip


def _city_grid(years: pd.Series, city: CityProfile) -> pd.DataFrame:
    """Every year × region (city and districts) × list type × tier, so absent combinations count 0."""
    grid = pd.DataFrame({"year": years.dropna().unique()})
    for name, values in (("list_type", codes.values("list_types")), ("tier", codes.values("tiers"))):
        grid = grid.merge(pd.DataFrame({name: list(values)}), how="cross")
    return grid.merge(_city_regions(city), how="cross")


def register_counts(register: pd.DataFrame, city: CityProfile) -> pd.DataFrame:
    """Distinct entities in force at each year's end, by district and city, list type and tier."""
    live = register[in_force_at_year_end(register)]
    identity = live["credit_code"].astype("string").fillna(live["entity_name"].astype("string"))
    live = live.assign(entity_id=entity_id(live.assign(identity=identity),
                                            ["identity", "product_name", "product_model"]))
    counted = with_region_levels(live, city.code).groupby(REGISTER_KEY, sort=False)["entity_id"].nunique()
    grid = _city_grid(register["year"], city)
    out = grid.merge(counted.rename("entities").reset_index(), on=REGISTER_KEY, how="left")
    out["entities"] = out["entities"].fillna(0)
    out = out.merge(join_sources(year_sources(register, grid.loc[:, REGISTER_KEY]), REGISTER_KEY),
                    on=REGISTER_KEY, how="left")
    return out.assign(source_list="register", batch=pd.NA, as_of_date=pd.NaT, entries=pd.NA,
                      cumulative_entities=pd.NA, removed_entities=pd.NA, in_force_entities=pd.NA,
                      rank_among_provinces=pd.NA)


def _stack_regions(frame: pd.DataFrame, city: CityProfile) -> pd.DataFrame:
    """Each MIIT row once nationally, once for its province and, when placed in the city, per district and
    for the city."""
    placed = frame[frame["district_code"].notna()]
    return pd.concat(
        [
            frame.assign(region_code=NATIONAL, region_level="national"),
            frame.assign(region_code=frame["province"].astype("string").fillna(UNKNOWN_PROVINCE),
                         region_level="province"),
            with_region_levels(placed, city.code),
        ],
        ignore_index=True,
    )


def _point_sources(frame: pd.DataFrame, points: pd.DataFrame, notices: pd.DataFrame) -> pd.Series:
    """Per as-of point: the list's filings holding rows of its batch or an earlier one, and the notices
    dated by then."""
    pairs = frame.loc[:, ["batch", "source_sha256"]].dropna().drop_duplicates()
    joined = []
    for point in points.itertuples():
        shas = set(pairs.loc[pairs["batch"] <= point.batch, "source_sha256"].astype(str))
        shas |= membership.notice_sources(notices, point.as_of_date)
        joined.append(SOURCE_SEPARATOR.join(sorted(shas)))
    return pd.Series(joined, index=points.index, dtype="string")


def _per_batch(stacked: pd.DataFrame, regions: pd.DataFrame, batches: list[int]) -> pd.DataFrame:
    """Per region and batch as published: entities listed, lines printed, entities listed up to the batch,
    and the province's rank by entities."""
    grid = regions.merge(pd.DataFrame({"batch": batches}), how="cross")
    by_batch = stacked.groupby([*REGION, "batch"], sort=False)["entity_id"]
    listed = pd.concat([by_batch.nunique().rename("entities"), by_batch.size().rename("entries")], axis=1)
    first = stacked.groupby([*REGION, "entity_id"], sort=False)["batch"].min().reset_index()
    new = first.groupby([*REGION, "batch"], sort=False).size().rename("new_entities")
    out = grid.merge(listed.reset_index(), on=[*REGION, "batch"], how="left")
    out = out.merge(new.reset_index(), on=[*REGION, "batch"], how="left").fillna(
        {"entities": 0, "entries": 0, "new_entities": 0})
    out = out.sort_values([*REGION, "batch"], kind="mergesort")
    out["cumulative_entities"] = out.groupby(REGION, sort=False)["new_entities"].cumsum()
    ranked = (out["region_level"] == "province") & (out["region_code"] != UNKNOWN_PROVINCE)
    out["rank_among_provinces"] = out["entities"].where(ranked).groupby(out["batch"]).rank(
        method="min", ascending=False)
    return out


def miit_list_counts(
    frame: pd.DataFrame, list_type: str, city: CityProfile, notices: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per as-of point and region: the batch's entities as listed, the entities listed up to it, and those
    of them in force at the point's date (removals taken off), with the province's rank."""
    notices = membership.removals({}) if notices is None else notices
    if "removed_date" not in frame:
        frame = pd.concat([frame, membership.removed(frame, notices)], axis=1)
    batches = sorted(int(b) for b in frame["batch"].dropna().unique())
    stacked = _stack_regions(frame, city)
    regions = pd.concat([stacked.loc[:, REGION].drop_duplicates(), _city_regions(city)]).drop_duplicates()
    points = membership.as_of_points(batches, notices)
    out = points.merge(_per_batch(stacked, regions, batches), on="batch", how="left")
    in_force = []
    for point in points.itertuples():
        live = stacked[membership.in_force(stacked, point.batch, point.as_of_date)]
        counted = live.groupby(REGION, sort=False)["entity_id"].nunique().rename("in_force_entities")
        in_force.append(counted.reset_index().assign(batch=point.batch, as_of_date=point.as_of_date))
    keys = [*REGION, "batch", "as_of_date"]
    out = out.merge(pd.concat(in_force, ignore_index=True), on=keys, how="left")
    out["in_force_entities"] = out["in_force_entities"].fillna(0)
    out["removed_entities"] = out["cumulative_entities"] - out["in_force_entities"]
    for column in BATCH_FLOWS:
        out[column] = out[column].where(out["is_batch_row"])
    sources = _point_sources(frame, points, notices).rename(SOURCE_SHA256S.name)
    out = out.merge(pd.concat([points, sources], axis=1), on=["as_of_date", "batch", "is_batch_row"],
                    how="left")
    return out.assign(source_list="miit", year=pd.NA, list_type=list_type, tier="national")


def miit_counts(inputs: Mapping[str, pd.DataFrame], city: CityProfile) -> list[pd.DataFrame]:
    notices = membership.removals(inputs)
    frames = []
    for filing_type, list_type in MIIT_LIST_TYPES.items():
        identity = [k for k in get_contract(filing_type).key if k != "batch"]
        frame = input_frame(inputs, filing_type,
                            ("batch", *identity, "province", "district_code", "source_sha256"))
        frame = frame[frame["batch"].notna()]
        if len(frame):
            frame = frame.assign(list_type=list_type, entity_id=entity_id(frame, identity))
            own = notices[notices["list_type"] == list_type]
            frames.append(miit_list_counts(frame, list_type, city, own))
    return frames


def derive(inputs: Mapping[str, pd.DataFrame], params: Policy,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    city = load_profile(params.city_code)
    register = only_years(input_frame(inputs, "green_register", REGISTER_COLUMNS), years)
    frames = [register_counts(register, city)] if len(register) else []
    frames += miit_counts(inputs, city)
    if not frames:
        return DEFINITION.empty_frame()
    return finalize(pd.concat(frames, ignore_index=True), DEFINITION)


DEFINITION = DatasetDefinition(
    name="green_list_counts",
    title="Green manufacturing list counts",
    description=(
        "Members of the green manufacturing lists. source_list=register: entities of the city's register "
        "in force at the end of `year`, by district and city total, list type and tier (all tiers, no star "
        "filter; zeros explicit). source_list=miit: the national MIIT lists (year empty) as of each batch's "
        "publication and each removal notice's date (`as_of_date`), nationally (全国), per province "
        "(separately planned cities counted in their province) and for the city's entities placed by name "
        "(district and city; a lower bound, as many names carry no place). Per-batch counts (entities, "
        "entries) stay as published; in_force_entities drops after a removal. MIIT rows are always all "
        "batches, whatever years were asked for."
    ),
    formula=(
        "register: entities = distinct (credit_code, else entity_name; + product_name + product_model) "
        "with valid_from_date ≤ Y-12-31 ≤ valid_to_date or open. miit: entities = distinct listed "
        "entities (the contract key without batch) in the batch; entries = rows of the batch; "
        "cumulative_entities = distinct entities listed in this batch or earlier; in_force_entities = those "
        "of them with a listing not removed by as_of_date (a removal notice takes effect on its date; a "
        "notice naming no model removes every model of the product); removed_entities = cumulative_entities "
        "− in_force_entities; rank_among_provinces = competition rank (1, 2, 2, 4) by entities within batch "
        "and list type, provinces only, unknown province not ranked."
    ),
    columns=(
        Column("source_list", "string",
               "register (the city's accreditation register) or miit (national lists)."),
        replace(YEAR, description="Year of the register status (31 December); empty for MIIT rows.",
                nullable=True),
        Column("batch", "int", "MIIT batch (1–7): the latest batch published by as_of_date; empty for "
               "register rows.", nullable=True),
        Column("as_of_date", "date", "MIIT: the date the counts are taken at, the batch's publication date "
               "or a removal notice's date; empty for register rows.", nullable=True),
        REGION_CODE, REGION_LEVEL,
        Column("list_type", "string", "Green manufacturing list.", codes="list_types"),
        Column("tier", "string", "Accrediting level (MIIT rows are national).", codes="tiers"),
        Column("entities", "int", "Entities in force at year end (register) or listed in the batch (MIIT, on "
               "the batch's own row; empty on a removal notice's row).", unit="entities", nullable=True),
        Column("entries", "int", "MIIT: lines of the batch as published, a duplicated line included "
               "(comparable with the official batch count); the batch's own row only.", unit="entries",
               nullable=True),
        Column("cumulative_entities", "int",
               "MIIT: distinct entities listed in this batch or an earlier one, as published.",
               unit="entities", nullable=True),
        Column("removed_entities", "int", "MIIT: of cumulative_entities, those removed by a notice dated on "
               "or before as_of_date.", unit="entities", nullable=True),
        Column("in_force_entities", "int", "MIIT: entities on the lists in force at as_of_date: "
               "cumulative_entities − removed_entities.", unit="entities", nullable=True),
        Column("rank_among_provinces", "int", "MIIT province rows: competition rank by entities in the batch "
               "(1 = most).", nullable=True),
        SOURCE_SHA256S,
    ),
    key=("source_list", "year", "batch", "as_of_date", "region_code", "list_type", "tier"),
    inputs=("green_register", *MIIT_LIST_TYPES, MIIT_REMOVALS),
    derive=derive,
)
