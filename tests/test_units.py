"""Unit conversion: money into 10,000 yuan, physical units into each column's canonical unit."""

from __future__ import annotations

import pytest

from greenmfg.parsing.headers import split_unit
from greenmfg.units import YUAN_10K, multiplier


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
    ],
)
def test_physical_units(raw: str, canonical: str, factor: float) -> None:
    assert multiplier(raw, canonical) == pytest.approx(factor)


@pytest.mark.parametrize(("raw", "canonical"), [("吨", "10k_kwh"), ("美元", YUAN_10K), ("furlong", "t")])
def test_unknown_or_mismatched_units_raise(raw: str, canonical: str) -> None:
    with pytest.raises(KeyError):
        multiplier(raw, canonical)


@pytest.mark.parametrize(
    ("header", "base", "unit"),
    [
        ("营业收入(千元)", "营业收入", "千元"),
        ("营业收入（万元）", "营业收入", "万元"),
        (" 工业总产值 【亿元】", "工业总产值", "亿元"),
        ("电力(万千瓦时)", "电力", "万千瓦时"),
        ("工业总产值(当年价格)", "工业总产值(当年价格)", None),
        ("企业名称", "企业名称", None),
    ],
)
def test_split_unit_from_header(header: str, base: str, unit: str | None) -> None:
    assert split_unit(header) == (base, unit)
