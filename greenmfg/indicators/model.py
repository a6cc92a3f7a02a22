"""The shape of an indicator dataset: columns, key, formula and parameters, declared once per dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from greenmfg.contracts.model import PANDAS_DTYPES, Column

Derive = Callable[[Mapping[str, pd.DataFrame], object, "Iterable[int] | None"], pd.DataFrame]

# Units of numeric columns that are not totals (a share or a ratio of others); a unit with '/' is an
# intensity. The diff gate totals every other numeric column with a unit, parameters excepted.
NOT_TOTALLED_UNITS = ("pct", "ratio", "share")


@dataclass(frozen=True)
class DatasetDefinition:
    """A derived dataset; the publisher writes it with `arrow_schema()`, the dictionary documents it."""

    name: str
    title: str
    description: str
    formula: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    inputs: tuple[str, ...]
    parameters: tuple[str, ...] = ()
    partition_columns: tuple[str, ...] = ()
    # Inputs a period needs together, each with what the dataset publishes for a period that has some of
    # them but not this one (null values or no rows, never zeros): greenmfg/indicators/gaps.py reports those.
    joint_inputs: tuple[tuple[str, str], ...] = ()
    derive: Derive | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = self.column_names
        unknown = [k for k in (*self.key, *self.partition_columns) if k not in names]
        unknown += [t for t, _ in self.joint_inputs if t not in self.inputs]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name}: unknown key/partition columns or joint inputs {unknown} "
                             "or duplicated columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def total_columns(self) -> tuple[str, ...]:
        """Count, money and energy columns: numeric, with a unit that is not a share, ratio or intensity,
        and not a policy parameter the dataset repeats. The diff gate compares their totals."""
        return tuple(
            c.name
            for c in self.columns
            if c.dtype in ("int", "float")
            and c.unit
            and c.unit not in NOT_TOTALLED_UNITS
            and "/" not in c.unit
            and c.name not in self.parameters
        )

    @property
    def partition_by(self) -> tuple[str, ...]:
        """Alias of partition_columns, the name the publisher uses."""
        return self.partition_columns

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"dataset {self.name} has no column {name!r}")

    def pandas_dtypes(self) -> dict[str, str]:
        return {c.name: PANDAS_DTYPES[c.dtype] for c in self.columns}

    def arrow_schema(self) -> pa.Schema:
        """Parquet schema: descriptions and units in field metadata, formula and key in schema metadata."""
        return pa.schema(
            [c.arrow_field() for c in self.columns],
            metadata={
                "dataset": self.name,
                "description": self.description,
                "formula": self.formula,
                "key": ",".join(self.key),
            },
        )

    def empty_frame(self) -> pd.DataFrame:
        return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPES[c.dtype]) for c in self.columns})
