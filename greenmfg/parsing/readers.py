"""Read a filing's bytes into grids of text cells: CSV (UTF-8, BOM, GB18030) via pyarrow, workbooks (XLSX,
legacy XLS, XLSB, ODS) via calamine.

A grid exposes its first rows (to find the title and header rows) and loads the body below a chosen header
as Arrow string columns with each row's 1-based line (CSV) or worksheet row (XLSX), so every canonical row can
name where it came from. Resource limits are checked before anything large is built in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine

from greenmfg.errors import FilingError, ResourceLimitError
from greenmfg.settings import Settings

HEAD_ROWS = 40  # rows searched for title and header rows
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
WORKBOOK_PARTS = frozenset({"xl/workbook.xml", "xl/workbook.bin", "content.xml"})
DELIMITERS = (",", "\t", ";")

Cells = list[str | None]


@dataclass
class Body:
    """The rows below the header: one Arrow string column per header position, and each row's source line."""

    columns: list[pa.ChunkedArray]
    source_rows: np.ndarray
    dropped: list[tuple[int, str]] = field(default_factory=list)
    numbers: list[np.ndarray] | None = None  # workbooks: which cells were numbers (dates need to know)

    @property
    def num_rows(self) -> int:
        return len(self.source_rows)


@dataclass
class Grid:
    """One table of a file: its first rows as text and a loader for the body below a header record."""

    sheet: str | None
    file_format: str
    encoding: str | None
    head: list[tuple[int, Cells]]  # (1-based line or row number of the record's last line, cells)
    _loader: Callable[[int, int, frozenset[int]], Body]

    def body(self, header_index: int, width: int, numeric: frozenset[int] = frozenset()) -> Body:
        """Rows after head record `header_index`, as `width` columns: text, except that the `numeric`
        positions come as float64 when every one of their cells is a plain number (a CSV's fast path; any
        other notation in the column, and the column comes as text for the converters to read)."""
        return self._loader(header_index, width, numeric)


def read_grids(data: bytes, source_name: str, settings: Settings) -> list[Grid]:
    """The tables of a file: one for a CSV, one per worksheet for an XLSX."""
    if len(data) > settings.max_file_bytes:
        raise ResourceLimitError(
            source_name,
            "file too large",
            found=f"{len(data)} bytes",
            expected=f"at most max_file_bytes={settings.max_file_bytes}",
        )
    if not data or data.isspace():
        raise FilingError(
            source_name, "empty file", found="no content", expected="a header row and data rows"
        )
    if data.startswith(OLE_MAGIC):
        return read_workbook(data, source_name, settings, legacy=True)
    if data.startswith(ZIP_MAGIC):
        return read_workbook(data, source_name, settings)
    if source_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")):
        raise FilingError(
            source_name,
            "not really an XLSX: no ZIP signature",
            found=repr(data[:8]),
            expected="a workbook (a ZIP-based XLSX, or an Excel 97–2003 .xls)",
        )
    return [read_csv(data, source_name, settings)]


# ---------------------------------------------------------------- CSV

HEAD_BYTES = 1 << 20  # the header is searched for in the first MiB; the body is validated by pyarrow
_NON_SPACE = re.compile(rb"\S")


