"""One grid → one ParsedFiling: header and type, units and period stated around the table, rows that are
not data, MIIT cleaning, typing, implied columns, derivation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from greenmfg import codes
from greenmfg.contracts import CONTRACTS, MIIT_CLEANED_TYPES, Column, Contract, get_contract
from greenmfg.contracts.model import ARROW_TO_PANDAS, INFERRED_VALUES
from greenmfg.errors import FilingError, UnknownFilingTypeError
from greenmfg.parsing import implied, layout, values
from greenmfg.parsing.derive import derive
from greenmfg.parsing.filing import CELL_ERROR_COLUMNS, ParsedFiling, empty_cell_errors
from greenmfg.parsing.headers import HeaderMatch, check_duplicates, detect, find_header
from greenmfg.parsing.normalisers import normalise_cells
from greenmfg.parsing.readers import Body, Grid
from greenmfg.parsing.vocabulary import Vocabulary
from greenmfg.units import (
    CANONICAL,
    DESCRIPTIVE_DIMENSIONS,
    SELF_EVIDENT_UNITS,
    cell_units,
    dimension,
    multiplier,
)

TOTALS = r"^\s*(全市|全区|全县|全省|总|本页|本表)?\s*(合\s*计|总\s*计|小\s*计)\s*[:：]?\s*$"
BREAKDOWN = r"^\s*其\s*中\s*[:：]"
IDENTIFYING = ("enterprise_name", "entity_name", "serial_no", "credit_code", "application_no")
EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "date": "a date (2020-01-31, 2020/1/31, 2020年1月31日, 20200131 or an Excel day number)",
    "bool": "a yes/no value (是/否, Y/N, 1/0, true/false)",
}
ROWS_UNDER_HEADER = 2  # a unit row and a column-number row may follow the header, in either order


def build_filing(
    grid: Grid,
    source_name: str,
    sha256: str,
    filing_type: str | None,
    period: str | None,
    vocab: Vocabulary,
) -> ParsedFiling:
    where = f"{source_name} [{grid.sheet}]" if grid.sheet else source_name
    types = [get_contract(filing_type).filing_type] if filing_type else sorted(CONTRACTS)
    head = [cells for _, cells in grid.head]
    choice = find_header(head, types, vocab)
    if choice is None:
        first = next((c for c in head if any(c)), [])
        raise UnknownFilingTypeError(
            where,
            "no header row matches any filing type",
            found=[c for c in first if c],
            expected=f"headers of one of {types}",
        )
    title_lines = tuple(" ".join(c for c in cells if c) for cells in head[: choice.start])
    context = implied.Context(source_name, grid.sheet, title_lines, vocab.district_aliases, vocab.city_code)
    match = detect(choice.cells, context, vocab, types)
    contract = get_contract(match.filing_type)
    check_duplicates(match, where)
    width = len(choice.cells)
    skipped, row_units, layout_dropped = _rows_under_header(grid, choice.end, width)
    notes = [
        f"header found on row {grid.head[choice.end][0]}"
        + (" (two header rows combined)" if choice.end > choice.start else "")
    ]
    conversions, unit_notes = _unit_factors(match, contract, list(title_lines), row_units, where)
    notes += unit_notes

    cleaned_as_text = contract.filing_type in MIIT_CLEANED_TYPES  # the MIIT cleaner reads every cell as text
    numeric = frozenset(
        position
        for position, column in match.mapping.items()
        if contract.column(column).dtype in ("float", "int") and not cleaned_as_text
    )
    body = grid.body(choice.end + skipped, width, numeric)
    if body.num_rows == 0 or not _mask_any_valid(body.columns).any():
        raise FilingError(
            where,
            "header only: no data rows",
            found=f"header on row {grid.head[choice.end][0]}",
            expected="data rows below the header",
        )
    raw = {column: body.columns[position] for position, column in match.mapping.items()}
    numbers = {c: body.numbers[p] for p, c in match.mapping.items()} if body.numbers else {}
    period_inference = _fill_period(raw, contract, title_lines, source_name, period, body.num_rows, where)

    keep, dropped = _row_filters(raw, body, match, contract)
    dropped = sorted(body.dropped + layout_dropped + dropped)
    if not keep.all():
        mask = pa.array(keep)
        raw = {column: pc.filter(array, mask) for column, array in raw.items()}
        numbers = {column: flags[keep] for column, flags in numbers.items()}
    source_rows = body.source_rows[keep]

    if contract.filing_type in MIIT_CLEANED_TYPES:
        raw, source_rows, miit_dropped, miit_notes = _clean_miit(raw, source_rows, contract, vocab.city_code)
        dropped = sorted(dropped + miit_dropped)
        notes += miit_notes
        numbers = {}

    typed, errors = _type_columns(raw, numbers, source_rows, contract, conversions, vocab, where)
    rows = _assemble(typed, contract, sha256, source_rows)
    inferences = implied.infer(contract, match, context)
    rows, provenance = implied.apply(rows, inferences, context)
    if period_inference is not None:
        inferences.insert(0, period_inference)
        provenance = provenance.fillna("").radd(period_inference.describe() + "; ").str.rstrip("; ")
    rows[INFERRED_VALUES.name] = provenance.astype(rows[INFERRED_VALUES.name].dtype)
    rows = derive(rows, contract)
    return ParsedFiling(
        filing_type=contract.filing_type,
        source_name=source_name,
        sha256=sha256,
        file_format=grid.file_format,
        encoding=grid.encoding,
        sheet=grid.sheet,
        header_row=grid.head[choice.end][0],
        column_mapping={match.raw[p]: c for p, c in match.mapping.items()},
        unit_conversions={c: (unit, factor) for c, (unit, factor, _) in conversions.items()},
        unmapped_headers=list(match.unmapped.values()),
        rows=rows,
        cell_errors=errors,
        dropped_rows=dropped,
        notes=notes,
        inferences=[
            {"column": i.column, "value": i.value, "rule": i.rule, "evidence": i.evidence} for i in inferences
        ],
        match=match,
    )


def _rows_under_header(grid: Grid, header_end: int, width: int) -> tuple[int, dict[int, str], list]:
    """(rows to skip, position → unit of a unit row, dropped rows) for the rows right under the header."""
    skipped, units, dropped = 0, {}, []
    for line, cells in grid.head[header_end + 1 : header_end + 1 + ROWS_UNDER_HEADER]:
        cells = cells[:width]
        if layout.is_column_number_row(cells):
            dropped.append((line, "column-number row (甲 乙 丙 … 1 2 3)"))
        elif not units and (found := layout.unit_row(cells)):
            units = found
            dropped.append((line, "unit row"))
        else:
            break
        skipped += 1
    return skipped, units, dropped


def _mask_any_valid(columns: list[pa.ChunkedArray]) -> np.ndarray:
    result = np.zeros(len(columns[0]) if columns else 0, dtype=bool)
    for column in columns:
        result |= values._mask(column.is_valid())
    return result


def _fill_period(
    raw: dict,
    contract: Contract,
    title_lines: tuple[str, ...],
    source_name: str,
    given: str | None,
    n: int,
    where: str,
) -> implied.Inference | None:
    """The period of a file with no period column: from its title rows, else the sender's word (the landing
    key or --period), else its file name. Two different periods in the same place are refused. A derived
    period (the year of a notice's date) is computed with the other derived columns instead."""
    column = contract.period_column
    if column in raw or contract.column(column).derived:
        return None
    batch = column == "batch"
    sources = [
        ("a title row", layout.title_periods(list(title_lines), batch=batch)),
        ("the sender (landing key or --period)", [str(given)] if given is not None else []),
        ("the file name", layout.name_periods(source_name, batch=batch)),
    ]
    for origin, found in sources:
        if len(found) > 1:
            raise FilingError(
                where,
                f"several periods in {origin} and no {column} column",
                found=found,
                expected=f"one period (or a {column} column, or --period)",
            )
        if found:
            raw[column] = pa.chunked_array([pa.repeat(pa.scalar(found[0], pa.string()), n)])
            return implied.Inference(column, value=found[0], evidence=f"from {origin}")
    raise FilingError(
        where,
        "no period",
        found=f"no {column} column, no period in title rows or file name",
        expected=f"a {column} column, a title row like '2020年…', period=<p> in the landing key "
        "(--period) or a year in the file name",
    )


def _row_filters(raw: dict, body: Body, match: HeaderMatch, contract: Contract) -> tuple[np.ndarray, list]:
    """Keep-mask and reasons for blank rows, totals rows, repeated header rows and lines that are not data."""
    n = body.num_rows
    mapped = [body.columns[p] for p in match.mapping]
    valid = [values._mask(c.is_valid()) for c in mapped]
    valid_count = np.sum(valid, axis=0) if valid else np.zeros(n, dtype=int)
    blank = valid_count == 0
    period = contract.period_column
    names = dict.fromkeys(c for c in (*contract.key, *IDENTIFYING) if c in raw and c != period)
    identifying = [body.columns[0], *(raw[c] for c in names if raw[c] is not body.columns[0])]
    totals = np.zeros(n, dtype=bool)
    breakdown = np.zeros(n, dtype=bool)
    for column in (c for c in identifying if _is_text(c)):
        totals |= _matching(column, "计", TOTALS)
        breakdown |= _matching(column, "其", BREAKDOWN)
    not_data = _not_data_lines(body)
    leaked = _repeated_header(body, match)
    reasons = [
        (blank, "blank row"),
        (totals, "totals row (合计/总计/小计)"),
        (breakdown, "breakdown row (其中)"),
        (leaked, "repeated header row"),
        (not_data, "not data (a note, signature or contact line)"),
    ]
    drop = np.zeros(n, dtype=bool)
    dropped: list[tuple[int, str]] = []
    for mask, reason in reasons:
        new = mask & ~drop
        dropped += [(int(r), reason) for r in body.source_rows[new]]
        drop |= new
    return ~drop, dropped


def _matching(column: pa.ChunkedArray, character: str, pattern: str) -> np.ndarray:
    """Where `column` matches `pattern`, looked for only in the cells holding `character` (few in a
    million, so the regular expression runs on a handful of cells rather than every one)."""
    holds = values._mask(pc.match_substring(column, character))
    found = np.zeros(len(holds), dtype=bool)
    if holds.any():
        rows = np.flatnonzero(holds)
        cells = values._flat(column).take(pa.array(rows))
        found[rows] = values._mask(pc.match_substring_regex(cells, pattern))
    return found


def _not_data_lines(body: Body) -> np.ndarray:
    """Rows whose first filled cell, wherever it stands, opens a note, a sign-off or a contact line.

    Only rows whose first cell is empty can have their first filled cell elsewhere: those few are looked at
    across the columns, the rest by their first cell alone (a million-row body is not coalesced whole).
    """
    if not body.columns:
        return np.zeros(body.num_rows, dtype=bool)
    pattern = layout.NOT_DATA.pattern
    first_column = body.columns[0]
    if _is_text(first_column):
        found = values._mask(pc.match_substring_regex(first_column, pattern))
    else:  # read as numbers: no cell of it opens a note
        found = np.zeros(body.num_rows, dtype=bool)
    elsewhere = np.flatnonzero(~values._mask(first_column.is_valid()))
    texts = [column for column in body.columns[1:] if _is_text(column)]
    if len(elsewhere) and texts:
        rows = pa.array(elsewhere)
        first = pc.coalesce(*(values._flat(column).take(rows) for column in texts))
        found[elsewhere] = values._mask(pc.match_substring_regex(first, pattern))
    return found


def _is_text(column: pa.ChunkedArray | pa.Array) -> bool:
    return pa.types.is_string(column.type)


def _repeated_header(body: Body, match: HeaderMatch) -> np.ndarray:
    """Rows whose cells repeat the header (at least half the mapped columns, and two)."""
    positions = list(match.mapping)
    n = body.num_rows

    def equal(position: int) -> np.ndarray:
        if not _is_text(body.columns[position]):  # all plain numbers: no header text among them
            return np.zeros(n, dtype=bool)
        header = match.raw[position].split("/")[-1].strip()
        return values._mask(pc.equal(body.columns[position], header))

    candidates = np.zeros(n, dtype=bool)
    for position in positions[:2]:
        candidates |= equal(position)
    if not candidates.any():
        return candidates
    count = sum(equal(p).astype(int) for p in positions)
    return count >= max(2, (len(positions) + 1) // 2)


def _clean_miit(
    raw: dict, source_rows: np.ndarray, contract: Contract, city_code: str
) -> tuple[dict, np.ndarray, list, list]:
    """Hand the raw string rows to the MIIT cleaner (leaked rows, 'nan' suffixes, batches, regions and the
    city's placement)."""
    from greenmfg.parsing.miit import clean

    frame = pd.DataFrame(
        {c: pd.Series(a.to_pandas(types_mapper=ARROW_TO_PANDAS.get), dtype="string") for c, a in raw.items()}
    )
    frame["source_row"] = source_rows
    result = clean(frame, contract.filing_type, city_code)
    cleaned = result.frame.reset_index(drop=True)
    arrays = {
        c: pa.chunked_array([pa.array(cleaned[c].astype("string").array, pa.string())])
        for c in cleaned.columns
        if c in contract.column_names
    }
    rows = cleaned["source_row"].to_numpy(dtype=np.int64)
    return arrays, rows, list(result.dropped), list(result.notes)


# column → (unit, factor, where it was stated); factor None, with the raw header, when stated nowhere
Conversions = dict[str, tuple[str, float | None, str]]


def _unit_factors(
    match: HeaderMatch, contract: Contract, title_lines: list[str], row_units: dict[int, str], where: str
) -> tuple[Conversions, list[str]]:
    """Each measured column's unit: its header's, else the unit row's, else the one stated above the table
    for its quantity (the specific statement beats the general one).

    Every unit stated around the table must be used, and statements must agree: two units in one header,
    a header and a unit row that disagree, two units of one quantity above the table, a stated unit no column
    measures, or a unit that does not fit its column's quantity refuse the file. A column with no unit
    anywhere
    gets factor None: its cells must carry their own unit (3亿元), else they are unreadable.
    """
    stated, notes = layout.stated_units(title_lines, where)
    above: dict[str, str] = {}
    for found in stated:
        quantity = dimension(found.unit) or ""
        if above.setdefault(quantity, found.unit) != found.unit:
            raise FilingError(
                where,
                f"the lines above the table state two units of {quantity}",
                found=[s.line for s in stated if dimension(s.unit) == quantity],
                expected="one unit per quantity",
            )
    conversions: Conversions = {}
    used: set[str] = set()
    for position, column_name in match.mapping.items():
        column = contract.column(column_name)
        if column.unit is None:
            continue
        header = set(match.units.get(column_name, ()))
        row = row_units.get(position)
        if len(header) > 1 or (header and row and row not in header):
            raise FilingError(
                where,
                f"the units stated for {column_name} ({match.raw[position]}) disagree",
                found=[*sorted(header), *([f"{row} (unit row)"] if row else [])],
                expected="one unit per column",
            )
        general = next((above[q] for q in _quantities(column) if q in above), None)
        if header:
            unit, origin = next(iter(header)), "its header"
        elif row:
            unit, origin = row, "the unit row"
        elif general:
            unit, origin = general, "a line above the table"
            used.add(general)
        elif column.unit in SELF_EVIDENT_UNITS:
            continue
        else:
            conversions[column_name] = ("", None, match.raw[position])
            notes.append(
                f"no unit stated for {column_name} ({match.raw[position]}): each cell must carry one"
            )
            continue
        try:
            factor = multiplier(unit, column.unit, column.unit_equivalents)
        except KeyError:
            raise FilingError(
                where,
                f"unit {unit!r} ({origin}) does not fit column {column_name} ({match.raw[position]})",
                found=unit,
                expected=f"a unit of {CANONICAL[column.unit][0]}",
            ) from None
        if general and general != unit and origin != "a line above the table":
            notes.append(f"unit {unit} of {column_name} from {origin}, not {general} from the lines above")
        elif origin != "its header":
            notes.append(f"unit {unit} of {column_name} from {origin}")
        conversions[column_name] = (unit, factor, origin)
    unused = sorted(
        {s.unit for s in stated if dimension(s.unit) not in DESCRIPTIVE_DIMENSIONS}
        - used
        - {u for u, _, _ in conversions.values()}
    )
    if unused:
        raise FilingError(
            where,
            f"unit {'、'.join(unused)} stated above the table measures no column",
            found=[s.line for s in stated if s.unit in unused],
            expected="a unit of a column the table files, or no such line",
        )
    return conversions, notes


def _quantities(column: Column) -> set[str]:
    """The dimensions a column's values may be stated in (its own and its declared equivalents)."""
    return {CANONICAL[u][0] for u in (column.unit, *(u for u, _ in column.unit_equivalents)) if u}


def _convert(
    column: Column,
    array: pa.ChunkedArray,
    factor: float | None,
    numbers: np.ndarray | None,
    vocab: Vocabulary,
) -> values.Converted:
    if column.normaliser and _is_text(array):
        array = normalise_cells(column.normaliser, array)
    own_units = cell_units(column.unit, column.unit_equivalents) if column.unit else None
    if column.dtype == "float":
        return values.to_float(array, factor, own_units)
    if column.dtype == "int":
        return values.to_int(array, factor, own_units)
    if column.dtype == "bool":
        return values.to_bool(array)
    if column.dtype == "date":
        return values.to_date(array, column.month_day, numbers)
    if column.codes:
        mapping = dict(codes.aliases(column.codes))
        if column.codes == "districts":
            mapping.update(vocab.district_aliases)
            return values.to_code(array, mapping, division_prefix=True, place_prefixes=vocab.place_prefixes)
        return values.to_code(array, mapping)
    code_like = column.pattern is not None
    return values.to_string(array, code_like=code_like, marks_are_values=column.marks_are_values)


def _type_columns(
    raw: dict,
    numbers: dict[str, np.ndarray],
    source_rows: np.ndarray,
    contract: Contract,
    conversions: Conversions,
    vocab: Vocabulary,
    where: str,
):
    typed: dict[str, pa.Array] = {}
    errors: list[pd.DataFrame] = []
    n = len(source_rows)
    for column in contract.columns:
        if column.name not in raw:
            typed[column.name] = pa.nulls(n, column.arrow_type)
            continue
        array = raw[column.name]
        _, factor, _ = conversions.get(column.name, ("", 1.0, ""))
        typed[column.name], bad = _convert(column, array, factor, numbers.get(column.name), vocab)
        if factor is None and bad.any() and not (~bad & values._mask(array.is_valid())).any():
            raise FilingError(
                where,
                f"no unit stated for {column.name} (header {conversions[column.name][2]!r}): not in its "
                "header, a unit row or a line above the table, nor in its cells",
                found=values._flat(array).filter(pa.array(bad))[:3].to_pylist(),
                expected=f"a unit of {CANONICAL[column.unit][0]} in the header, e.g. (万元)",
            )
        if bad.any():
            flat = values._flat(array)
            expected = EXPECTED.get(column.dtype, column.dtype)
            if factor is None:
                expected += " with its unit (no unit is stated for the column)"
            errors.append(
                pd.DataFrame(
                    {
                        "source_row": source_rows[bad],
                        "column": column.name,
                        "raw_value": flat.filter(pa.array(bad)).to_pylist(),
                        "expected": expected,
                    }
                )
            )
    if not errors:
        return typed, empty_cell_errors()
    table = pd.concat(errors, ignore_index=True).astype(
        {"source_row": "int64", "column": "string", "raw_value": "string", "expected": "string"}
    )
    return typed, table.sort_values(["source_row", "column"], kind="stable").reset_index(drop=True)[
        list(CELL_ERROR_COLUMNS)
    ]


def _assemble(typed: dict, contract: Contract, sha256: str, source_rows: np.ndarray) -> pd.DataFrame:
    n = len(source_rows)
    table = pa.table(
        {
            **typed,
            "source_sha256": pa.repeat(pa.scalar(sha256, pa.string()), n),
            "source_row": pa.array(source_rows, pa.int64()),
            INFERRED_VALUES.name: pa.nulls(n, pa.string()),
        }
    )
    return contract.to_frame(table)
