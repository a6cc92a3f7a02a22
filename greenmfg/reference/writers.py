"""Write canonical frames the way bureaus send them: Chinese headers, units, encodings, title rows, quirks.

Headers come from greenmfg/contracts/headers.csv (one spelling per layout), units from the contract's
declaration (money shown in the layout's unit, physical units in Chinese), code lists shown with their
Chinese labels. Output bytes depend only on the inputs: XLSX metadata and zip entry dates are fixed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from greenmfg.cities import CityProfile
from greenmfg.codes import rows
from greenmfg.contracts import Column, get_contract, header_variants
from greenmfg.contracts.enterprise_stats import ENERGY_BY_TYPE
from greenmfg.reference.layouts import UNIT_TITLE, Layout
from greenmfg.reference.xlsx import workbook_bytes
from greenmfg.units import MONEY_TO_10K_YUAN, YUAN_10K, label

ENERGY_PARENT = "能源消费量"
TOTALS_LABEL = "合计"
ENERGY_COLUMNS = frozenset(c.name for c in ENERGY_BY_TYPE)  # under the parent "能源消费量"
DECIMALS_IN_CANONICAL = 2  # every canonical value is rounded to at most two decimals
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Early spellings of some code labels, written by layouts with `label_aliases`.
_EARLY_LABELS = {("list_types", "green_supply_chain"): "绿色供应链管理示范企业"}


@dataclass(frozen=True)
class Table:
    """A filing ready to write: header rows (one, or parent + child) and columns of cell values."""

    titles: tuple[str, ...]
    headers: tuple[tuple[str | None, ...], ...]
    columns: tuple[list, ...]
    money_columns: tuple[int, ...]
    numeric_columns: tuple[int, ...]
    energy_span: tuple[int, int] | None = None

    @property
    def row_count(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def header_label(filing_type: str, column: Column, layout: Layout) -> str:
    spellings = header_variants()[filing_type][column.name]
    label = spellings[layout.variant % len(spellings)]
    unit = unit_label(column, layout)
    if unit is None:
        return label
    left, right = ("（", "）") if layout.fullwidth_brackets else ("(", ")")
    return f"{label}{left}{unit}{right}"


def unit_label(column: Column, layout: Layout) -> str | None:
    if column.unit is None or column.unit == "pct":
        return None
    if column.unit == YUAN_10K:
        return None if layout.unit_in_title else layout.money_unit
    return label(column.unit)


def code_labels(code_list: str, layout: Layout) -> dict[str, str]:
    table = rows(code_list)
    first = next(iter(table[0]))
    labels = {row[first]: row["name_zh"] for row in table}
    if layout.label_aliases:
        labels.update({code: label for (name, code), label in _EARLY_LABELS.items() if name == code_list})
    return labels


def build_table(
    frame: pd.DataFrame,
    filing_type: str,
    layout: Layout,
    year: int,
    city: CityProfile,
    rng: np.random.Generator | None = None,
) -> Table:
    """Turn canonical rows into cells: units converted, labels and dates spelled, quirks applied."""
    contract = get_contract(filing_type)
    columns = [
        c
        for c in contract.filed_columns
        if (layout.year_column or c.name != contract.period_column) and (c.name in frame or not c.nullable)
    ]
    headers = [header_label(filing_type, c, layout) for c in columns]
    cells: list[list] = []
    money, numeric = [], []
    for index, column in enumerate(columns):
        values = _cells(frame, column, layout, city)
        if column.dtype in ("float", "int") and column.name not in (contract.period_column, "serial_no"):
            numeric.append(index)
            if column.unit == YUAN_10K:
                money.append(index)
        cells.append(values)
    energy = [
        i for i, c in enumerate(columns) if c.name in ENERGY_COLUMNS and filing_type == "enterprise_stats"
    ]
    titles = tuple(t.format(year=year, unit=layout.money_unit, city=city.name_zh) for t in layout.titles)
    if layout.unit_in_title and not any(t.startswith("单位") for t in titles):
        titles += (UNIT_TITLE.format(unit=layout.money_unit),)
    table = Table(
        titles=titles,
        headers=(tuple(headers),),
        columns=tuple(cells),
        money_columns=tuple(money),
        numeric_columns=tuple(numeric),
    )
    if layout.merged_energy_header and energy:
        table = _merge_energy_header(table, energy)
    if layout.totals_row:
        table = _with_totals(table)
    if rng is not None and (layout.fullwidth_share or layout.thousands_separators):
        table = _with_text_quirks(table, layout, rng)
    return table


def _zone_label(city: CityProfile) -> str:
    """How the reference city's tables write an enterprise in a functional zone: the profile's first zone."""
    return city.zones[0].name if city.zones else ""


def _cells(frame: pd.DataFrame, column: Column, layout: Layout, city: CityProfile) -> list:
    series = frame[column.name]
    if column.name == "district_code":
        if not layout.district_names:
            return series.tolist()
        zone = (
            frame["in_functional_zone"].to_numpy()
            if "in_functional_zone" in frame
            else np.zeros(len(frame), bool)
        )
        return [
            _zone_label(city) if z else city.district_name(code) for code, z in zip(series, zone, strict=True)
        ]
    if column.codes and column.dtype == "string":
        labels = code_labels(column.codes, layout)
        return [None if _missing(v) else labels[v] for v in series]
    if column.dtype == "bool":
        return ["是" if v else "否" for v in series]
    if column.dtype == "date":
        return [None if _missing(v) else _date_cell(v, layout) for v in series]
    if column.dtype == "int":
        return [None if _missing(v) else int(v) for v in series]
    if column.dtype == "float":
        factor, decimals = _money_factor(column, layout)
        values = np.round(series.to_numpy(dtype=float) / factor, decimals)
        return [None if math.isnan(v) else float(v) for v in values]
    return [None if _missing(v) else str(v) for v in series]


def _money_factor(column: Column, layout: Layout) -> tuple[float, int]:
    """Divisor from 万元 to the layout's unit, and the decimals that keep canonical values exact."""
    if column.unit != YUAN_10K:
        return 1.0, DECIMALS_IN_CANONICAL
    factor = MONEY_TO_10K_YUAN[layout.money_unit]
    return factor, max(0, DECIMALS_IN_CANONICAL + round(math.log10(factor)))


