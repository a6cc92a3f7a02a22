"""The report as data: tiles, charts, tables and links, built by pure functions and rendered to HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Label:
    """A text in Chinese and English; the page shows either or both (its language switch)."""

    zh: str
    en: str


@dataclass(frozen=True)
class Tile:
    """One headline figure of the latest year, with the previous year's value beside it."""

    title: Label
    unit: Label
    value: float | None
    previous: float | None
    digits: int = 0
    note: Label | None = None


@dataclass(frozen=True)
class Series:
    """One coloured series of a chart: a value (or None for a gap) per category."""

    name: Label
    values: tuple[float | None, ...]
    highlight: bool = False


ChartKind = Literal["line", "bars", "hbars"]


@dataclass(frozen=True)
class Chart:
    """A chart in words and numbers; svg.py draws it. `invert` puts small values on top (ranks)."""

    key: str
    kind: ChartKind
    title: Label
    categories: tuple[Label, ...]
    series: tuple[Series, ...]
    x_label: Label
    y_label: Label
    digits: int = 0
    invert: bool = False
    note: Label | None = None

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values)


@dataclass(frozen=True)
class Link:
    """A key in a store and, where the report can reach it, a relative href."""

    text: str
    key: str
    href: str | None


@dataclass(frozen=True)
class Table:
    """A plain table: header labels and rows of cells (text, numbers or links)."""

    header: tuple[Label, ...]
    rows: tuple[tuple[str | int | float | Link | tuple[Link, ...] | None, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Section:
    """A heading with charts and tables below it."""

    title: Label
    charts: tuple[Chart, ...] = ()
    tables: tuple[tuple[Label, Table], ...] = ()
    intro: Label | None = None


@dataclass(frozen=True)
class Report:
    """Everything the page shows, with no wall-clock value: same snapshot, same report."""

    snapshot_id: str
    code_version: str
    title: Label
    year: int | None
    previous_year: int | None
    tiles: tuple[Tile, ...]
    sections: tuple[Section, ...]
    footer: tuple[tuple[Label, Table], ...] = field(default=())
    dictionary_links: tuple[Link, ...] = field(default=())
