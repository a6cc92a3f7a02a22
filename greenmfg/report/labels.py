"""Chinese and English names of the codes a report shows: districts, lists, tiers, kinds, divisions."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from greenmfg import codes
from greenmfg.cities import CityProfile
from greenmfg.report.model import Label

DIVISIONS_CSV = Path(__file__).with_name("divisions.csv")
ALL = "ALL"

# English names for the code lists that carry only Chinese ones (greenmfg/codes/*.csv).
_LIST_TYPES_EN = {
    "green_factory": "Green factories",
    "green_park": "Green industrial parks",
    "green_supply_chain": "Green supply-chain companies",
    "green_design_product": "Green design products",
}
_TIERS_EN = {"national": "National", "provincial": "Provincial", "municipal": "Municipal"}
_INCENTIVE_KINDS_EN = {"model_award": "Model awards", "equipment_subsidy": "Equipment subsidies"}


def _from_codes(list_name: str, code: str, english: dict[str, str]) -> Label:
    for row in codes.rows(list_name):
        if next(iter(row.values())) == code:
            return Label(row["name_zh"], row.get("name_en") or english.get(code, code))
    return Label(code, english.get(code, code))


def district(code: str, city: CityProfile) -> Label:
    """吴兴区 / Wuxing; the city total (330500) as 湖州市 / Huzhou (city): names of the snapshot's city."""
    row = next((r for r in city.district_rows() if r["district_code"] == code), None)
    return Label(row["name_zh"], row["name_en"]) if row else Label(code, code)


def list_type(code: str) -> Label:
    return _from_codes("list_types", code, _LIST_TYPES_EN)


def tier(code: str) -> Label:
    return _from_codes("tiers", code, _TIERS_EN)


def incentive_kind(code: str) -> Label:
    return _from_codes("incentive_kinds", code, _INCENTIVE_KINDS_EN)


@cache
def _divisions() -> dict[str, dict[str, str]]:
    with open(DIVISIONS_CSV, encoding="utf-8", newline="") as handle:
        return {row["industry_division"]: row for row in csv.DictReader(handle)}


def division(code: str, *, short: bool = True) -> Label:
    """'26 化工' / '26 Chemicals' (short, for axes) or the full GB/T 4754-2017 Chinese name."""
    if code == ALL:
        return Label("全部行业", "All divisions")
    row = _divisions().get(code, {})
    zh = row.get("short_zh" if short else "name_zh", "")
    return Label(f"{code} {zh}".strip(), f"{code} {row.get('name_en', '')}".strip())


def district_order(city: CityProfile) -> tuple[str, ...]:
    """Districts in code order, then the city total."""
    return (*city.district_codes(), city.code)


_PROVINCES_EN = {
    "北京": "Beijing",
    "天津": "Tianjin",
    "河北": "Hebei",
    "山西": "Shanxi",
    "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning",
    "吉林": "Jilin",
    "黑龙江": "Heilongjiang",
    "上海": "Shanghai",
    "江苏": "Jiangsu",
    "浙江": "Zhejiang",
    "安徽": "Anhui",
    "福建": "Fujian",
    "江西": "Jiangxi",
    "山东": "Shandong",
    "河南": "Henan",
    "湖北": "Hubei",
    "湖南": "Hunan",
    "广东": "Guangdong",
    "广西": "Guangxi",
    "海南": "Hainan",
    "重庆": "Chongqing",
    "四川": "Sichuan",
    "贵州": "Guizhou",
    "云南": "Yunnan",
    "西藏": "Tibet",
    "陕西": "Shaanxi",
    "甘肃": "Gansu",
    "青海": "Qinghai",
    "宁夏": "Ningxia",
    "新疆": "Xinjiang",
    "全国": "China",
    "未知": "Unknown",
}


def province(name: str) -> Label:
    """Province names as the MIIT lists normalise them (greenmfg/codes/regions.csv), with pinyin."""
    return Label(name, _PROVINCES_EN.get(name, name))