def decode(data: bytes, source_name: str) -> tuple[str, str, bytes]:
    """(text, encoding, UTF-8 bytes without BOM): strict UTF-8 first, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        try:
            return body.decode("utf-8"), "utf-8-sig", body
        except UnicodeDecodeError as exc:
            raise FilingError(
                source_name,
                f"undecodable UTF-8 (after BOM) at byte offset {exc.start + 3}",
                expected="valid UTF-8",
            ) from None
    try:
        return data.decode("utf-8"), "utf-8", data
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            raise FilingError(
                source_name,
                f"undecodable: not UTF-8 (byte offset {utf8_error.start}) nor GB18030 "
                f"(byte offset {gb_error.start})",
                found=repr(data[gb_error.start : gb_error.start + 4]),
                expected="CSV in UTF-8, UTF-8 with BOM or GB18030",
            ) from None
        return text, "gb18030", text.encode("utf-8")


def _decode_head(data: bytes, source_name: str) -> tuple[str, str, bytes, int] | None:
    """(head text, encoding, UTF-8 buffer, start offset) from the first MiB when it is valid UTF-8, else None.

    A large UTF-8 file is never decoded whole: pyarrow validates the body as it reads it.
    """
    if len(data) <= HEAD_BYTES:
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    cut = data.rfind(b"\n", start, start + HEAD_BYTES)
    if cut < 0:
        return None
    try:
        head = data[start : cut + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return head, "utf-8-sig" if start else "utf-8", data, start


@dataclass
class _Record:
    last_line: int
    end: int  # character offset just after the record's line break
    cells: Cells


def _records(text: str, delimiter: str, limit: int) -> list[_Record]:
    """The first `limit` CSV records, with their physical lines (a quoted field may span lines)."""
    records: list[_Record] = []
    pos, line, size = 0, 0, len(text)
    while pos < size and len(records) < limit:
        start, quotes = pos, 0
        while True:
            newline = text.find("\n", pos)
            end = size if newline < 0 else newline + 1
            quotes += text.count('"', pos, end)
            line += 1
            pos = end
            if quotes % 2 == 0 or pos >= size:
                break
        chunk = text[start:pos].rstrip("\r\n")
        row = next(csv.reader(io.StringIO(chunk), delimiter=delimiter), []) if chunk.strip() else []
        records.append(_Record(line, pos, [cell if cell.strip() else None for cell in row]))
    return records


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536].splitlines()[:HEAD_ROWS]
    return max(DELIMITERS, key=lambda d: (max((line.count(d) for line in sample), default=0), d == ","))


def read_csv(data: bytes, source_name: str, settings: Settings) -> Grid:
    if b"\x00" in data[:65536]:
        raise FilingError(
            source_name,
            "binary content (NUL bytes), not a text CSV",
            expected="CSV in UTF-8, UTF-8 with BOM or GB18030",
        )
    decoded = _decode_head(data, source_name)
    if decoded is None:
        text, encoding, utf8 = decode(data, source_name)
        decoded = (text, encoding, utf8, 0)
    text, encoding, utf8, start = decoded
    delimiter = _sniff_delimiter(text)
    records = _records(text, delimiter, HEAD_ROWS)
    _check_head(records, source_name, settings)
    newline_count = utf8.count(b"\n", start)
    if newline_count > settings.max_rows + HEAD_ROWS:
        raise ResourceLimitError(
            source_name,
            "too many rows",
            found=f"{newline_count} lines",
            expected=f"at most max_rows={settings.max_rows}",
        )

    def load(header_index: int, width: int, numeric: frozenset[int] = frozenset()) -> Body:
        record = records[header_index]
        offset = start + len(text[: record.end].encode("utf-8"))
        if width > settings.max_columns:
            raise ResourceLimitError(
                source_name,
                "too many columns",
                found=width,
                expected=f"at most max_columns={settings.max_columns}",
            )
        try:
            body = _csv_body(utf8, offset, record.last_line + 1, width, delimiter, source_name, numeric)
        except _InvalidUtf8:
            decode(data, source_name)  # raises with the byte offset when neither encoding fits
            return read_csv_decoded(data, source_name, settings, header_index, width)
        _check_cells(body, source_name, settings)
        return body

    return Grid(None, "csv", encoding, [(r.last_line, r.cells) for r in records], load)


def read_csv_decoded(
    data: bytes, source_name: str, settings: Settings, header_index: int, width: int
) -> Body:
    """Second attempt after pyarrow found invalid UTF-8 past the first MiB: decode the whole file first."""
    text, _, utf8 = decode(data, source_name)
    records = _records(text, _sniff_delimiter(text), header_index + 1)
    record = records[header_index]
    offset = len(text[: record.end].encode("utf-8"))
    body = _csv_body(utf8, offset, record.last_line + 1, width, _sniff_delimiter(text), source_name)
    _check_cells(body, source_name, settings)
    return body


def _check_head(records: list[_Record], source_name: str, settings: Settings) -> None:
    """Column and cell limits on the rows searched for the header, before matching them: header detection
    compares every cell with every known spelling, so a header of a million columns would run for hours."""
    for record in records:
        width = max((i + 1 for i, cell in enumerate(record.cells) if cell is not None), default=0)
        if width > settings.max_columns:
            raise ResourceLimitError(
                source_name,
                f"too many columns on line {record.last_line}",
                found=width,
                expected=f"at most max_columns={settings.max_columns}",
            )
        longest = max((len(cell) for cell in record.cells if cell is not None), default=0)
        if longest > settings.max_cell_chars:
            raise ResourceLimitError(
                source_name,
                f"cell too long on line {record.last_line}",
                found=f"{longest} characters",
                expected=f"at most max_cell_chars={settings.max_cell_chars}",
            )


class _InvalidUtf8(Exception):
    """pyarrow met bytes that are not UTF-8."""


def _check_cells(body: Body, source_name: str, settings: Settings) -> None:
    import pyarrow.compute as pc

    if body.num_rows > settings.max_rows:
        raise ResourceLimitError(
            source_name,
            "too many rows",
            found=body.num_rows,
            expected=f"at most max_rows={settings.max_rows}",
        )
    for index, column in enumerate(body.columns):
        if not pa.types.is_string(column.type):
            continue  # read as numbers: no long cell
        longest = pc.max(pc.binary_length(column)).as_py() or 0
        if longest > settings.max_cell_chars:
            raise ResourceLimitError(
                source_name,
                f"cell too long in column {index + 1}",
                found=f"{longest} bytes",
                expected=f"at most max_cell_chars={settings.max_cell_chars}",
            )


def _csv_body(
    utf8: bytes,
    offset: int,
    first_line: int,
    width: int,
    delimiter: str,
    source_name: str,
    numeric: frozenset[int] = frozenset(),
) -> Body:
    """Fast path with pyarrow (numeric positions typed when they are plain numbers, retried as text when
    not); falls back to the csv module when lines and records do not align."""
    body = pa.py_buffer(utf8)[offset:]
    if _NON_SPACE.search(utf8, offset) is None:
        empty = [pa.chunked_array([pa.array([], pa.string())]) for _ in range(width)]
        return Body(empty, np.array([], np.int64))
    names = [f"c{i}" for i in range(width)]
    has_quotes = utf8.find(b'"', offset) >= 0
    table, invalid = None, True
    for types in ([numeric, frozenset()] if numeric else [frozenset()]):
        try:
            table, invalid = _read_csv(body, names, delimiter, has_quotes, types)
            break
        except _ConversionError:
            continue  # a numeric column holds another notation: read every column as text
        except pa.ArrowInvalid as exc:
            if "utf8" in str(exc).lower():
                raise _InvalidUtf8(str(exc)) from None
            break  # the record-by-record reader below says what is wrong, row by row
    lines = utf8.count(b"\n", offset) + (0 if utf8.endswith(b"\n") else 1)
    if table is not None and not invalid and table.num_rows == lines:
        rows = np.arange(first_line, first_line + table.num_rows, dtype=np.int64)
        return Body([table.column(i) for i in range(width)], rows)
    try:
        text = utf8[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _InvalidUtf8(str(exc)) from None
    try:
        return _csv_body_slow(text, first_line, width, delimiter)
    except csv.Error as exc:
        raise FilingError(source_name, f"malformed CSV ({exc})") from None


class _ConversionError(Exception):
    """A column asked for as numbers holds a cell pyarrow cannot read as one."""


def _read_csv(
    body: pa.Buffer, names: list[str], delimiter: str, has_quotes: bool, numeric: frozenset[int]
) -> tuple[pa.Table, bool]:
    """The body with pyarrow: (table, whether a row was invalid)."""
    invalid: list[int] = []

    def on_invalid(_row: object) -> str:
        invalid.append(1)
        return "skip"

    types = {n: pa.float64() if i in numeric else pa.string() for i, n in enumerate(names)}
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
                newlines_in_values=has_quotes,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if numeric and "conversion error" in str(exc).lower():
            raise _ConversionError(str(exc)) from None
        raise
    return table, bool(invalid)


def _csv_body_slow(text: str, first_line: int, width: int, delimiter: str) -> Body:
    """Record by record: exact line numbers with quoted line breaks, ragged rows padded or dropped."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    rows: list[int] = []
    dropped: list[tuple[int, str]] = []
    previous = 0
    for record in reader:
        line = first_line + previous
        previous = reader.line_num
        cells = [c if c != "" else None for c in record]
        if len(cells) > width:
            if any(c is not None and c.strip() for c in cells[width:]):
                dropped.append((line, f"{len(cells)} fields, the header has {width}"))
                continue
            cells = cells[:width]
        cells += [None] * (width - len(cells))
        for index, cell in enumerate(cells):
            columns[index].append(cell)
        rows.append(line)
    return Body(
        [pa.chunked_array([pa.array(c, pa.string())]) for c in columns],
        np.asarray(rows, dtype=np.int64),
        dropped,
    )


