"""Derived columns (Column.derived=True) computed from typed canonical rows.

The MIIT list types get region, province and district from greenmfg.parsing.miit.clean; a derived column
without a rule stays as the parser left it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from greenmfg import codes
from greenmfg.contracts import Contract


def industry_division(frame: pd.DataFrame) -> pd.Series:
    """GB/T 4754 two-digit division: the first two digits of a 4-digit industry class."""
    code = pa.array(frame["industry_code"].astype("string").array)
    four_digits = pc.match_substring_regex(code, r"^\d{4}$")
    division = pc.if_else(four_digits, pc.utf8_slice_codeunits(code, 0, 2), pa.scalar(None, pa.string()))
    return pd.Series(
        division.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get),
        index=frame.index,
        dtype="string",
    )


def entity_type(frame: pd.DataFrame) -> pd.Series:
    """What a list type accredits (enterprise, park, product), from codes/list_types.csv."""
    mapping = {row["list_type"]: row["entity_type"] for row in codes.rows("list_types")}
    return frame["list_type"].astype("string").map(mapping).astype("string")


def notice_year(frame: pd.DataFrame) -> pd.Series:
    """The year of a removal notice's date: the period the notice is filed under."""
    return pd.to_datetime(frame["notice_date"]).dt.year.astype("Int64")


RULES: dict[tuple[str, str], Callable[[pd.DataFrame], pd.Series]] = {
    ("enterprise_stats", "industry_division"): industry_division,
    ("green_register", "entity_type"): entity_type,
    ("miit_removals", "notice_year"): notice_year,
}


def derive(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """A copy of `frame` with every derived column that has a rule computed (existing values replaced)."""
    result = frame.copy(deep=False)
    for column in contract.columns:
        rule = RULES.get((contract.filing_type, column.name))
        if column.derived and rule is not None:
            result[column.name] = rule(result)
    return result
