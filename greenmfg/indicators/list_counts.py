"""green_list_counts: green-manufacturing list members, from the city register and the MIIT national lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from greenmfg import codes
from greenmfg.codes import CITY_CODE
from greenmfg.contracts import get_contract
from greenmfg.contracts.model import Column
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


def _city_grid(years: pd.Series) -> pd.DataFrame:
    """Every year × region (city and districts) × list type × tier, so absent combinations count 0."""
    regions = pd.DataFrame({"region_code": [CITY_CODE, *codes.district_codes()]})
    regions["region_level"] = regions["region_code"].map(lambda c: "city" if c == CITY_CODE else "district")
    grid = pd.DataFrame({"year": years.dropna().unique()})
    for name, values in (("list_type", codes.values("list_types")), ("tier", codes.values("tiers"))):
        grid = grid.merge(pd.DataFrame({name: list(values)}), how="cross")
    return grid.merge(regions, how="cross")


def register_counts(register: pd.DataFrame) -> pd.DataFrame:
    """Distinct entities in force at each year's end, by district and city, list type and tier."""
    live = register[in_force_at_year_end(register)]
    identity = live["credit_code"].astype("string").fillna(live["entity_name"].astype("string"))
    live = live.assign(entity_id=entity_id(live.assign(identity=identity),
                                            ["identity", "product_name", "product_model"]))
    counted = with_region_levels(live).groupby(REGISTER_KEY, sort=False)["entity_id"].nunique()
    grid = _city_grid(register["year"])
    out = grid.merge(counted.rename("entities").reset_index(), on=REGISTER_KEY, how="left")
    out["entities"] = out["entities"].fillna(0)
    out = out.merge(join_sources(year_sources(register, grid.loc[:, REGISTER_KEY]), REGISTER_KEY),
                    on=REGISTER_KEY, how="left")
    return out.assign(source_list="register", batch=pd.NA, entries=pd.NA, cumulative_entities=pd.NA,
                      rank_among_provinces=pd.NA)


def _placed_regions() -> pd.DataFrame:
    districts = [CITY_CODE, *codes.district_codes()]
    return pd.DataFrame({"region_code": districts,
                         "region_level": ["city" if c == CITY_CODE else "district" for c in districts]})


def _stack_regions(frame: pd.DataFrame) -> pd.DataFrame:
    """Each MIIT row once nationally, once for its province and, when placed in Huzhou, per district/city."""
    placed = frame[frame["huzhou_district_code"].notna()]
    return pd.concat(
        [
            frame.assign(region_code=NATIONAL, region_level="national"),
            frame.assign(region_code=frame["province"].astype("string").fillna(UNKNOWN_PROVINCE),
                         region_level="province"),
            with_region_levels(placed, "huzhou_district_code"),
        ],
        ignore_index=True,
    )


def _batch_sources(frame: pd.DataFrame, batches: list[int]) -> pd.DataFrame:
    """Batch → the list's filings holding rows of that batch or an earlier one."""
    pairs = frame.loc[:, ["batch", "source_sha256"]].dropna().drop_duplicates()
    shas = pairs["source_sha256"].astype(str)
    joined = [SOURCE_SEPARATOR.join(sorted(shas[pairs["batch"] <= b].unique())) for b in batches]
    return pd.DataFrame({"batch": batches, SOURCE_SHA256S.name: joined})


def miit_list_counts(frame: pd.DataFrame, list_type: str) -> pd.DataFrame:
    """Per batch and region: entities listed, entities listed up to it, and the province's rank."""
    batches = sorted(int(b) for b in frame["batch"].dropna().unique())
    stacked = _stack_regions(frame)
    regions = pd.concat([stacked.loc[:, REGION].drop_duplicates(), _placed_regions()]).drop_duplicates()
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
    out = out.merge(_batch_sources(frame, batches), on="batch", how="left")
    return out.assign(source_list="miit", year=pd.NA, list_type=list_type, tier="national")


def miit_counts(inputs: Mapping[str, pd.DataFrame]) -> list[pd.DataFrame]:
    frames = []
    for filing_type, list_type in MIIT_LIST_TYPES.items():
        identity = [k for k in get_contract(filing_type).key if k != "batch"]
        frame = input_frame(inputs, filing_type,
                            ("batch", *identity, "province", "huzhou_district_code", "source_sha256"))
        frame = frame[frame["batch"].notna()]
        if len(frame):
            frames.append(miit_list_counts(frame.assign(entity_id=entity_id(frame, identity)), list_type))
    return frames


def derive(inputs: Mapping[str, pd.DataFrame], params: Policy,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    register = only_years(input_frame(inputs, "green_register", REGISTER_COLUMNS), years)
    frames = [register_counts(register)] if len(register) else []
    frames += miit_counts(inputs)
    if not frames:
        return DEFINITION.empty_frame()
    return finalize(pd.concat(frames, ignore_index=True), DEFINITION)


DEFINITION = DatasetDefinition(
    name="green_list_counts",
    title="Green manufacturing list counts",
    description=(
        "Members of the green manufacturing lists. source_list=register: entities of the city's register "
        "in force at the end of `year`, by district and city total (330500), list type and tier (all tiers, "
        "no star filter; zeros explicit). source_list=miit: the national MIIT lists per `batch` (year "
        "empty), nationally (全国), per province (separately planned cities counted in their province) and "
        "for Huzhou entities placed by name (district and city; a lower bound, as many names carry no "
        "place). MIIT rows are always all batches, whatever years were asked for."
    ),
    formula=(
        "register: entities = distinct (credit_code, else entity_name; + product_name + product_model) "
        "with valid_from_date ≤ Y-12-31 ≤ valid_to_date or open. miit: entities = distinct listed "
        "entities (the contract key without batch) in the batch; entries = rows of the batch; "
        "cumulative_entities = distinct entities listed in this batch or earlier; rank_among_provinces = "
        "competition rank (1, 2, 2, 4) by entities within batch and list type, provinces only, unknown "
        "province not ranked."
    ),
    columns=(
        Column("source_list", "string",
               "register (the city's accreditation register) or miit (national lists)."),
        replace(YEAR, description="Year of the register status (31 December); empty for MIIT rows.",
                nullable=True),
        Column("batch", "int", "MIIT batch (1–7); empty for register rows.", nullable=True),
        REGION_CODE, REGION_LEVEL,
        Column("list_type", "string", "Green manufacturing list.", codes="list_types"),
        Column("tier", "string", "Accrediting level (MIIT rows are national).", codes="tiers"),
        Column("entities", "int", "Entities in force at year end (register) or listed in the batch (MIIT).",
               unit="entities"),
        Column("entries", "int", "MIIT: lines of the batch as published, a duplicated line included "
               "(comparable with the official batch count).", unit="entries", nullable=True),
        Column("cumulative_entities", "int",
               "MIIT: distinct entities listed in this batch or an earlier one.", unit="entities",
               nullable=True),
        Column("rank_among_provinces", "int", "MIIT province rows: competition rank by entities in the batch "
               "(1 = most).", nullable=True),
        SOURCE_SHA256S,
    ),
    key=("source_list", "year", "batch", "region_code", "list_type", "tier"),
    inputs=("green_register", *MIIT_LIST_TYPES),
    derive=derive,
)
