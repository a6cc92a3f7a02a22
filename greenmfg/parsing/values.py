"""Cell values → typed Arrow arrays, vectorised: a direct cast first, normalisation only where it fails.

Every converter returns (typed array, mask of cells that could not be converted). A failed cell becomes null
and is reported by the caller as a cell error; a row is never dropped here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NA_TOKENS = ("", "-", "--", "—", "——", "–", "/", "\\", "nan", "none", "null", "n/a", "na", "#n/a", "无")
TRUE_TOKENS = frozenset({"是", "y", "yes", "true", "t", "1", "√", "✓", "有"})
FALSE_TOKENS = frozenset({"否", "n", "no", "false", "f", "0", "×", "✗"})
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel day numbers are read as dates only in this range (1990-01-01 … 2100-12-31): a smaller number in a
# date column is far likelier a year or a year.month typed as a number than a date of the 1900s.
PLAUSIBLE_SERIALS = ((dt.date(1990, 1, 1) - EXCEL_EPOCH).days, (dt.date(2100, 12, 31) - EXCEL_EPOCH).days)
_DATE_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月份?|[-/.]\s*(\d{1,2}))")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
NUMBER_MARK = "\ue000"  # prefixed to the text of a workbook's number cell where the type matters (dates)

Converted = tuple[pa.Array, np.ndarray]


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, nulls as False."""
    filled = pc.fill_null(array, False)
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    return filled.to_numpy(zero_copy_only=False).astype(bool)


