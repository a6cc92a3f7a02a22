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
_DATE_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")

Converted = tuple[pa.Array, np.ndarray]


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, nulls as False."""
    filled = pc.fill_null(array, False)
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    return filled.to_numpy(zero_copy_only=False).astype(bool)


def _flat(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _is_na_token(text: pa.Array) -> pa.Array:
    return pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(text)), value_set=pa.array(NA_TOKENS))


def to_float(
    array: pa.ChunkedArray, factor: float = 1.0, cell_units: dict[str, float] | None = None
) -> Converted:
    """Numbers as filed: full-width digits, 1,234 / 1，234, spaces, (123) = −123, '%' and trailing units.

    A trailing unit found in `cell_units` (lower-case unit → multiplier) is applied instead of the header's
    `factor`, so `3亿元` under a 万元 header is 30,000, not 3.
    """
    array = _flat(array)
    try:
        values = pc.cast(array, pa.float64())
        bad = np.zeros(len(array), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values, bad, suffixes = _normalised_float(array)
        return _scale_by_unit(values, factor, suffixes, cell_units or {}), bad
    return _scale(values, factor), bad


_NUMBER_WITH_SUFFIX = r"^([+-]?[\d.]+(?:[eE][+-]?\d+)?)([^\d]+)$"


def _normalised_float(array: pa.Array) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """(values, bad mask, trailing text stripped from each number: its unit, in lower case)."""
    text = pc.utf8_normalize(array, "NFKC")
    text = pc.replace_substring(text, "−", "-")
    text = pc.replace_substring_regex(text, r"[\s,']", "")
    na = _is_na_token(text)
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"-\1")
    suffixes = pc.utf8_lower(pc.replace_substring_regex(text, _NUMBER_WITH_SUFFIX, r"\2"))
    text = pc.replace_substring_regex(text, _NUMBER_WITH_SUFFIX, r"\1")
    ok = pc.and_kleene(pc.match_substring_regex(text, NUMBER), pc.invert(na))
    values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    bad = _mask(array.is_valid()) & ~_mask(ok) & ~_mask(na)
    return values, bad, suffixes


def _scale_by_unit(
    values: pa.Array, factor: float, suffixes: pa.Array, cell_units: dict[str, float]
) -> pa.Array:
    """The header's factor, except where a cell carries a unit of its own."""
    scaled = _scale(values, factor)
    for unit, unit_factor in cell_units.items():
        hit = _mask(pc.equal(suffixes, unit))
        if hit.any():
            scaled = pc.if_else(pa.array(hit), _scale(values, unit_factor), scaled)
    return scaled


def _scale(values: pa.Array, factor: float) -> pa.Array:
    """Multiply by a unit factor; divide by its inverse when that is whole, to avoid 0.1-style noise."""
    if factor == 1.0:
        return values
    inverse = 1.0 / factor
    if factor < 1 and abs(inverse - round(inverse)) < 1e-9:
        return pc.divide(values, float(round(inverse)))
    return pc.multiply(values, factor)


def to_int(
    array: pa.ChunkedArray, factor: float = 1.0, cell_units: dict[str, float] | None = None
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


def parse_date(text: str) -> dt.date | None:
    """2020-01-31, 2020/1/31, 2020.1.31, 2020年1月31日, 20200131, or an Excel serial day number."""
    token = _clean(text)
    if token.lower() in NA_TOKENS:
        return None
    if match := _DATE_YMD.fullmatch(token):
        return dt.date(*map(int, match.groups()))
    if match := _DATE_COMPACT.fullmatch(token):
        return dt.date(*map(int, match.groups()))
    if _SERIAL.fullmatch(token) and 1 <= float(token) < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(token)))
    raise ValueError(text)


def to_bool(array: pa.ChunkedArray) -> Converted:
    return map_unique(array, parse_bool, pa.bool_())


def to_date(array: pa.ChunkedArray) -> Converted:
    return map_unique(array, parse_date, pa.date32())


def to_string(array: pa.ChunkedArray, *, code_like: bool = False) -> Converted:
    """Trimmed text; empty → null. Code-like columns (credit, division, industry codes) are also NFKC'd,
    stripped of inner spaces and upper-cased, since full-width or spaced codes are the same code."""
    text = pc.utf8_trim_whitespace(_flat(array))
    if code_like:
        if pc.all(pc.ascii_is_alnum(text)).as_py() is False:
            text = pc.replace_substring_regex(pc.utf8_normalize(text, "NFKC"), r"\s+", "")
        text = pc.utf8_upper(text)
    empty = pc.equal(pc.utf8_length(text), 0)
    text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    return text, np.zeros(len(array), dtype=bool)


def code_lookup(mapping: dict[str, str], *, division_prefix: bool = False) -> Callable[[str], str | None]:
    """A scalar mapper from label or alias to canonical code; unknown labels are kept as written."""
    folded = {unicodedata.normalize("NFKC", k).replace(" ", "").lower(): v for k, v in mapping.items()}

    def lookup(text: str) -> str | None:
        token = _clean(text)
        if not token or token.lower() in ("nan", "none", "null"):
            return None
        key = re.sub(r"\s+", "", token).lower()
        if key in folded:
            return folded[key]
        if division_prefix and re.fullmatch(r"\d{12}", key) and key[:6] in folded:
            return folded[key[:6]]
        return token

    return lookup


def to_code(array: pa.ChunkedArray, mapping: dict[str, str], *, division_prefix: bool = False) -> Converted:
    return map_unique(array, code_lookup(mapping, division_prefix=division_prefix), pa.string())
