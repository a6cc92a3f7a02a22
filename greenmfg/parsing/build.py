"""One grid → one ParsedFiling: header and type, period, row filtering, MIIT cleaning, typing, derivation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from greenmfg import codes
from greenmfg.contracts import CONTRACTS, MIIT_FILING_TYPES, Column, Contract, get_contract, header_variants
from greenmfg.errors import FilingError, MissingColumnsError, UnknownFilingTypeError
from greenmfg.parsing import values
from greenmfg.parsing.derive import derive
from greenmfg.parsing.filing import CELL_ERROR_COLUMNS, ParsedFiling, empty_cell_errors
from greenmfg.parsing.headers import (
    HeaderMatch,
    check_duplicates,
    detect,
    find_header,
    name_period,
    required_for_detection,
    title_period,
    title_unit,
)
from greenmfg.parsing.readers import Body, Grid
from greenmfg.units import MONEY_TO_10K_YUAN, YUAN_10K, cell_units, multiplier

TOTALS = r"^\s*(全市|全区|全县|全省|总|本页|本表)?\s*(合\s*计|总\s*计|小\s*计)\s*[:：]?\s*$"
FOOTNOTE = r"^\s*(注|说明|备注|填表|制表|负责人|审核|单位负责人|统计负责人|填报人)"
IDENTIFYING = ("enterprise_name", "entity_name", "serial_no", "credit_code", "application_no")
EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "date": "a date (2020-01-31, 2020/1/31, 2020年1月31日, 20200131 or an Excel day number)",
    "bool": "a yes/no value (是/否, Y/N, 1/0, true/false)",
}
ARROW_TO_PANDAS = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def build_filing(
    grid: Grid, source_name: str, sha256: str, filing_type: str | None, period: str | None = None
) -> ParsedFiling:
    where = f"{source_name} [{grid.sheet}]" if grid.sheet else source_name
    types = [get_contract(filing_type).filing_type] if filing_type else sorted(CONTRACTS)
    head = [cells for _, cells in grid.head]
    choice = find_header(head, types)
    if choice is None:
        first = next((c for c in head if any(c)), [])
        raise UnknownFilingTypeError(
            where,
            "no header row matches any filing type",
            found=[c for c in first if c],
            expected=f"headers of one of {types}",
        )
    match = detect(choice.cells, source_name, grid.sheet, types)
    contract = get_contract(match.filing_type)
    check_duplicates(match, where)
    notes = [
        f"header found on row {grid.head[choice.end][0]}"
        + (" (two header rows combined)" if choice.end > choice.start else "")
    ]
    _check_required(match, contract, where)
    title_lines = [" ".join(c for c in cells if c) for cells in head[: choice.start]]

    body = grid.body(choice.end, len(choice.cells))
    if body.num_rows == 0 or not _mask_any_valid(body.columns).any():
        raise FilingError(
            where,
            "header only: no data rows",
            found=f"header on row {grid.head[choice.end][0]}",
            expected="data rows below the header",
        )
    raw = {column: body.columns[position] for position, column in match.mapping.items()}
    period_note = _fill_period(raw, contract, title_lines, source_name, period, body.num_rows, where)
    notes += [n for n in (period_note, _fill_district(raw, contract)) if n]

    keep, dropped = _row_filters(raw, body, match, contract)
    dropped = sorted(body.dropped + dropped)
    if not keep.all():
        raw = {column: pc.filter(array, pa.array(keep)) for column, array in raw.items()}
    source_rows = body.source_rows[keep]

    if contract.filing_type in MIIT_FILING_TYPES:
        raw, source_rows, miit_dropped, miit_notes = _clean_miit(raw, source_rows, contract)
        dropped = sorted(dropped + miit_dropped)
        notes += miit_notes

    conversions, unit_notes = _unit_factors(match, contract, title_lines, where)
    notes += unit_notes
    typed, errors = _type_columns(raw, source_rows, contract, conversions)
    rows = _assemble(typed, contract, sha256, source_rows)
    if contract.filing_type not in MIIT_FILING_TYPES:
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
        unit_conversions=conversions,
        unmapped_headers=match.unmapped,
        rows=rows,
        cell_errors=errors,
        dropped_rows=dropped,
        notes=notes,
    )


def _check_required(match: HeaderMatch, contract: Contract, where: str) -> None:
    missing = match.missing(required_for_detection(contract.filing_type))
    if "district_code" in missing and "division_code" in match.columns:
        missing.remove("district_code")
    if missing:
        spellings = header_variants().get(contract.filing_type, {})
        raise MissingColumnsError(
            where,
            f"missing required columns for {contract.filing_type}: {', '.join(missing)}",
            found=list(match.raw.values()),
            expected=[f"{c} ({'|'.join(spellings.get(c, ()))})" for c in missing],
        )


def _mask_any_valid(columns: list[pa.ChunkedArray]) -> np.ndarray:
    result = np.zeros(len(columns[0]) if columns else 0, dtype=bool)
    for column in columns:
        result |= values._mask(column.is_valid())
    return result


def _fill_period(
    raw: dict, contract: Contract, title_lines: list[str], source_name: str, given: str | None, n: int,
    where: str,
) -> str | None:
    """The period from a title row, the sender's word (landing key) or the file name, when the file has
    no period column."""
    column = contract.period_column
    if column in raw:
        return None
    batch = column == "batch"
    period, origin = title_period(title_lines, batch=batch), "a title row"
    if period is None and given is not None:
        period, origin = str(given), "the landing key"
    if period is None:
        period, origin = name_period(source_name, batch=batch), "the file name"
    if period is None:
        raise FilingError(
            where,
            "no period",
            found=f"no {column} column, no year in title rows or file name",
            expected=f"a {column} column, a title row like '2020年…', period=<p> in the landing key "
            "or a year in the file name",
        )
    raw[column] = pa.chunked_array([pa.array([period] * n, pa.string())])
    return f"{column} {period} taken from {origin}"


def _fill_district(raw: dict, contract: Contract) -> str | None:
    names = contract.column_names
    if "district_code" in names and "district_code" not in raw and "division_code" in raw:
        raw["district_code"] = raw["division_code"]
        return "district_code taken from division_code (its first 6 digits)"
    return None


def _row_filters(raw: dict, body: Body, match: HeaderMatch, contract: Contract) -> tuple[np.ndarray, list]:
    """Keep-mask and reasons for blank rows, totals rows, repeated header rows and footnotes."""
    n = body.num_rows
    mapped = [body.columns[p] for p in match.mapping]
    valid = [values._mask(c.is_valid()) for c in mapped]
    valid_count = np.sum(valid, axis=0) if valid else np.zeros(n, dtype=int)
    blank = valid_count == 0
    first = body.columns[0]
    identifying = [first] + [
        raw[c] for c in (*contract.key, *IDENTIFYING) if c in raw and c != contract.period_column
    ]
    totals = np.zeros(n, dtype=bool)
    for column in identifying:
        if pc.any(pc.match_substring(column, "计")).as_py():
            totals |= values._mask(pc.match_substring_regex(column, TOTALS))
    footnote = valid_count == 1
    if footnote.any():
        footnote &= values._mask(pc.match_substring_regex(first, FOOTNOTE))
    leaked = _repeated_header(body, match)
    reasons = [
        (blank, "blank row"),
        (totals, "totals row (合计/总计/小计)"),
        (leaked, "repeated header row"),
        (footnote, "footnote row"),
    ]
    drop = np.zeros(n, dtype=bool)
    dropped: list[tuple[int, str]] = []
    for mask, reason in reasons:
        new = mask & ~drop
        dropped += [(int(r), reason) for r in body.source_rows[new]]
        drop |= new
    return ~drop, dropped


def _repeated_header(body: Body, match: HeaderMatch) -> np.ndarray:
    """Rows whose cells repeat the header (at least half the mapped columns, and two)."""
    positions = list(match.mapping)
    n = body.num_rows

    def equal(position: int) -> np.ndarray:
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
    raw: dict, source_rows: np.ndarray, contract: Contract
) -> tuple[dict, np.ndarray, list, list]:
    """Hand the raw string rows to the MIIT cleaner (leaked rows, 'nan' suffixes, regions, placement)."""
    from greenmfg.parsing.miit import clean

    frame = pd.DataFrame(
        {c: pd.Series(a.to_pandas(types_mapper=ARROW_TO_PANDAS.get), dtype="string") for c, a in raw.items()}
    )
    frame["source_row"] = source_rows
    result = clean(frame, contract.filing_type)
    cleaned = result.frame.reset_index(drop=True)
    arrays = {
        c: pa.chunked_array([pa.array(cleaned[c].astype("string").array, pa.string())])
        for c in cleaned.columns
        if c in contract.column_names
    }
    rows = cleaned["source_row"].to_numpy(dtype=np.int64)
    return arrays, rows, list(result.dropped), list(result.notes)


def _unit_factors(match: HeaderMatch, contract: Contract, title_lines: list[str], where: str):
    """canonical column → (raw unit, multiplier): header unit > title-row unit (money) > canonical unit."""
    conversions: dict[str, tuple[str, float]] = {}
    notes: list[str] = []
    page_unit = title_unit(title_lines)
    if page_unit and page_unit not in MONEY_TO_10K_YUAN:
        notes.append(f"title-row unit {page_unit!r} is not a money unit; ignored")
        page_unit = None
    from_title = []
    for column in contract.columns:
        if column.unit is None or column.name not in match.columns:
            continue
        unit = match.units.get(column.name)
        if unit is None and column.unit == YUAN_10K and page_unit:
            unit = page_unit
            from_title.append(column.name)
        if unit is None:
            continue
        try:
            conversions[column.name] = (unit, multiplier(unit, column.unit))
        except KeyError:
            raise FilingError(
                where,
                f"unit {unit!r} does not fit column {column.name}",
                found=unit,
                expected=f"a unit convertible to {column.unit}",
            ) from None
    if from_title:
        notes.append(f"unit {page_unit} from a title row applied to {', '.join(from_title)}")
    return conversions, notes


def _convert(column: Column, array: pa.ChunkedArray, factor: float) -> values.Converted:
    if column.dtype == "float":
        return values.to_float(array, factor, cell_units(column.unit) if column.unit else None)
    if column.dtype == "int":
        return values.to_int(array, factor, cell_units(column.unit) if column.unit else None)
    if column.dtype == "bool":
        return values.to_bool(array)
    if column.dtype == "date":
        return values.to_date(array)
    if column.codes:
        mapping = dict(codes.aliases(column.codes))
        if column.codes == "districts":
            mapping.update(codes.district_aliases())
        return values.to_code(array, mapping, division_prefix=column.codes == "districts")
    return values.to_string(array, code_like=column.pattern is not None)


def _type_columns(raw: dict, source_rows: np.ndarray, contract: Contract, conversions: dict):
    typed: dict[str, pa.Array] = {}
    errors: list[pd.DataFrame] = []
    n = len(source_rows)
    for column in contract.columns:
        if column.name not in raw:
            typed[column.name] = pa.nulls(n, column.arrow_type)
            continue
        array = raw[column.name]
        factor = conversions.get(column.name, ("", 1.0))[1]
        typed[column.name], bad = _convert(column, array, factor)
        if bad.any():
            flat = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
            errors.append(
                pd.DataFrame(
                    {
                        "source_row": source_rows[bad],
                        "column": column.name,
                        "raw_value": flat.filter(pa.array(bad)).to_pylist(),
                        "expected": EXPECTED.get(column.dtype, column.dtype),
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
        }
    )
    frame = table.to_pandas(types_mapper=ARROW_TO_PANDAS.get, date_as_object=False)
    dtypes = contract.pandas_dtypes()
    differ = {c: t for c, t in dtypes.items() if str(frame[c].dtype) != t}
    return frame.astype(differ) if differ else frame
