"""Unit conversion: money into 10,000 yuan, physical units into each column's canonical unit."""

from __future__ import annotations

import pytest

from greenmfg.parsing.vocabulary import decompose, trailing_unit
from greenmfg.units import YUAN_10K, cell_units, multiplier


@pytest.mark.parametrize(
    ("raw", "yuan_per_unit"),
    [
        ("元", 1),
        ("千元", 1_000),
        ("万元", 10_000),
        ("百万元", 1_000_000),
        ("亿元", 100_000_000),
        (" 千元 ", 1_000),
    ],
)
def test_money_to_10k_yuan(raw: str, yuan_per_unit: int) -> None:
    assert multiplier(raw, YUAN_10K) == pytest.approx(yuan_per_unit / 10_000)


@pytest.mark.parametrize(
    ("raw", "canonical", "factor"),
    [
        ("吨", "t", 1.0),
        ("千克", "t", 0.001),
        ("kg", "t", 0.001),
        ("万千瓦时", "10k_kwh", 1.0),
        ("千瓦时", "10k_kwh", 1e-4),
        ("kWh", "10k_kwh", 1e-4),
        ("立方米", "10k_m3", 1e-4),
        ("m³", "10k_m3", 1e-4),
        ("吨标准煤", "tce", 1.0),
        ("万吨标准煤", "tce", 1e4),
        ("兆焦", "gj", 1e-3),
        ("亩", "m2", 666.6667),
        ("万吨", "t", 1e4),
        ("度", "10k_kwh", 1e-4),
        ("公顷", "m2", 1e4),
    ],
)
def test_physical_units(raw: str, canonical: str, factor: float) -> None:
    assert multiplier(raw, canonical) == pytest.approx(factor)


@pytest.mark.parametrize(("raw", "canonical"), [("吨", "10k_kwh"), ("美元", YUAN_10K), ("furlong", "t")])
def test_unknown_or_mismatched_units_raise(raw: str, canonical: str) -> None:
    with pytest.raises(KeyError):
        multiplier(raw, canonical)


def test_a_declared_equivalence_crosses_dimensions_and_nothing_else_does() -> None:
    water = (("10k_m3", 1.0),)
    assert multiplier("立方米", "10k_t", water) == pytest.approx(1e-4)
    with pytest.raises(KeyError):
        multiplier("立方米", "10k_t")
    assert "立方米" in cell_units("10k_t", water) and "万元" not in cell_units("10k_t", water)


@pytest.mark.parametrize(
    ("header", "name", "units"),
    [
        ("营业收入(千元)", "营业收入", ("千元",)),
        ("营业收入（万元）", "营业收入", ("万元",)),
        (" 工业总产值 【亿元】", "工业总产值", ("亿元",)),
        ("电力(万千瓦时)", "电力", ("万千瓦时",)),
        ("工业总产值(当年价格)", "工业总产值当年价格", ()),
        ("工业总产值当年价格(千元)", "工业总产值当年价格", ("千元",)),
        ("天然气用量（立方米）", "天然气用量", ("立方米",)),
        ("营业收入(单位：万元)", "营业收入", ("万元",)),
        ("企业名称", "企业名称", ()),
    ],
)
def test_a_header_is_taken_apart_into_name_and_units(header: str, name: str, units: tuple) -> None:
    parts = decompose(header)
    assert (parts.name, parts.units) == (name, units)


def test_a_note_in_brackets_is_dropped_only_when_declared() -> None:
    assert decompose("企业名称（盖章）", frozenset({"盖章"})).name == "企业名称"
    assert decompose("企业名称（盖章）").name == "企业名称盖章"


@pytest.mark.parametrize(
    ("name", "split"),
    [("营业收入万元", ("营业收入", "万元")), ("用电量/万千瓦时", ("用电量", "万千瓦时")), ("企业名称", None)],
)
def test_a_unit_after_the_name_without_brackets(name: str, split) -> None:
    assert trailing_unit(name) == split
