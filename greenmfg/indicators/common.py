"""Helpers shared by the indicator formulas: inputs, effective dating, region roll-ups, sources, output."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from greenmfg.contracts import get_contract
from greenmfg.contracts.model import Column
from greenmfg.errors import FilingError
from greenmfg.indicators.model import DatasetDefinition

ALL = "ALL"
SOURCE_SEPARATOR = ";"

# Columns every dataset shares, declared once.
YEAR = Column("year", "int", "Year the row describes (register status at that year's end).")
REGION_CODE = Column(
    "region_code", "string",
    "Region: GB/T 2260 district code, the city's own code for the city total (330500 for Huzhou), or a "
    "province name for national lists.",
)
REGION_LEVEL = Column("region_level", "string", "Level of region_code: district, city, province or national.")
INDUSTRY_DIVISION = Column(
    "industry_division", "string", "GB/T 4754-2017 two-digit division, or ALL for the total of all divisions."
)
SOURCE_SHA256S = Column(
    "source_sha256s", "string",
    "SHA-256s of the archived filings the row was derived from, sorted and joined with ';'.",
)


def input_frame(inputs: Mapping[str, pd.DataFrame], filing_type: str, columns: Iterable[str]) -> pd.DataFrame:
    """The needed columns of a filing type's canonical rows (a new frame); empty and typed when absent."""
    contract = get_contract(filing_type)
    wanted = list(columns)
    frame = inputs.get(filing_type)
    if frame is None or len(frame) == 0:
        dtypes = contract.pandas_dtypes()
        return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in wanted})
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise FilingError(f"indicator input {filing_type}", "canonical columns missing",
                          found=missing, expected=wanted)
    return frame.loc[:, wanted]  # a new frame; copy-on-write (pandas 3) keeps the input unchanged


def entity_id(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string per distinct listed entity (enterprise, park, or enterprise + product + model)."""
    parts = [frame[c].astype("string").fillna("") for c in columns]
    return parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0]


def only_years(frame: pd.DataFrame, years: Iterable[int] | None, column: str = "year") -> pd.DataFrame:
    if years is None:
        return frame
    return frame[frame[column].isin(list(years))]


def in_force_at_year_end(register: pd.DataFrame) -> pd.Series:
    """Accreditations in force on 31 December of the row's year.

    In force when valid_from ≤ Y-12-31 ≤ valid_to (an open valid_to never ends). valid_to is the last
    day in force, whether expiry or revocation; a revoked row without a date is taken as not in force.
    """
    year_end = pd.to_datetime(register["year"].astype("Int64").astype("string") + "-12-31", errors="coerce")
    valid_from = pd.to_datetime(register["valid_from_date"])
    valid_to = pd.to_datetime(register["valid_to_date"])
    started = (valid_from <= year_end).fillna(False)
    not_ended = (valid_to.isna() | (valid_to >= year_end)).fillna(False)
    revoked_undated = register["is_revoked"].fillna(False).astype(bool) & valid_to.isna()
    return (started & not_ended & ~revoked_undated).astype(bool)


def with_region_levels(
    frame: pd.DataFrame, city_code: str, district_column: str = "district_code"
) -> pd.DataFrame:
    """Each row once per district (city-level rows excluded) and once for the city total (`city_code`)."""
    districts = frame[(frame[district_column] != city_code).fillna(False).astype(bool)]
    return pd.concat(
        [
            districts.assign(region_code=districts[district_column], region_level="district"),
            frame.assign(region_code=city_code, region_level="city"),
        ],
        ignore_index=True,
    )


def with_total(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each row once as is and once with `column` set to ALL (the total over that column)."""
    return pd.concat([frame, frame.assign(**{column: ALL})], ignore_index=True)


def join_sources(pairs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group keys → sorted, ';'-joined distinct source SHA-256s."""
    distinct = pairs.loc[:, [*keys, "source_sha256"]].dropna(subset=["source_sha256"]).drop_duplicates()
    distinct = distinct.astype({"source_sha256": "string"}).sort_values([*keys, "source_sha256"])
    joined = distinct.groupby(keys, sort=False, dropna=False, observed=True)["source_sha256"].agg(
        SOURCE_SEPARATOR.join
    )
    return joined.rename(SOURCE_SHA256S.name).reset_index()


def year_sources(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """(row keys, sha) pairs giving every output row the sources of its year in `frame`."""
    pairs = frame.loc[:, ["year", "source_sha256"]].drop_duplicates()
    return rows.merge(pairs, on="year", how="inner")


def finalize(frame: pd.DataFrame, definition: DatasetDefinition) -> pd.DataFrame:
    """Exactly the definition's columns, typed, sorted stably by its key, one row per key."""
    if len(frame) == 0:
        return definition.empty_frame()
    out = frame.loc[:, list(definition.column_names)].astype(definition.pandas_dtypes())
    out = out.sort_values(list(definition.key), kind="mergesort", na_position="last").reset_index(drop=True)
    duplicated = out.duplicated(subset=list(definition.key), keep=False)
    if duplicated.any():
        found = out.loc[duplicated, list(definition.key)].head(5).to_dict("records")
        raise ValueError(f"dataset {definition.name}: more than one row per key {definition.key}; "
                         f"found {found}")
    return out
