"""How each bureau sends each filing: format, encoding, money unit, title rows, header spelling, quirks.

A layout is data, cycled over the years written, so every quirk the parser must survive appears somewhere:
CSV in UTF-8, UTF-8 with BOM and GB18030; XLSX with title rows, a two-row merged header and a totals
row; money in 千元, 万元 and 亿元; full-width digits and thousands separators; a missing year column.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Layout:
    """One file's way of writing a filing. Title templates take `{year}`."""

    fmt: Format
    encoding: str = "utf-8"  # CSV only: utf-8, utf-8-sig, gb18030
    money_unit: str = "万元"
    unit_in_title: bool = False  # "单位：千元" as a title row instead of brackets in the headers
    titles: tuple[str, ...] = ()
    year_column: bool = True
    merged_energy_header: bool = False  # parent "能源消费量" over the energy columns (XLSX)
    totals_row: bool = False
    district_names: bool = True  # 吴兴区 / 南太湖新区 rather than 330502 (the city profile's names)
    date_style: Literal["iso", "chinese", "excel"] = "iso"
    fullwidth_share: float = 0.0  # share of numeric cells written with full-width digits
    thousands_separators: bool = False
    fullwidth_brackets: bool = False  # 营业收入（万元） rather than 营业收入(万元)
    label_aliases: bool = False  # early spellings of code labels (绿色供应链管理示范企业)
    variant: int = 0  # which header spelling of each column (cycled through headers.csv)
    streamed: bool = False  # scale mode: plain UTF-8 CSV streamed by pyarrow, no titles or text quirks

    @property
    def suffix(self) -> str:
        return "." + self.fmt


STATS_TITLE = "{city}{year}年规模以上工业企业统计表"
UNIT_TITLE = "单位：{unit}"

ENTERPRISE_STATS: tuple[Layout, ...] = (
    Layout(
        "csv", encoding="gb18030", money_unit="千元", year_column=False, thousands_separators=True, variant=0
    ),
    Layout(
        "csv", encoding="utf-8-sig", money_unit="万元", fullwidth_share=0.02, district_names=False, variant=1
    ),
    Layout(
        "xlsx",
        money_unit="千元",
        unit_in_title=True,
        titles=(STATS_TITLE, UNIT_TITLE),
        year_column=False,
        merged_energy_header=True,
        totals_row=True,
        district_names=False,
        variant=2,
    ),
    Layout(
        "xlsx",
        money_unit="万元",
        titles=("{city}{year}年规模以上工业企业主要指标",),
        totals_row=True,
        fullwidth_share=0.01,
        variant=3,
    ),
    Layout("csv", encoding="utf-8", money_unit="亿元", fullwidth_brackets=True, variant=4),
)
# The corrected re-filing of a period: sent as a plain CSV.
ENTERPRISE_STATS_CORRECTION = Layout("csv", encoding="utf-8", money_unit="万元", variant=1)

GREEN_REGISTER: tuple[Layout, ...] = (
    Layout("csv", encoding="utf-8", district_names=False, label_aliases=True, variant=0),
    Layout("xlsx", titles=("{city}{year}年绿色制造名录",), year_column=False, date_style="excel", variant=1),
    Layout("csv", encoding="gb18030", date_style="chinese", variant=2),
    Layout("xlsx", titles=("{city}{year}年度绿色制造体系名录", "（截至{year}年12月31日）"), variant=3),
    Layout(
        "csv", encoding="utf-8-sig", year_column=False, date_style="chinese", district_names=False, variant=4
    ),
)

INCENTIVES: tuple[Layout, ...] = (
    Layout("csv", encoding="utf-8", variant=0),
    Layout(
        "xlsx",
        titles=("{city}{year}年绿色制造奖补资金公示名单", UNIT_TITLE),
        unit_in_title=True,
        totals_row=True,
        year_column=False,
        variant=1,
    ),
    Layout("csv", encoding="gb18030", money_unit="千元", thousands_separators=True, variant=2),
    Layout("xlsx", titles=("{city}{year}年绿色制造奖补资金公示名单",), totals_row=True, variant=3),
    Layout("csv", encoding="utf-8-sig", fullwidth_share=0.1, year_column=False, variant=4),
)

GREEN_LOANS: tuple[Layout, ...] = (
    Layout("csv", encoding="utf-8", variant=0),
    Layout("csv", encoding="gb18030", money_unit="亿元", year_column=False, date_style="chinese", variant=1),
    Layout("xlsx", titles=("{city}{year}年绿色化改造贷款申请汇总表",), totals_row=True, variant=2),
    Layout("csv", encoding="utf-8-sig", thousands_separators=True, variant=3),
    Layout(
        "xlsx",
        money_unit="亿元",
        titles=("{city}{year}年绿色贷款申请情况", UNIT_TITLE),
        unit_in_title=True,
        year_column=False,
        variant=4,
    ),
)

LAYOUTS: dict[str, tuple[Layout, ...]] = {
    "enterprise_stats": ENTERPRISE_STATS,
    "green_register": GREEN_REGISTER,
    "incentives": INCENTIVES,
    "green_loans": GREEN_LOANS,
}

# File stems per filing type: a year and words a bureau would use.
STEMS: dict[str, str] = {
    "enterprise_stats": "{year}年规上工业企业统计",
    "green_register": "{year}年绿色制造名录",
    "incentives": "{year}年绿色制造奖补公示",
    "green_loans": "{year}年绿色贷款申请",
}
CORRECTION_MARK = "更正"


def layout_for(filing_type: str, index: int, *, scale_mode: bool = False) -> Layout:
    """The layout of the `index`-th year written; in scale mode enterprise files are plain CSV."""
    layout = LAYOUTS[filing_type][index % len(LAYOUTS[filing_type])]
    if scale_mode and filing_type == "enterprise_stats":
        layout = replace(
            layout,
            fmt="csv",
            encoding="utf-8" if layout.encoding == "gb18030" else layout.encoding,
            titles=(),
            unit_in_title=False,
            merged_energy_header=False,
            totals_row=False,
            fullwidth_share=0.0,
            thousands_separators=False,
            streamed=True,
        )
    return layout
