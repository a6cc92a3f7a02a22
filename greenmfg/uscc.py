"""Unified Social Credit Code (GB 32100-2015): the check character, scalar and vectorised.

A code whose check character is wrong is flagged, never dropped: real registered companies have them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {char: value for value, char in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The 18th character that makes `first17` a valid code. Raises ValueError on foreign characters."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}: {first17!r}")
    try:
        total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the USCC character set") from None
    return CHARSET[(31 - total % 31) % 31]


def has_valid_form(code: str) -> bool:
    """18 characters, all from the allowed set (the check character not considered)."""
    return len(code) == LENGTH and all(char in _VALUE for char in code)


def is_valid(code: str) -> bool:
    """Well-formed and the check character matches."""
    return has_valid_form(code) and check_character(code[:17]) == code[17]


_LOOKUP = np.full(128, -1, dtype=np.int64)
for _char, _value in _VALUE.items():
    _LOOKUP[ord(_char)] = _value


def check_ok(codes: pd.Series) -> pd.Series:
    """Vectorised check: True where the check character matches, False where it does not,
    <NA> where the code is missing or not of the valid form."""
    text = pa.array(codes.astype("string").array)  # pandas' Arrow-backed strings: no copy
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    form_ok = pc.fill_null(pc.match_substring_regex(text, f"^[{CHARSET}]{{{LENGTH}}}$"), False)
    result = pd.Series(pd.NA, index=codes.index, dtype="boolean")
    if not pc.any(form_ok).as_py():
        return result
    valid = text.filter(form_ok)  # every value exactly 18 ASCII bytes: the data buffer is an 18-column matrix
    width = np.int64 if pa.types.is_large_string(valid.type) else np.int32
    offsets = np.frombuffer(valid.buffers()[1], dtype=width)[valid.offset : valid.offset + len(valid) + 1]
    data = np.frombuffer(valid.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    values = _LOOKUP[data.reshape(-1, LENGTH)]
    total = values[:, :17] @ np.asarray(WEIGHTS, dtype=np.int64)
    expected = (31 - total % 31) % 31
    result[form_ok.to_numpy(zero_copy_only=False)] = expected == values[:, 17]
    return result
