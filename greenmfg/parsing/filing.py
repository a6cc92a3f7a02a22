"""ParsedFiling: one recognised table of a file as canonical rows, with everything needed to trace them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from greenmfg.contracts import get_contract

CELL_ERROR_COLUMNS = ("source_row", "column", "raw_value", "expected")


def empty_cell_errors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="string"),
            "raw_value": pd.Series([], dtype="string"),
            "expected": pd.Series([], dtype="string"),
        }
    )


@dataclass
class ParsedFiling:
    """Canonical rows of one table plus how they were read (mapping, units, dropped rows, cell errors)."""

    filing_type: str
    source_name: str
    sha256: str
    file_format: str
    encoding: str | None
    sheet: str | None
    header_row: int
    column_mapping: dict[str, str]
    unit_conversions: dict[str, tuple[str, float]]
    unmapped_headers: list[str]
    rows: pd.DataFrame
    cell_errors: pd.DataFrame = field(default_factory=empty_cell_errors)
    dropped_rows: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inferences: list[dict] = field(default_factory=list)  # columns the filing left implied, and from what
    match: Any = field(default=None, repr=False)  # the HeaderMatch, for `greenmfg inspect`'s suggestions

    @property
    def periods(self) -> list:
        """Sorted distinct values of the contract's period column."""
        column = get_contract(self.filing_type).period_column
        return sorted(self.rows[column].dropna().unique().tolist())