def _missing(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT
    )


def _date_cell(value: object, layout: Layout) -> object:
    day = value if isinstance(value, date) else pd.Timestamp(value).date()
    if layout.date_style == "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    if layout.date_style == "excel" and layout.fmt == "xlsx":
        return datetime(day.year, day.month, day.day)
    return day.isoformat()


def _merge_energy_header(table: Table, energy: list[int]) -> Table:
    first, last = min(energy), max(energy)
    parent = tuple(
        ENERGY_PARENT if i == first else (None if first < i <= last else h)
        for i, h in enumerate(table.headers[0])
    )
    child = tuple(h if first <= i <= last else None for i, h in enumerate(table.headers[0]))
    return replace(table, headers=(parent, child), energy_span=(first, last))


def _with_totals(table: Table) -> Table:
    """A last row 合计 with the sums of the numeric columns, as printed tables have."""
    columns = [list(c) for c in table.columns]
    for index, column in enumerate(columns):
        if index == 0:
            column.append(TOTALS_LABEL)
        elif index in table.numeric_columns:
            column.append(round(sum(v for v in column if v is not None), 4))
        else:
            column.append(None)
    return replace(table, columns=tuple(columns))


def _with_text_quirks(table: Table, layout: Layout, rng: np.random.Generator) -> Table:
    """Thousands separators on money; full-width digits in a share of the numeric cells (as text)."""
    columns = [list(c) for c in table.columns]
    for index in table.numeric_columns:
        column = columns[index]
        fullwidth = rng.random(len(column)) < layout.fullwidth_share
        for row, value in enumerate(column):
            if value is None or isinstance(value, str):
                continue
            text = None
            if layout.thousands_separators and index in table.money_columns:
                text = _number_text(value, grouped=True)
            if fullwidth[row]:
                text = (text or _number_text(value)).translate(_FULLWIDTH)
            if text is not None:
                column[row] = text
    return replace(table, columns=tuple(columns))


