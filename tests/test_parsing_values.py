"""Cell value converters: numbers, integers, booleans, dates and code labels, vectorised."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from greenmfg import codes
from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.parsing import values
from greenmfg.units import cell_units


def strings(items: list[str | None]) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(items, pa.string())])


def test_plain_numbers_take_the_direct_cast() -> None:
    result, bad = values.to_float(strings(["1", "2.5", None, "-3e2"]))
    assert result.to_pylist() == [1.0, 2.5, None, -300.0]
    assert not bad.any()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", 1234.5),
        ("1，234", 1234.0),
        ("１２３４", 1234.0),
        (" 12 ", 12.0),
        ("(123)", -123.0),
        ("（1,000）", -1000.0),
        ("−5", -5.0),
        ("1 234", 1234.0),
    ],
)
def test_messy_numbers_are_normalised(raw: str, expected: float) -> None:
    result, bad = values.to_float(strings([raw, "7"]))
    assert result.to_pylist()[0] == pytest.approx(expected)
    assert not bad.any()


@pytest.mark.parametrize(
    ("raw", "canonical", "expected"),
    [
        ("12.5%", "pct", 12.5),
        ("300万元", "10k_yuan", 300.0),
        ("3亿元", "10k_yuan", 30_000.0),
        ("500千克", "t", 0.5),
    ],
)
def test_a_unit_after_a_number_of_its_quantity_is_applied(raw: str, canonical: str, expected: float) -> None:
    result, bad = values.to_float(strings([raw, "7"]), 1.0, cell_units(canonical))
    assert result.to_pylist() == [pytest.approx(expected), 7.0]
    assert not bad.any()


@pytest.mark.parametrize(
    ("raw", "canonical"), [("12%", "10k_yuan"), ("5吨", "10k_yuan"), ("约100", "t"), ("3万", "t")]
)
def test_text_after_a_number_that_is_no_unit_of_its_quantity_is_a_cell_error(
    raw: str, canonical: str
) -> None:
    result, bad = values.to_float(strings([raw, "7"]), 1.0, cell_units(canonical))
    assert result.to_pylist() == [None, 7.0]
    assert bad.tolist() == [True, False]


@pytest.mark.parametrize("raw", ["", "-", "—", "nan", "NaN", "  ", "/"])
def test_empty_tokens_are_na_not_errors(raw: str) -> None:
    result, bad = values.to_float(strings([raw, "x1"]))
    assert result.to_pylist()[0] is None
    assert bad.tolist() == [False, True]


def test_scaling_divides_for_exact_decimal_results() -> None:
    result, _ = values.to_float(strings(["3", "1234"]), factor=0.1)
    assert result.to_pylist() == [0.3, 123.4]


def test_integers_reject_fractions() -> None:
    result, bad = values.to_int(strings(["12", "3.0", "2.5", None, "1,000"]))
    assert result.to_pylist() == [12, 3, None, None, 1000]
    assert bad.tolist() == [False, False, True, False, False]


def test_booleans() -> None:
    raw = ["是", "否", "Y", "n", "1", "0", "TRUE", "false", "", "maybe"]
    result, bad = values.to_bool(strings(raw))
    assert result.to_pylist() == [True, False, True, False, True, False, True, False, None, None]
    assert bad.tolist() == [False] * 9 + [True]


@pytest.mark.parametrize(
    "raw",
    ["2020-01-31", "2020/1/31", "2020年1月31日", "20200131", "2020.1.31", "2020-01-31 00:00:00", "43861"],
)
def test_dates(raw: str) -> None:
    result, bad = values.to_date(strings([raw]))
    assert result.to_pylist() == [dt.date(2020, 1, 31)]
    assert not bad.any()


@pytest.mark.parametrize("raw", ["2020-13-01", "明年", "31/01/2020"])
def test_bad_dates(raw: str) -> None:
    result, bad = values.to_date(strings([raw]))
    assert result.to_pylist() == [None]
    assert bad.tolist() == [True]


def test_code_labels_aliases_and_unknown() -> None:
    mapping = codes.aliases("tiers")
    result, bad = values.to_code(strings(["国家级", " 省 ", "municipal", "乡级", None]), mapping)
    assert result.to_pylist() == ["national", "provincial", "municipal", "乡级", None]
    assert not bad.any()


def test_district_division_code_prefix() -> None:
    mapping = load_profile(DEFAULT_CITY).district_aliases()
    result, _ = values.to_code(strings(["330503123000", "德清", "湖州经开区"]), mapping, division_prefix=True)
    assert result.to_pylist() == ["330503", "330521", "330502"]


def test_code_like_strings_are_normalised() -> None:
    result, _ = values.to_string(strings(["９１１１ ０000600037341l", "  abc  ", "   "]), code_like=True)
    assert result.to_pylist() == ["91110000600037341L", "ABC", None]
