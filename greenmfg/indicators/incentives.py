"""incentives: model awards and equipment subsidies by year and district, and grants above the policy caps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from greenmfg.contracts.model import Column
from greenmfg.indicators.common import (
    REGION_CODE,
    REGION_LEVEL,
    SOURCE_SHA256S,
    YEAR,
    finalize,
    input_frame,
    join_sources,
    only_years,
    with_region_levels,
    with_total,
)
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy, exceeds_cap

COLUMNS = ("year", "district_code", "incentive_kind", "equipment_investment_10k_yuan", "amount_10k_yuan",
           "source_sha256")
OUT_KEY = ["year", "region_code", "region_level", "incentive_kind"]
PARAMETERS = ("model_award_cap_10k_yuan", "subsidy_rate_cap", "subsidy_cap_10k_yuan")


def derive(inputs: Mapping[str, pd.DataFrame], params: Policy,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    grants = only_years(input_frame(inputs, "incentives", COLUMNS), years)
    if len(grants) == 0:
        return DEFINITION.empty_frame()
    amount = grants["amount_10k_yuan"].astype("float64")
    caps = params.grant_caps_10k_yuan(
        grants["incentive_kind"], grants["equipment_investment_10k_yuan"], grants["year"]
    )
    excess = amount - caps
    above = pd.Series(exceeds_cap(amount, caps), index=grants.index)
    grants = grants.assign(amount=amount, is_above_cap=above.astype("int64"), excess=excess.where(above, 0.0))

    rolled = with_total(with_region_levels(grants, params.city_code), "incentive_kind")
    out = rolled.groupby(OUT_KEY, sort=False).agg(
        grants=("amount", "size"),
        total_10k_yuan=("amount", "sum"),
        largest_10k_yuan=("amount", "max"),
        above_cap_grants=("is_above_cap", "sum"),
        above_cap_excess_10k_yuan=("excess", "sum"),
    ).reset_index()
    out = out.assign(**{name: params.values_in(name, out["year"]) for name in PARAMETERS})
    out = out.merge(join_sources(rolled, OUT_KEY), on=OUT_KEY, how="left")
    return finalize(out, DEFINITION)


DEFINITION = DatasetDefinition(
    name="incentives",
    title="Incentive awards and equipment subsidies",
    description=(
        "Per year, district (and city total) and incentive kind (and ALL): grants announced, their "
        "total and largest amount, and the grants above the policy caps with the amount by which they "
        "exceed them."
    ),
    formula=(
        "caps of the grant's year: cap = model_award_cap_10k_yuan for a model_award; min(subsidy_rate_cap × "
        "equipment_investment_10k_yuan, subsidy_cap_10k_yuan) for an equipment_subsidy (the absolute cap "
        "alone when no investment is given); a grant is above its cap when amount − cap > 0.01 yuan; "
        "above_cap_excess_10k_yuan = Σ (amount − cap) over those grants."
    ),
    columns=(
        YEAR, REGION_CODE, REGION_LEVEL,
        Column("incentive_kind", "string", "model_award, equipment_subsidy, or ALL for both.",
               codes="incentive_kinds"),
        Column("grants", "int", "Awards or subsidies announced.", unit="grants"),
        Column("total_10k_yuan", "float", "Total amount granted.", unit="10k_yuan"),
        Column("largest_10k_yuan", "float", "Largest single grant.", unit="10k_yuan"),
        Column("above_cap_grants", "int", "Grants above their policy cap.", unit="grants"),
        Column("above_cap_excess_10k_yuan", "float", "Amount granted beyond the caps, summed.",
               unit="10k_yuan"),
        Column("model_award_cap_10k_yuan", "float", "Parameter: cap of a model award.", unit="10k_yuan"),
        Column("subsidy_rate_cap", "float",
               "Parameter: cap of a subsidy as a share of the equipment investment.", unit="ratio"),
        Column("subsidy_cap_10k_yuan", "float", "Parameter: absolute cap of a subsidy.", unit="10k_yuan"),
        SOURCE_SHA256S,
    ),
    key=("year", "region_code", "incentive_kind"),
    inputs=("incentives",),
    parameters=PARAMETERS,
    derive=derive,
)