# ---------------------------------------------------------------- workbooks (XLSX, XLS, XLSB, ODS)


def read_workbook(data: bytes, source_name: str, settings: Settings, *, legacy: bool = False) -> list[Grid]:
    """Every worksheet of a workbook, read with calamine (Excel 97–2003 .xls included)."""
    kind = "legacy .xls" if legacy else "XLSX"
    if not legacy:
        _check_zip(data, source_name, settings)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors and OSError/ValueError on damaged files
        raise FilingError(
            source_name,
            f"unreadable {kind} workbook ({type(exc).__name__}: {exc})",
            expected="a complete workbook",
        ) from None
    grids = []
    try:
        for index, name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            rows = _sheet_rows(sheet, f"{source_name} [{name}]", settings)
            grids.append(_workbook_grid(name, rows, "xls" if legacy else "xlsx"))
    except FilingError:
        raise
    except Exception as exc:
        raise FilingError(source_name, f"truncated or corrupt {kind} ({type(exc).__name__}: {exc})") from None
    finally:
        workbook.close()
    return grids


def _check_zip(data: bytes, source_name: str, settings: Settings) -> None:
    """A ZIP that holds a workbook and does not expand beyond the limit (zip bombs), before any parsing."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FilingError(
            source_name, f"truncated or corrupt ZIP/XLSX ({exc})", expected="a complete XLSX workbook"
        ) from None
    names = {m.filename for m in members}
    if not names & WORKBOOK_PARTS:
        raise FilingError(
            source_name,
            "a ZIP archive but not an XLSX workbook",
            found=sorted(names)[:5],
            expected="xl/workbook.xml (XLSX), xl/workbook.bin (XLSB) or content.xml (ODS) inside the archive",
        )
    uncompressed = sum(m.file_size for m in members)
    if uncompressed > settings.max_xlsx_uncompressed_bytes:
        raise ResourceLimitError(
            source_name,
            "XLSX expands too much (zip bomb?)",
            found=f"{uncompressed} uncompressed bytes",
            expected=f"at most max_xlsx_uncompressed_bytes={settings.max_xlsx_uncompressed_bytes}",
        )


def _sheet_rows(sheet, where: str, settings: Settings) -> list[list[object]]:
    """The sheet's cells from A1 (row numbers stay the worksheet's), trailing empty cells and rows dropped."""
    if sheet.total_width > settings.max_columns:
        raise ResourceLimitError(
            where,
            "too many columns",
            found=sheet.total_width,
            expected=f"at most max_columns={settings.max_columns}",
        )
    if sheet.total_height > settings.max_rows + HEAD_ROWS:
        raise ResourceLimitError(
            where,
            "too many rows",
            found=f"{sheet.total_height} rows",
            expected=f"at most max_rows={settings.max_rows}",
        )
    rows: list[list[object]] = []
    for values in sheet.to_python(skip_empty_area=False):
        cells = list(values)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        for cell in cells:
            if isinstance(cell, str) and len(cell) > settings.max_cell_chars:
                raise ResourceLimitError(
                    where,
                    "cell too long",
                    found=f"{len(cell)} characters",
                    expected=f"at most max_cell_chars={settings.max_cell_chars}",
                )
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _workbook_grid(title: str, rows: list[list[object]], file_format: str) -> Grid:
    def load(header_index: int, width: int, numeric: frozenset[int] = frozenset()) -> Body:
        body_rows = rows[header_index + 1 :]
        columns, numbers = [], []
        for i in range(width):
            cells = [r[i] if i < len(r) else None for r in body_rows]
            columns.append(pa.chunked_array([pa.array([cell_text(c) for c in cells], pa.string())]))
            numbers.append(np.fromiter((_is_number(c) for c in cells), dtype=bool, count=len(cells)))
        first = header_index + 2
        return Body(columns, np.arange(first, first + len(body_rows), dtype=np.int64), numbers=numbers)

    head = [(index + 1, [cell_text(c) for c in cells]) for index, cells in enumerate(rows[:HEAD_ROWS])]
    return Grid(title, file_format, None, head, load)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cell_text(value: object) -> str | None:
    """An XLSX cell as the text a CSV export would hold (whole floats without '.0', dates as ISO)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