def _flat(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


# The empty marks as they are written (nan, NaN, NAN, N/A …): a hash lookup, not a lower-casing of every cell.
_NA_SPELLINGS = pa.array(
    sorted({v for t in NA_TOKENS for v in (t, t.upper(), t.title(), t.capitalize())} | {"NaN", "N/a", "n/A"})
)


def _is_na_token(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """True where a (trimmed) cell is an empty mark."""
    return pc.is_in(text, value_set=_NA_SPELLINGS)


def to_float(
    array: pa.ChunkedArray, factor: float | None = 1.0, cell_units: dict[str, float] | None = None
) -> Converted:
    """Numbers as filed: full-width digits, 1,234 / 1，234, spaces, (123) = −123, and a trailing unit.

    A trailing unit must be one of `cell_units` (folded unit → multiplier to the canonical unit), and is
    applied instead of the header's `factor`: `3亿元` under a 万元 header is 30,000, not 3. Any other text
    after a number (`12%` in a money column, `约`, `万`) makes the cell unreadable: it is never stripped.
    A `factor` of None means no unit is stated for the column: only numbers carrying their own unit are read.
    """
    try:
        values = pc.cast(array, pa.float64())
        bad = np.zeros(len(array), dtype=bool)
        if factor is not None:
            return _scale(values, factor), bad
        values = _flat(values)
        suffixes = pa.nulls(len(array), pa.string()).fill_null("")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values, bad, suffixes = _normalised_float(_flat(array))
    return _scale_by_unit(values, factor, suffixes, cell_units or {}, bad)


_NUMBER_WITH_SUFFIX = r"^([+-]?[\d.]+(?:[eE][+-]?\d+)?)([^\d]+)$"


def _normalised_float(array: pa.Array) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """(values, bad mask, trailing text stripped from each number: its unit, in lower case)."""
    text = pc.utf8_normalize(array, "NFKC")
    text = pc.replace_substring(text, "−", "-")
    text = pc.replace_substring_regex(text, r"[\s,']", "")
    na = _is_na_token(text)
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"-\1")
    has_suffix = pc.match_substring_regex(text, _NUMBER_WITH_SUFFIX)
    suffixes = pc.if_else(
        has_suffix,
        pc.utf8_lower(pc.replace_substring_regex(text, _NUMBER_WITH_SUFFIX, r"\2")),
        pa.scalar("", pa.string()),
    )
    text = pc.replace_substring_regex(text, _NUMBER_WITH_SUFFIX, r"\1")
    ok = pc.and_kleene(pc.match_substring_regex(text, NUMBER), pc.invert(na))
    values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    bad = _mask(array.is_valid()) & ~_mask(ok) & ~_mask(na)
    return values, bad, suffixes


def _scale_by_unit(
    values: pa.Array, factor: float | None, suffixes: pa.Array, cell_units: dict[str, float], bad: np.ndarray
) -> Converted:
    """The header's factor, except where a cell carries a unit of its own; other trailing text is an error,
    and so is a number without a unit where the column states none (`factor` None)."""
    has_suffix = _mask(pc.and_kleene(pc.is_valid(values), pc.invert(pc.equal(suffixes, ""))))
    if factor is None:
        unitless = _mask(pc.is_valid(values)) & ~has_suffix
        scaled = pc.if_else(pa.array(unitless), pa.scalar(None, pa.float64()), values)
        bad = bad | unitless
    else:
        scaled = _scale(values, factor)
    if not has_suffix.any():
        return scaled, bad
    known = np.zeros(len(values), dtype=bool)
    for unit, unit_factor in cell_units.items():
        hit = _mask(pc.equal(suffixes, unit))
        if hit.any():
            scaled = pc.if_else(pa.array(hit), _scale(values, unit_factor), scaled)
            known |= hit
    unreadable = has_suffix & ~known
    if unreadable.any():
        scaled = pc.if_else(pa.array(unreadable), pa.scalar(None, pa.float64()), scaled)
    return scaled, bad | unreadable


def _scale(values: pa.Array, factor: float) -> pa.Array:
    """Multiply by a unit factor; divide by its inverse when that is whole, to avoid 0.1-style noise."""
    if factor == 1.0:
        return values
    inverse = 1.0 / factor
    if factor < 1 and abs(inverse - round(inverse)) < 1e-9:
        return pc.divide(values, float(round(inverse)))
    return pc.multiply(values, factor)


def to_int(
    array: pa.ChunkedArray, factor: float | None = 1.0, cell_units: dict[str, float] | None = None
) -> Converted:
    values, bad = to_float(array, factor, cell_units)
    numbers = values.to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        fractional = ~np.isnan(numbers) & ((numbers != np.round(numbers)) | (np.abs(numbers) > 2**53))
    valid = ~np.isnan(numbers) & ~fractional
    ints = pa.array(np.where(valid, numbers, 0).astype(np.int64), mask=~valid)
    return ints, bad | fractional


def map_unique(array: pa.ChunkedArray, func: Callable[[str], object], out_type: pa.DataType) -> Converted:
    """Apply a scalar parser once per distinct value (dates, booleans, codes have few of them).

    `func` returns the value, None for an empty cell, or raises ValueError for one it cannot read.
    """
    encoded = pc.dictionary_encode(_flat(array))
    results: list[object] = []
    failed: list[bool] = []
    for text in encoded.dictionary.to_pylist():
        try:
            results.append(func(text))
            failed.append(False)
        except ValueError:
            results.append(None)
            failed.append(True)
    indices = encoded.indices
    values = pa.array(results, out_type).take(indices)
    bad = (
        np.asarray(failed, dtype=bool)[np.asarray(pc.fill_null(indices, 0))]
        if len(failed)
        else (np.zeros(len(array), dtype=bool))
    )
    return values, bad & _mask(indices.is_valid())


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_bool(text: str) -> bool | None:
    token = _clean(text).lower()
    if token in NA_TOKENS:
        return None
    if token in TRUE_TOKENS:
        return True
    if token in FALSE_TOKENS:
        return False
    raise ValueError(text)


def _month(year: int, month: int, month_day: str | None) -> dt.date:
    """A date written to the month: its first or last day, as the column declares; else not readable."""
    if month_day is None:
        raise ValueError("a month without a day, in a column that needs the day")
    first = dt.date(year, month, 1)
    if month_day == "first":
        return first
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _from_number(token: str, month_day: str | None) -> dt.date:
    """A number in a date column: an Excel day number in the plausible range, or a year.month with two month
    digits (2022.12). A one-digit month (2022.1) is refused: typed as a number, October lost its zero."""
    number = float(token)
    if PLAUSIBLE_SERIALS[0] <= number <= PLAUSIBLE_SERIALS[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    if match := re.fullmatch(r"(\d{4})\.(\d{2})", token):
        return _month(int(match.group(1)), int(match.group(2)), month_day)
    raise ValueError(token)


def parse_date(text: str, month_day: str | None = None) -> dt.date | None:
    """2020-01-31, 2020/1/31, 2020.1.31, 2020年1月31日, 20200131, an Excel day number (1990–2100), or a
    month alone (2020年12月, 2020.12, 2020-12) when the column says which day a month stands for.

    Text starting with NUMBER_MARK came from a number cell of a workbook (see greenmfg.parsing.readers).
    """
    token = _clean(text)
    if token.startswith(NUMBER_MARK):
        return _from_number(token[1:], month_day)
    if token.lower() in NA_TOKENS:
        return None
    if match := _DATE_YMD.fullmatch(token):
        return dt.date(*map(int, match.groups()))
    if match := _DATE_COMPACT.fullmatch(token):
        return dt.date(*map(int, match.groups()))
    if match := _MONTH.fullmatch(token):
        year, month = int(match.group(1)), int(match.group(2) or match.group(3))
        return _month(year, month, month_day)
    if _SERIAL.fullmatch(token) and PLAUSIBLE_SERIALS[0] <= float(token) <= PLAUSIBLE_SERIALS[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(token)))
    raise ValueError(text)


def to_bool(array: pa.ChunkedArray) -> Converted:
    return map_unique(array, parse_bool, pa.bool_())


def to_date(
    array: pa.ChunkedArray, month_day: str | None = None, numbers: np.ndarray | None = None
) -> Converted:
    """Dates; `numbers` marks cells that were numbers in a workbook (read as day numbers, never as text)."""
    flat = _flat(array)
    if numbers is not None and numbers.any():
        flat = pc.if_else(pa.array(numbers), pc.binary_join_element_wise(NUMBER_MARK, flat, ""), flat)
    return map_unique(flat, lambda text: parse_date(text, month_day), pa.date32())


def to_string(
    array: pa.ChunkedArray, *, code_like: bool = False, marks_are_values: bool = False
) -> Converted:
    """Trimmed text; empty and the empty marks (— / - 无 …) → null, unless the column uses them as values.
    Code-like columns (credit, division, industry codes) are also NFKC'd, stripped of inner spaces and
    upper-cased, since full-width or spaced codes are the same code."""
    text = pc.utf8_trim_whitespace(array)
    if code_like:
        if pc.all(pc.ascii_is_alnum(text)).as_py() is False:
            text = pc.replace_substring_regex(pc.utf8_normalize(text, "NFKC"), r"\s+", "")
        text = pc.utf8_upper(text)
    empty = pc.equal(pc.utf8_length(text), 0)
    if not marks_are_values:
        empty = pc.or_(empty, _is_na_token(text))
    text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    return text, np.zeros(len(array), dtype=bool)


def code_lookup(
    mapping: dict[str, str], *, division_prefix: bool = False, place_prefixes: tuple[str, ...] = ()
) -> Callable[[str], str | None]:
    """A scalar mapper from label or alias to canonical code; unknown labels are kept as written (the code
    list's expectation then quarantines them with the evidence).

    `division_prefix`: a 12-digit division code stands for its first six digits. `place_prefixes`: names of
    the province or city a label may be written under (浙江省湖州市吴兴区 is 吴兴区).
    """
    folded = {unicodedata.normalize("NFKC", k).replace(" ", "").lower(): v for k, v in mapping.items()}
    folded_prefixes = {unicodedata.normalize("NFKC", p).lower() for p in place_prefixes}
    prefixes = sorted(folded_prefixes, key=len, reverse=True)

    def lookup(text: str) -> str | None:
        token = _clean(text)
        if not token or token.lower() in NA_TOKENS:
            return None
        key = re.sub(r"\s+", "", token).lower()
        if key in folded:
            return folded[key]
        if division_prefix and re.fullmatch(r"\d{12}", key) and key[:6] in folded:
            return folded[key[:6]]
        rest = key
        while prefix := next((p for p in prefixes if rest.startswith(p) and len(rest) > len(p)), None):
            rest = rest[len(prefix) :]
            if rest in folded:
                return folded[rest]
        return token

    return lookup


def to_code(
    array: pa.ChunkedArray,
    mapping: dict[str, str],
    *,
    division_prefix: bool = False,
    place_prefixes: tuple[str, ...] = (),
) -> Converted:
    return map_unique(
        array,
        code_lookup(mapping, division_prefix=division_prefix, place_prefixes=place_prefixes),
        pa.string(),
    )