def _number_text(value: float | int, *, grouped: bool = False) -> str:
    if isinstance(value, int):
        return f"{value:,d}" if grouped else str(value)
    text = f"{value:,.6f}" if grouped else f"{value:.6f}"
    return text.rstrip("0").rstrip(".")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def csv_bytes(table: Table, encoding: str) -> bytes:
    """CSV text: title lines, header line(s), rows; encoded as the bureau sends it (BOM when utf-8-sig)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    width = len(table.columns)
    for title in table.titles:
        writer.writerow([title] + [""] * (width - 1))
    for header in table.headers:
        writer.writerow([h or "" for h in header])
    writer.writerows(zip(*([_text(v) for v in column] for column in table.columns), strict=True))
    return buffer.getvalue().encode(encoding)


def fast_csv(
    path: Path,
    frame: pd.DataFrame,
    filing_type: str,
    layout: Layout,
    city: CityProfile,
    advance: Callable[[int], None] | None = None,
    batch_rows: int = 200_000,
) -> None:
    """Large CSV (scale mode) streamed to `path` by pyarrow in batches: same headers and units, no quirks."""
    if layout.encoding not in ("utf-8", "utf-8-sig"):
        raise ValueError(f"fast CSV writes UTF-8 only, not {layout.encoding}")
    contract = get_contract(filing_type)
    columns = [
        c
        for c in contract.filed_columns
        if (layout.year_column or c.name != contract.period_column) and (c.name in frame or not c.nullable)
    ]
    headers = [header_label(filing_type, c, layout) for c in columns]
    options = pacsv.WriteOptions(include_header=False, quoting_style="none", eol="\r\n")
    with open(path, "wb") as sink:
        if layout.encoding == "utf-8-sig":
            sink.write("\ufeff".encode())
        sink.write((",".join(headers) + "\r\n").encode())
        for start in range(0, len(frame), batch_rows):
            chunk = frame.iloc[start : start + batch_rows]
            arrays = [_arrow_column(chunk, c, layout, city) for c in columns]
            pacsv.write_csv(pa.table(arrays, names=[f"c{i}" for i in range(len(arrays))]), sink, options)
            if advance:
                advance(len(chunk))


def _arrow_column(frame: pd.DataFrame, column: Column, layout: Layout, city: CityProfile) -> pa.Array:
    series = frame[column.name]
    if column.dtype == "float":
        factor, decimals = _money_factor(column, layout)
        values = np.round(series.to_numpy(dtype=float) / factor, decimals)
        return pa.array(values, pa.float64(), from_pandas=True)
    if column.dtype == "int":
        return pa.array(series.to_numpy(), pa.int64())
    if column.dtype == "bool":
        return pc.if_else(pa.array(series.to_numpy(dtype=bool)), "是", "否")
    strings = pa.array(series, from_pandas=True)
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if pa.types.is_dictionary(strings.type):
        strings = strings.cast(pa.string())
    if column.name == "district_code" and layout.district_names:
        names = _relabel(strings, {row["district_code"]: row["name_zh"] for row in city.district_rows()})
        return pc.if_else(
            pa.array(frame["in_functional_zone"].to_numpy(dtype=bool)), _zone_label(city), names
        )
    if column.codes and column.dtype == "string":
        return _relabel(strings, code_labels(column.codes, layout))
    return strings


def _relabel(values: pa.Array, labels: dict[str, str]) -> pa.Array:
    """Codes → labels through a dictionary encoding (a handful of distinct codes, millions of rows)."""
    encoded = pc.dictionary_encode(values)
    dictionary = pa.array([labels[code] for code in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(dictionary, encoded.indices)


def xlsx_bytes(table: Table) -> bytes:
    """An XLSX workbook: title rows (merged across), header row(s) with merges, data rows."""
    width = len(table.columns)
    rows: list[list] = [[title] for title in table.titles]
    merges = [(r, 0, r, width - 1) for r in range(len(rows))]
    top = len(rows)
    rows += [list(header) for header in table.headers]
    if len(table.headers) == 2 and table.energy_span is not None:
        first, last = table.energy_span
        merges.append((top, first, top, last))
        merges += [(top, i, top + 1, i) for i in range(width) if not first <= i <= last]
    rows += [list(values) for values in zip(*table.columns, strict=True)]
    return workbook_bytes(rows, merges)


def write_file(
    path: Path,
    frame: pd.DataFrame,
    filing_type: str,
    layout: Layout,
    year: int,
    rng: np.random.Generator,
    city: CityProfile,
    advance: Callable[[int], None] | None = None,
) -> None:
    """Write one filing as sent; scale-mode CSVs are streamed (pyarrow), the rest built in memory."""
    if layout.streamed:
        fast_csv(path, frame, filing_type, layout, city, advance)
        return
    table = build_table(frame, filing_type, layout, year, city, rng)
    path.write_bytes(csv_bytes(table, layout.encoding) if layout.fmt == "csv" else xlsx_bytes(table))
    if advance:
        advance(len(frame))
