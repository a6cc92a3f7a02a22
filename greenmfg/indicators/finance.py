"""green_finance: green-transformation loan applications by year and district."""

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
)
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy

COLUMNS = ("year", "application_no", "credit_code", "district_code", "loan_amount_10k_yuan", "source_sha256")
OUT_KEY = ["year", "region_code", "region_level"]


def derive(inputs: Mapping[str, pd.DataFrame], params: Policy,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    loans = only_years(input_frame(inputs, "green_loans", COLUMNS), years)
    if len(loans) == 0:
        return DEFINITION.empty_frame()
    amounts = loans.assign(amount=loans["loan_amount_10k_yuan"].astype("float64"))
    rolled = with_region_levels(amounts, params.city_code)
    out = rolled.groupby(OUT_KEY, sort=False).agg(
        applicant_enterprises=("credit_code", "nunique"),
        applications=("application_no", "size"),
        loan_total_10k_yuan=("amount", "sum"),
        loan_median_10k_yuan=("amount", "median"),
    ).reset_index()
    out = out.merge(join_sources(rolled, OUT_KEY), on=OUT_KEY, how="left")
    return finalize(out, DEFINITION)


DEFINITION = DatasetDefinition(
    name="green_finance",
    title="Green-transformation loan applications",
    description=(
        "Per year and district (and city total): applicant enterprises, applications and amounts."
    ),
    formula=(
        "applicant_enterprises = distinct credit_code; applications = rows; loan_total_10k_yuan = Σ "
        "loan_amount_10k_yuan; loan_median_10k_yuan = median of loan_amount_10k_yuan over applications. "
        "At city level an enterprise applying in two districts counts once."
    ),
    columns=(
        YEAR, REGION_CODE, REGION_LEVEL,
        Column("applicant_enterprises", "int", "Distinct enterprises that applied.", unit="enterprises"),
        Column("applications", "int", "Loan applications.", unit="applications"),
        Column("loan_total_10k_yuan", "float", "Total amount applied for.", unit="10k_yuan"),
        Column("loan_median_10k_yuan", "float", "Median amount per application.", unit="10k_yuan"),
        SOURCE_SHA256S,
    ),
    key=("year", "region_code"),
    inputs=("green_loans",),
    derive=derive,
)
