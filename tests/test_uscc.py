"""USCC check character (GB 32100-2015) on the DOMAIN.md vectors, scalar and vectorised."""

from __future__ import annotations

import pandas as pd
import pytest

from greenmfg.uscc import CHARSET, WEIGHTS, check_character, check_ok, has_valid_form, is_valid

VALID = ["91110000600037341L", "91110000101623741K", "911101066976941872", "91350100M000100Y43"]


def corrupt(code: str) -> str:
    """Same code with the check character replaced by the next one in the character set."""
    return code[:17] + CHARSET[(CHARSET.index(code[17]) + 1) % len(CHARSET)]


def reference_check(first17: str) -> str:
    """The check character written out from the standard's formula, independently of greenmfg.uscc."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", VALID)
def test_valid_vectors(code: str) -> None:
    assert is_valid(code)
    assert check_character(code[:17]) == code[17] == reference_check(code[:17])


@pytest.mark.parametrize("code", VALID)
def test_corrupted_check_character_is_invalid(code: str) -> None:
    assert not is_valid(corrupt(code))


def test_transposed_digits_are_detected() -> None:
    code = VALID[0]
    swapped = code[:8] + code[9] + code[8] + code[10:]
    assert swapped != code and not is_valid(swapped)


@pytest.mark.parametrize(
    "bad", ["", "91110000600037341", "91110000600037341LL", "9111000060003734IL", "O" * 18]
)
def test_malformed_codes(bad: str) -> None:
    assert not has_valid_form(bad)
    assert not is_valid(bad)


def test_check_character_rejects_foreign_characters() -> None:
    with pytest.raises(ValueError):
        check_character("9111000060003734I")


def test_check_ok_vectorised_matches_scalar() -> None:
    codes = pd.Series([*VALID, *map(corrupt, VALID), None, "short", "9111000060003734IL"], dtype="string")
    result = check_ok(codes)
    assert str(result.dtype) == "boolean"
    assert result.iloc[:4].tolist() == [True] * 4
    assert result.iloc[4:8].tolist() == [False] * 4
    assert result.iloc[8:].isna().all()
    for code, flag in zip(codes.iloc[:8], result.iloc[:8], strict=True):
        assert flag == is_valid(code)


def test_check_ok_on_many_generated_codes_agrees_with_reference() -> None:
    firsts = [f"9133050{i:010d}"[:17] for i in range(0, 3000, 7)]
    codes = pd.Series(
        [f + reference_check(f) for f in firsts] + [corrupt(f + reference_check(f)) for f in firsts]
    )
    result = check_ok(codes)
    assert result.iloc[: len(firsts)].all()
    assert not result.iloc[len(firsts) :].any()
