"""The shape of an indicator dataset: columns, key, formula and parameters, declared once per dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from greenmfg.contracts.model import PANDAS_DTYPES, Column

Derive = Callable[[Mapping[str, pd.DataFrame], object, "Iterable[int] | None"], pd.DataFrame]


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
    derive: Derive | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = self.column_names
        unknown = [k for k in (*self.key, *self.partition_columns) if k not in names]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name}: unknown key/partition columns {unknown} "
                             "or duplicated columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

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
