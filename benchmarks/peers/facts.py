"""What the two peer scripts know about the bureau's enterprise filings, written down once (stdlib only).

The peers are independent of greenmfg: nothing here is imported from it. The facts are the bureau's and the
standards' (sources named beside each); the header spellings are those the bureau's enterprise statistics use
(forms 101-1, B204-1, 205-1, as the reference filings write them).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

# Canonical column → header spellings (without the unit in brackets).
HEADERS: dict[str, tuple[str, ...]] = {
    "year": ("年份", "统计年度", "年度", "报告期", "统计年份"),
    "credit_code": (
        "统一社会信用代码", "社会信用代码", "信用代码", "法人单位统一社会信用代码", "单位统一社会信用代码",
    ),
    "enterprise_name": ("单位详细名称", "企业名称", "单位名称", "企业全称", "法人单位名称"),
    "division_code": ("行政区划代码", "区划代码", "所在地行政区划代码", "所在地区划代码", "统计用区划代码"),
    "district_code": ("区县代码", "所属区县", "区县", "所在区县", "县区"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业小类代码", "国民经济行业分类代码", "行业类别代码"),
    "size_class": ("企业规模", "规模", "企业规模代码", "规模代码", "单位规模"),
    "is_above_size": ("是否规模以上", "是否规上", "规上企业", "是否规上企业", "是否规模以上工业企业"),
    "revenue_10k_yuan": ("营业收入", "主营业务收入", "本年营业收入", "营业收入合计"),
    "gross_output_10k_yuan": (
        "工业总产值", "工业总产值(当年价格)", "工业总产值当年价格", "工业总产值(现价)", "工业总产值现价",
    ),
    "value_added_10k_yuan": ("工业增加值", "工业增加值(可比价)", "工业增加值(可比价格)"),
    "employees": ("从业人员平均人数", "平均用工人数", "从业人员年平均人数", "年平均从业人员", "平均从业人数"),
    "raw_coal_t": ("原煤", "原煤消费量", "原煤消耗量"),
    "coke_t": ("焦炭", "焦炭消费量", "焦炭消耗量"),
    "crude_oil_t": ("原油", "原油消费量", "原油消耗量"),
    "fuel_oil_t": ("燃料油", "燃料油消费量", "燃料油消耗量"),
    "gasoline_t": ("汽油", "汽油消费量", "汽油消耗量"),
    "diesel_t": ("柴油", "柴油消费量", "柴油消耗量"),
    "lpg_t": ("液化石油气", "液化石油气消费量", "液化石油气消耗量"),
    "natural_gas_10k_m3": ("天然气", "天然气消费量", "天然气用量", "天然气消耗量"),
    "electricity_10k_kwh": ("电力", "用电量", "电力消费量", "电力消耗量", "电力(当量值)"),
    "heat_gj": ("热力", "外购热力", "热力消费量", "外购热力消费量"),
    "energy_total_tce": (
        "综合能源消费量", "能源消费总量", "综合能耗", "综合能源消费量(当量值)", "综合能耗(当量值)",
    ),
    "water_10k_t": ("用水量", "用水总量", "取水量", "取水总量", "新鲜水取水量"),
    "land_area_m2": ("用地面积", "占地面积", "土地面积"),
}  # fmt: skip
SPELLING_TO_COLUMN = {spelling: column for column, spellings in HEADERS.items() for spelling in spellings}

TEXT_COLUMNS = (
    "credit_code",
    "enterprise_name",
    "division_code",
    "district_code",
    "industry_code",
    "size_class",
)
REQUIRED = (
    "year", "credit_code", "enterprise_name", "district_code", "industry_code", "industry_division",
    "is_above_size", "revenue_10k_yuan", "gross_output_10k_yuan",
)  # fmt: skip
KEY = ("year", "credit_code")

# Energy by type: column → (unit the header states, tce per unit). GB/T 2589 factors as DOMAIN.md lists them
# (kgce per kg, kWh, m³ or MJ), scaled to the header's unit: ×1000 per t, ×10^4 per 10^4 kWh or m³, ×1000 per
# GJ, then /1000 kg per t. Natural gas: the midpoint of the 1.1000–1.3300 range.
ENERGY: dict[str, tuple[str, float]] = {
    "raw_coal_t": ("吨", 0.7143),
    "coke_t": ("吨", 0.9714),
    "crude_oil_t": ("吨", 1.4286),
    "fuel_oil_t": ("吨", 1.4286),
    "gasoline_t": ("吨", 1.4714),
    "diesel_t": ("吨", 1.4571),
    "lpg_t": ("吨", 1.7143),
    "natural_gas_10k_m3": ("万立方米", 1.2150 * 10),
    "electricity_10k_kwh": ("万千瓦时", 0.1229 * 10),
    "heat_gj": ("吉焦", 0.03412),
}
MONEY_COLUMNS = ("revenue_10k_yuan", "gross_output_10k_yuan", "value_added_10k_yuan")
# Money in 10,000 yuan: (divide by, multiply by) for each unit a header may state.
MONEY_UNITS: dict[str, tuple[float, float]] = {
    "千元": (10.0, 1.0),
    "万元": (1.0, 1.0),
    "亿元": (1.0, 10_000.0),
}
# The one unit each other numeric column is filed in.
UNITS: dict[str, str] = {
    "employees": "人",
    **{column: unit for column, (unit, _) in ENERGY.items()},
    "energy_total_tce": "吨标准煤",
    "water_10k_t": "万吨",
    "land_area_m2": "平方米",
}
NUMERIC_COLUMNS = (*MONEY_COLUMNS, *UNITS)  # none of them may be negative
YEAR_RANGE = (1990, 2100)

# GB/T 2260: Huzhou's districts and counties, their names and short names, and the functional zones the
# bureau reports as districts (assigned to Wuxing, where most of each lies).
CITY_CODE = "330500"
DISTRICTS: dict[str, tuple[str, ...]] = {
    "330500": ("湖州市", "市本级"),
    "330502": (
        "吴兴区", "吴兴", "南太湖新区", "湖州南太湖新区", "湖州经济技术开发区", "湖州经开区",
        "湖州太湖旅游度假区", "太湖度假区",
    ),
    "330503": ("南浔区", "南浔"),
    "330521": ("德清县", "德清"),
    "330522": ("长兴县", "长兴"),
    "330523": ("安吉县", "安吉"),
}  # fmt: skip
DISTRICT_NAMES = {name: code for code, names in DISTRICTS.items() for name in (code, *names)}
# NBS size classes: labels and codes 1–4.
SIZE_CLASSES: dict[str, tuple[str, ...]] = {
    "large": ("大型", "大", "大型企业", "1"),
    "medium": ("中型", "中", "中型企业", "2"),
    "small": ("小型", "小", "小型企业", "3"),
    "micro": ("微型", "微", "微型企业", "4"),
}
SIZE_NAMES = {name: code for code, names in SIZE_CLASSES.items() for name in (code, *names)}
YES, NO = "是", "否"
# Cells that mean "nothing filed".
EMPTY_MARKS = ("", "-", "--", "—", "——", "/", "无")

# GB/T 4754-2017: manufacturing is section C, divisions 13–43.
MANUFACTURING_DIVISIONS = tuple(f"{d:02d}" for d in range(13, 44))
# NBS: above designated size means main-business revenue ≥ 20 million yuan since 2011, 5 million before.
ABOVE_SIZE_10K_YUAN, ABOVE_SIZE_FROM_YEAR, ABOVE_SIZE_BEFORE_10K_YUAN = 2000.0, 2011, 500.0
# Reported total energy may differ from Σ energy by type × factor by 5 % of the larger value, or 1 tce.
ENERGY_TOLERANCE_SHARE, ENERGY_TOLERANCE_TCE = 0.05, 1.0
# Value added may exceed gross output only by float noise.
EPSILON = 1e-9
# Drift against the filing in force before (greenmfg's defaults, expectations/README.md, kept as flags here):
# the row count may fall by 25 % or grow by 100 %; at most 20 % of the earlier credit codes may disappear.
MAX_ROW_COUNT_DROP, MAX_ROW_COUNT_GROWTH, MAX_DELETED_KEY_SHARE = 0.25, 1.0, 0.20

# GB 32100-2015: the Unified Social Credit Code, 18 characters, the last a check character.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATTERNS = {
    "credit_code": r"^[0-9A-HJ-NP-RTUWXY]{18}$",
    "division_code": r"^\d{12}$",
    "industry_code": r"^\d{4}$",
    "industry_division": r"^\d{2}$",
}

_HEADER = re.compile(r"^(?P<name>.*?)[(（](?P<unit>[^()（）]+)[)）]$")
_YEAR_IN_NAME = re.compile(r"((?:19|20)\d\d)\s*年")


def read_header(header: str) -> tuple[str | None, str | None]:
    """(canonical column or None, unit stated in brackets or None) of one header cell."""
    text = header.strip().lstrip("\ufeff")
    match = _HEADER.match(text)
    if match and match["unit"] in (*MONEY_UNITS, *UNITS.values()):
        return SPELLING_TO_COLUMN.get(match["name"].strip()), match["unit"]
    return SPELLING_TO_COLUMN.get(text), None


class FilingProblem(Exception):
    """A filing the peer cannot read: its message names the file, what is wrong and what was expected."""


def header_plan(path: Path) -> dict[str, tuple[str, str | None]]:
    """raw header → (canonical column, unit) of a CSV filing (UTF-8, with or without BOM); a missing column
    or an unexpected unit is a FilingProblem."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        headers = next(csv.reader(handle), [])
    plan: dict[str, tuple[str, str | None]] = {}
    for header in headers:
        column, unit = read_header(header)
        if column is None:
            continue
        if column in MONEY_COLUMNS and unit not in MONEY_UNITS:
            raise FilingProblem(
                f"{path}: header {header!r}: money unit {unit!r}; expected one of {list(MONEY_UNITS)}"
            )
        if column in UNITS and unit not in (None, UNITS[column]):
            raise FilingProblem(f"{path}: header {header!r}: unit {unit!r}; expected {UNITS[column]}")
        plan[header] = (column, unit)
    found = {column for column, _ in plan.values()}
    missing = [c for c in HEADERS if c not in found and c != "year"]
    if missing:
        raise FilingProblem(f"{path}: no column for {missing}; expected one of the spellings of each")
    return plan


def year_of(path: Path) -> int | None:
    """The year a file name states (…2020年…), for files without a year column."""
    match = _YEAR_IN_NAME.search(path.name)
    return int(match.group(1)) if match else None
