"""The shape of a filing contract: columns with type, unit, nullability and code list, declared once.

Parsing, the Great Expectations suites, the Parquet schemas and the data dictionary are all derived
from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import pyarrow as pa

DType = Literal["string", "int", "float", "date", "bool"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}

PANDAS_DTYPES: dict[str, str] = {
    "string": "string",
    "int": "Int64",
    "float": "float64",
    "date": "datetime64[s]",
    "bool": "boolean",
}
# Arrow types → the pandas dtypes above, so a frame comes out of Arrow already typed (no second pass).
ARROW_TO_PANDAS: dict[pa.DataType, object] = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.large_string(): pd.StringDtype("pyarrow"),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


@dataclass(frozen=True)
class Implied:
    """One way a filing may leave a column's value implied instead of filing it as a column.

    An instance applies when every condition it names holds: a title row, the sheet name or the file name
    contains one of `title_words`; every column of `columns` is filed; at least one of `any_columns` is filed;
    and the raw header of each column in `header_words` contains one of its words; and no header the file
    carries without a column contains one of `unless_headers` (a column that may say otherwise, under a name
    not known yet, stops the implication). It then gives `value` to
    every row, or, with `rule`, a value per row computed by that rule of greenmfg.parsing.implied from
    `columns`. A column's implications are tried in order, grouped in levels of the same kind (title, columns,
    rule): the first level whose applicable implications agree on one value decides; disagreement passes to
    the next level, and a filing no level decides is refused with the evidence.
    """

    value: object = None
    title_words: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    any_columns: tuple[str, ...] = ()
    header_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rule: str | None = None
    unless_headers: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.rule:
            return "rule"
        return "title" if self.title_words else "columns"

    def describe(self) -> str:
        """How the implication reads, for refusals and the data dictionary."""
        parts = []
        if self.title_words:
            parts.append(f"title or name contains {'/'.join(self.title_words)}")
        if self.columns:
            parts.append(f"columns {' + '.join(self.columns)} filed")
        if self.any_columns:
            parts.append(f"one of {'/'.join(self.any_columns)} filed")
        for column, words in self.header_words:
            parts.append(f"{column} headed with {'/'.join(words)}")
        if self.unless_headers:
            parts.append(f"no unknown header mentions {'/'.join(self.unless_headers)}")
        then = f"rule {self.rule}" if self.rule else repr(self.value)
        return f"{' and '.join(parts) or 'always'} → {then}"


@dataclass(frozen=True)
class Column:
    """One canonical column. `unit` is the canonical unit the parser converts to (see greenmfg.units).

    `implied`: how a filing that leaves the column out may imply it (see Implied). `normaliser`: a named rule
    of greenmfg.parsing.normalisers that rewrites a cell's text before typing (a star rating written ★★★, an
    industry class written with its section letter). `month_day`: the day
    a date written to the month only stands for ("first" or "last" day of that month); without it such a date
    is a cell error. `unit_equivalents`: other canonical units this quantity may be written in, with their
    factor (water in cubic metres counts as tonnes).
    """

    name: str
    dtype: DType
    description: str
    unit: str | None = None
    nullable: bool = False
    codes: str | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False
    implied: tuple[Implied, ...] = ()
    normaliser: str | None = None
    month_day: Literal["first", "last"] | None = None
    unit_equivalents: tuple[tuple[str, float], ...] = ()
    marks_are_values: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.dtype]

    def arrow_field(self) -> pa.Field:
        metadata = {"description": self.description}
        if self.unit:
            metadata["unit"] = self.unit
        if self.codes:
            metadata["codes"] = self.codes
        return pa.field(self.name, self.arrow_type, nullable=self.nullable, metadata=metadata)


# Every canonical row keeps where it came from: the archived filing and its row in that file.
SOURCE_SHA256 = Column("source_sha256", "string", "SHA-256 of the archived filing the row came from.")
SOURCE_ROW = Column(
    "source_row", "int", "Line of the row in the source file (1 = first line of the file, header included)."
)
INFERRED_VALUES = Column(
    "inferred_values",
    "string",
    "Values of this row the filing left implied and what implied them ('column=value (evidence)', joined "
    "with '; '); empty when every value was filed.",
    nullable=True,
)
PROVENANCE_COLUMNS: tuple[Column, ...] = (SOURCE_SHA256, SOURCE_ROW, INFERRED_VALUES)


@dataclass(frozen=True)
class Contract:
    """A filing type: its columns, keys and the column that carries its period."""

    filing_type: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    period_column: str
    file_stem_hints: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"contract {self.filing_type}: duplicated columns {duplicated}")
        unknown = [k for k in (*self.key, self.period_column) if k not in names]
        if unknown:
            raise ValueError(f"contract {self.filing_type}: key/period columns not declared: {unknown}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def filed_columns(self) -> tuple[Column, ...]:
        """Columns a filing carries (derived ones are computed by the parser)."""
        return tuple(c for c in self.columns if not c.derived)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Filed columns that must be present and non-null."""
        return tuple(c.name for c in self.filed_columns if not c.nullable)

    def column(self, name: str) -> Column:
        for column in (*self.columns, *PROVENANCE_COLUMNS):
            if column.name == name:
                return column
        raise KeyError(f"{self.filing_type} has no column {name!r}")

    def arrow_schema(self, *, with_provenance: bool = True) -> pa.Schema:
        columns = (*self.columns, *PROVENANCE_COLUMNS) if with_provenance else self.columns
        return pa.schema(
            [c.arrow_field() for c in columns],
            metadata={"filing_type": self.filing_type, "description": self.description},
        )

    def pandas_dtypes(self, *, with_provenance: bool = True) -> dict[str, str]:
        columns = (*self.columns, *PROVENANCE_COLUMNS) if with_provenance else self.columns
        return {c.name: PANDAS_DTYPES[c.dtype] for c in columns}

    def to_frame(self, table: pa.Table) -> pd.DataFrame:
        """Canonical rows as pandas, typed by the contract, from an Arrow table of its columns."""
        frame = table.to_pandas(types_mapper=ARROW_TO_PANDAS.get, date_as_object=False)
        dtypes = {c: t for c, t in self.pandas_dtypes().items() if c in frame.columns}
        differ = {c: t for c, t in dtypes.items() if str(frame[c].dtype) != t}
        return frame.astype(differ) if differ else frame
