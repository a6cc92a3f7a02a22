# ruff: noqa: E501 - the files are tables, one row per line
"""Writes the corpus files that are not plain UTF-8 text: workbooks (.xlsx, .xls) and CSVs in GB18030 or with a BOM.

Run by hand after changing a file's content (`.venv/bin/python tests/corpus/make_workbooks.py`), never by the
tests; the answer keys beside the files are written by hand from what each file says. Every cell here is as a
bureau would have typed it; workbook bytes are reproducible (fixed document dates and zip timestamps).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.utils import range_boundaries

# fmt: off
# The cells below are tables: one row of a file per line, as it would be typed.

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
BUREAU = HERE / "bureau"

# The fictional Huzhou enterprises the files speak of (valid GB 32100 codes made with greenmfg.uscc).
E1 = "91330502MA2F8MGMB9"  # 湖州华丰丝绸印染有限公司, 吴兴区, 1743
E2 = "91330502MA24C0BF88"  # 浙江恒远化纤有限公司, 吴兴区, 2822
E3 = "91330503793809275M"  # 湖州南浔盛林木业有限公司, 南浔区, 2034
E4 = "91330503MA25AW61J8"  # 湖州双林精密电机有限公司, 南浔区, 3812
E5 = "91330521MA2T62GMTU"  # 德清华禹新材料股份有限公司, 德清县, 2641
E6 = "913305215610083165"  # 德清莫干山电子元件有限公司, 德清县, 3981
E7 = "91330522MA2YE3MD4R"  # 长兴泗安蓄电池有限公司, 长兴县, 3843
E8 = "91330522MA2HAWKH5R"  # 浙江和平耐火材料有限公司, 长兴县, 3089
E9 = "9133052308281696X0"  # 安吉孝丰竹木制品有限公司, 安吉县, 2041
E10 = "91330523MA2KFFKCH6"  # 浙江天荒坪家具有限公司, 安吉县, 2110
E11 = "91330502MA20LP2Y68"  # 湖州南太湖新能源科技有限公司, 南太湖新区 (吴兴区), 3841
E12 = "91330502455641435G"  # 湖州经开精工泵业有限公司, 湖州经济技术开发区 (吴兴区), 3441
E13 = "91330522MA2BBGJRQQ"  # 长兴新港水泥有限公司, 长兴县, 3011
E14 = "91330502MA2G50CTUW"  # 湖州织里童装有限公司, 吴兴区, 1810
E15 = "913305036080360631"  # 湖州练市不锈钢管业有限公司, 南浔区, 3130
E16 = "91330521MA2QK3QH71"  # 德清新市生物科技有限公司, 德清县, 2761
E17 = "91330523MA252N81DR"  # 安吉递铺椅业有限公司, 安吉县, 2130
E18 = "91330503475908753B"  # 湖州菱湖丝织有限公司, 南浔区, 1742
E19 = "91330521MA2A9EFNY8"  # 德清武康光电科技有限公司, 德清县, 3976
E20 = "91330522MA2UF7Y5EG"  # 长兴太湖纺织有限公司, 长兴县, 1752

FIXED_TIME = (2021, 1, 15, 9, 0, 0)


@dataclass(frozen=True)
class Num:
    """A number cell shown with a number format (thousands separators, decimals)."""

    value: float
    fmt: str = "#,##0.00"


@dataclass(frozen=True)
class Day:
    """A date cell (an Excel serial underneath, shown with a date format)."""

    value: date
    fmt: str = "yyyy-mm-dd"


@dataclass
class Sheet:
    name: str
    rows: list[list]
    merges: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- writers


def _cells(sheet: Sheet):
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                yield r, c, value


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for r, c, value in _cells(spec):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Num | Day):
                cell.value, cell.number_format = value.value, value.fmt
            else:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text that starts with '=' or '-' stays text
        for merged in spec.merges:
            sheet.merge_cells(merged)
    stamp = datetime(*FIXED_TIME)
    workbook.properties.creator = "湖州市经济和信息化局"
    workbook.properties.created = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with a fixed modification date inside and fixed zip entry timestamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2021-01-15T09:00:00Z\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, xlwt.XFStyle] = {}

    def style(fmt: str) -> xlwt.XFStyle:
        if fmt not in styles:
            styles[fmt] = xlwt.easyxf(num_format_str=fmt)
        return styles[fmt]

    for spec in sheets:
        sheet = workbook.add_sheet(spec.name)
        for r, c, value in _cells(spec):
            if isinstance(value, Num):
                sheet.write(r - 1, c - 1, value.value, style(value.fmt))
            elif isinstance(value, Day):
                sheet.write(r - 1, c - 1, value.value, style(value.fmt.upper()))
            else:
                sheet.write(r - 1, c - 1, value)
        for merged in spec.merges:
            c1, r1, c2, r2 = range_boundaries(merged)
            sheet.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_csv(path: Path, lines: list[str], encoding: str) -> None:
    """`encoding` is 'gb18030' or 'utf-8-sig' (UTF-8 with a BOM); lines end with CRLF as Excel writes them."""
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


# ---------------------------------------------------------------------------------------------- enterprise_stats


def es1() -> None:
    """Form 101-1/B204-1 extract: merged title, reporter line with the money unit, column-number row, totals, signature."""
    title = "2020年规模以上工业企业主要经济指标"
    header = ["统一社会信用代码", "单位详细名称", "行政区划代码", "行业代码", "企业规模", "营业收入", "工业总产值当年价格",
              "工业增加值(可比价)", "从业人员年平均人数(人)", "综合能耗(吨标准煤)", "电力(千瓦时)", "天然气用量(立方米)", "联系电话"]
    rows = [
        [title],
        ["填报单位：湖州市经济和信息化局        金额单位：千元"],
        header,
        ["甲", "乙", "丙", "丁", "戊", 1, 2, 3, 4, 5, 6, 7, 8],
        [E1, "湖州华丰丝绸印染有限公司", "330502004000", "1743", 2, Num(356820, "#,##0"), Num(372150, "#,##0"), Num(81460, "#,##0"), 612, 9063, Num(42600000, "#,##0"), Num(3150000, "#,##0"), "0572-2261188"],
        [E2, "浙江恒远化纤有限公司", "330502102000", "C2822", 1, "2,486,300", "2,531,760", Num(498350, "#,##0"), 1846, 31236, Num(215600000, "#,##0"), Num(3900000, "#,##0"), "0572-2698001"],
        [E4, "湖州双林精密电机有限公司", "330503105000", "3812", 3, Num(86450, "#,##0"), Num(90120, "#,##0"), Num(19830, "#,##0"), 238, 1290, Num(10500000, "#,##0"), "—", "0572-3021566"],
        [E11, "湖州南太湖新能源科技有限公司", "330502007000", "3841", 2, Num(412600, "#,##0"), Num(428900, "#,##0"), Num(90210, "#,##0"), 705, 4589, Num(32400000, "#,##0"), Num(500000, "#,##0"), None],
        ["合计", None, None, None, None, Num(3342170, "#,##0"), Num(3422930, "#,##0"), Num(689850, "#,##0"), 3401, 46178, Num(301100000, "#,##0"), Num(7550000, "#,##0"), None],
        ["制表人：张敏        审核人：李建国        填报日期：2021年3月15日"],
    ]
    write_xlsx(CASES / "2020年规模以上工业企业主要指标.xlsx", [Sheet("Sheet1", rows, ["A1:M1", "A2:M2"])])


def es2() -> None:
    """Form 205-1 as a legacy .xls: an explanation sheet first, the data on the second sheet; no above-size word."""
    cover = Sheet("填表说明", [
        ["205-1 工业企业能源消费及取水情况"],
        ["1. 本表由辖区内重点用能工业企业填报，按年度报送。"],
        ["2. 能源消费量按实物量填报，综合能源消费量按当量值折算为吨标准煤。"],
        ["3. 所在地区填写区县简称。"],
    ])
    header = ["统一社会信用代码(18位)", "单位名称", "所在地区", "行业代码", "主营业务收入（万元）", "工业总产值（万元）", "原煤（吨）",
              "天然气（万立方米）", "电力（万千瓦时）", "热力（百万千焦）", "综合能源消费量（吨标准煤）", "取水量（吨）"]
    data = Sheet("205-1表", [
        ["工业企业能源消费情况"],
        ["2019年"],
        ["表号：205-1        制定机关：国家统计局        有效期至：2021年12月"],
        header,
        [E1, "湖州华丰丝绸印染有限公司", "吴兴", "1743", 38206.4, 40118.9, "—", 338.5, 4590.2, 21650, 10493, Num(1265400, "#,##0")],
        [E3, "湖州南浔盛林木业有限公司", "南浔", "2034", 1850.0, 1920.4, 12.5, "/", 86.3, "—", 115, Num(8600, "#,##0")],
        [E7, "长兴泗安蓄电池有限公司", "长兴", "3843", 2000, 2110.6, "-", 40.8, 1702.6, "-", 2588, Num(186500, "#,##0")],
        [E9, "安吉孝丰竹木制品有限公司", "安吉", "2041", 5987.0, 6054.0, 240, "—", 405.1, 1200, 710, Num(42300, "#,##0")],
    ], ["A1:L1"])
    write_xls(CASES / "能源消费统计205-1（2019年）.xls", [cover, data])


def es3() -> None:
    """GB18030 CSV exported from a county system: other column order, year column, long district names, size in words."""
    lines = [
        "企业名称,统一社会信用代码,统计年度,所属区县,行业类别代码,规模,工业总产值(万元),主营业务收入(万元),工业增加值(万元),从业人员平均人数(人),备注",
        f"湖州菱湖丝织有限公司,{E18},2020,湖州市南浔区,1742,小型,6820.5,6512.3,1380.2,156,",
        f'德清华禹新材料股份有限公司,{E5},2020,德清县,2641,中型,"28,650.0","27,930.6","6,120.4",402,新增',
        f"长兴太湖纺织有限公司,{E20},2020,湖州市长兴县,1752,小型,1620.0,1580.0,310.5,64,",
        f"湖州织里童装有限公司,{E14},2020,湖州市吴兴区,1810,小型,3580.2,3420.8,(125.6),96,亏损",
    ]
    write_csv(CASES / "2020年工业企业主要指标.csv", lines, "gb18030")


def es4() -> None:
    """Energy and water of above-size enterprises: merged two-row header, a unit row, district subtotals, a total, notes."""
    rows = [
        ["附件2"],
        ["2021年度规上工业企业能源消费与用水情况表"],
        ["序号", "企业名称", "统一社会信用代码", "区县", "行业代码", "产值与收入", None, "能源消费量", None, None, None, None, "取水量", "联系人"],
        [None, None, None, None, None, "营业收入", "工业总产值", "原煤", "柴油", "天然气", "电力", "综合能耗", None, None],
        [None, None, None, None, None, "万元", "万元", "吨", "吨", "万立方米", "万千瓦时", "吨标准煤", "万吨", None],
        [1, "湖州华丰丝绸印染有限公司", E1, "吴兴区", "1743", 38206.4, 40118.9, "—", 12.6, 338.5, 4590.2, 9772.5, 131.8, "沈建华"],
        [2, "湖州南太湖新能源科技有限公司", E11, "南太湖新区", "3841", 45820.6, 47210.3, "—", 5.2, 56.8, 3612.4, 5137.3, 28.6, "钱丽"],
        [None, "小计", None, None, None, 84027.0, 87329.2, None, 17.8, 395.3, 8202.6, 14909.8, 160.4, None],
        [3, "长兴泗安蓄电池有限公司", E7, "长兴县", "3843", 10238.0, 10456.0, "—", 3.5, 40.8, 1702.6, 2593.3, 18.65, None],
        [4, "长兴新港水泥有限公司", E13, "长兴县", "3011", 36580.2, 37120.8, 186500, 420.6, "—", 8650.3, 144461.0, 52.3, None],
        [None, "小计", None, None, None, 46818.2, 47576.8, 186500, 424.1, 40.8, 10352.9, 147054.3, 70.95, None],
        [None, "总计", None, None, None, 130845.2, 134906.0, 186500, 441.9, 436.1, 18555.5, 161964.1, 231.35, None],
        ["注：1. 综合能耗按当量值计算；2. 取水量为新鲜水取水量。"],
    ]
    merges = ["A2:N2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:G3", "H3:L3", "M3:M4", "N3:N4"]
    write_xlsx(CASES / "附件2 2021年规上企业能耗与用水.xlsx", [Sheet("能耗", rows, merges)])


def es5() -> None:
    """UTF-8 with BOM, money in yuan with separators, an explicit above-size column, a bad check character, land in mu."""
    lines = [
        "年份,统一社会信用代码,企业名称,区县代码,行业代码,企业规模,是否规模以上,营业收入(元),工业总产值(元),工业增加值(元),综合能源消费量(tce),电力消费量(万kWh),占地面积(亩)",
        '2019,913305036080360632,湖州练市不锈钢管业有限公司,330503,3130,3,是,"53,862,400.00","55,120,800.00","10,980,600.00",2028.1,1650.2,120',
        f'2019,{E16},德清新市生物科技有限公司,330521,2761,2,是,"186,420,000.00","190,356,000.00","52,108,000.00",3380.6,2750.7,45',
        f'2019,{E17},安吉递铺椅业有限公司,330523,2130,3,否,"12,650,000.00","13,020,000.00","2,806,000.00",196.6,160.0,18.6',
        f'2019,{E20},长兴太湖纺织有限公司,330522,1752,3,是,"21,560,000.00","22,310,000.00","(356,200.00)",310.2,252.4,30',
    ]
    write_csv(CASES / "2019年度企业统计报表（导出）.csv", lines, "utf-8-sig")


def es6() -> None:
    """Typed with a full-width input method: full-width digits and brackets; the unit (亿元) on the line under the title."""
    rows = [
        ["２０２１年规模以上工业企业产值情况"],
        [None, None, None, None, None, None, None, "单位：亿元"],
        ["序号", "企业名称", "统一社会信用代码", "县（区）", "行业代码", "营业收入", "工业总产值", "工业增加值（可比价）", "从业人员平均人数（人）"],
        ["１", "浙江恒远化纤有限公司", E2, "吴兴区", "C2822", "２６．１０４５", "２６．５８１２", "５．２３０８", "１８７２"],
        ["２", "德清莫干山电子元件有限公司", E6, "德清县", "3981", 1.3125, 1.3348, 0.3216, 486],
        ["３", "浙江天荒坪家具有限公司", E10, "安吉县", "2110", 0.8562, 0.8815, 0.1906, 312],
        ["合计", None, None, None, None, 28.2732, 28.7975, 5.743, 2670],
    ]
    write_xlsx(CASES / "2021年规上工业企业产值（全角）.xlsx", [Sheet("产值", rows, ["A1:I1", "H2:I2"])])


def es7() -> None:
    """An explanation sheet first; the unit in the line under the title; 12-digit division codes give the district."""
    cover = Sheet("说明", [
        ["填表说明"],
        ["1. 本表由各区县经信部门汇总填报，统计范围为辖区内工业企业。"],
        ["2. 行政区划代码填写12位统计用区划代码。"],
        ["3. 金额单位为万元，保留一位小数。"],
    ])
    data = Sheet("汇总表", [
        ["湖州市2020年工业企业基本情况表"],
        ["单位：万元"],
        ["行政区划代码", "单位名称", "统一社会信用代码", "行业代码", "规模", "工业总产值", "营业收入", "工业增加值", "从业人员年平均人数(人)", "综合能耗(吨标准煤)", "占地面积(平方米)", "备注"],
        ["330521101000", "德清武康光电科技有限公司", E19, "3976", "中型", Num(15620.5, "#,##0.0"), Num(15210.8, "#,##0.0"), Num(3480.6, "#,##0.0"), 420, Num(2150.0, "#,##0.0"), Num(52000, "#,##0"), "/"],
        ["330523100000", "安吉孝丰竹木制品有限公司", E9, "2041", "小型", Num(5802.6, "#,##0.0"), Num(5730.2, "#,##0.0"), Num(1210.5, "#,##0.0"), 186, Num(980.5, "#,##0.0"), Num(33350, "#,##0"), None],
        ["330522104000", "浙江和平耐火材料有限公司", E8, "3089", "中型", Num(22350.0, "#,##0.0"), Num(21980.4, "#,##0.0"), Num(4856.2, "#,##0.0"), 365, Num(18620, "#,##0.0"), Num(86700, "#,##0"), None],
        ["330503102000", "湖州南浔盛林木业有限公司", E3, "2034", "小型", Num(1905.2, "#,##0.0"), Num(1862.4, "#,##0.0"), Num(402.1, "#,##0.0"), 88, "/", Num(24000, "#,##0"), "未达规模以上标准"],
    ], ["A1:L1"])
    write_xlsx(CASES / "湖州市2020年工业企业基本情况.xlsx", [cover, data])


# ---------------------------------------------------------------------------------------------- green_register


def gr1() -> None:
    """Municipal star register: stars as ★★★, 四星级, 5星, 3; dates as date cells and one as a bare serial; a note."""
    rows = [
        ["湖州市2020年度星级绿色工厂认定名单"],
        ["序号", "企业名称", "统一社会信用代码", "所在区县", "星级", "认定级别", "名单类型", "认定时间", "有效期至", "是否撤销"],
        [1, "湖州华丰丝绸印染有限公司", E1, "吴兴区", "★★★", "市级", "绿色工厂", Day(date(2020, 6, 30)), Day(date(2023, 6, 29)), "否"],
        [2, "湖州双林精密电机有限公司", E4, "南浔区", "四星级", "市级", "绿色工厂", Day(date(2019, 11, 20), "yyyy/m/d"), Day(date(2022, 11, 19), "yyyy/m/d"), "否"],
        [3, "德清莫干山电子元件有限公司", E6, "德清县", "5星", "市级", "绿色工厂", 44012, 45106, "否"],
        [4, "长兴泗安蓄电池有限公司", E7, "长兴县", 3, "市级", "绿色工厂", Day(date(2018, 5, 15)), Day(date(2021, 5, 14)), "否"],
        [5, "安吉孝丰竹木制品有限公司", E9, "安吉县", "★★★★", "市级", "绿色工厂", Day(date(2017, 12, 20)), Day(date(2020, 12, 19)), "否"],
        [6, "浙江天荒坪家具有限公司", E10, "安吉县", "★★★", "市级", "绿色工厂", Day(date(2019, 4, 10)), "—", "是"],
        ["注：星级按《湖州市绿色工厂评价管理办法》评定，3星为市级绿色工厂，4星、5星分别推荐申报省级、国家级绿色工厂。"],
    ]
    write_xlsx(CASES / "湖州市星级绿色工厂名单（2020年）.xlsx", [Sheet("名单", rows, ["A1:J1"])])


def gr2() -> None:
    """GB18030 CSV with a title line: parks (credit code '/') and factories, dates as 2020/12/31, a revocation."""
    lines = [
        "湖州市绿色制造体系名录（截至2020年12月31日）",
        "序号,名称,统一社会信用代码（18位）,类别,级别,所属地区,认定日期,有效期至,评价标准,是否撤销",
        "1,湖州经济技术开发区,/,绿色园区,国家级,湖州经济技术开发区,2018/10/29,—,—,否",
        "2,浙江长兴经济技术开发区,/,绿色园区,省级,长兴县,2019/12/20,—,—,否",
        f"3,湖州华丰丝绸印染有限公司,{E1},绿色工厂,省级,吴兴区,2019/12/31,2022/12/30,GB/T 36132-2018,否",
        f"4,浙江恒远化纤有限公司,{E2},绿色工厂,国家级,吴兴区,2020/10/16,—,GB/T 36132-2018,否",
        f"5,湖州南浔盛林木业有限公司,{E3},绿色工厂,省级,南浔区,2018/12/28,2020/08/15,GB/T 36132-2018,是",
    ]
    write_csv(CASES / "绿色园区及绿色工厂认定汇总2020.csv", lines, "gb18030")


def gr3() -> None:
    """An explanation sheet first; design products and supply-chain enterprises; months as 2020年12月; a contact line."""
    cover = Sheet("说明", [
        ["说明"],
        ["1. 本表汇总截至2021年底本市企业获得的绿色设计产品和绿色供应链管理企业称号。"],
        ["2. “状态”栏填写有效或撤销。"],
    ])
    data = Sheet("名单", [
        ["2021年湖州市绿色设计产品和绿色供应链管理企业名单"],
        ["序号", "类型", "级别", "企业名称", "统一社会信用代码", "区县", "产品名称", "产品型号", "认定时间", "状态"],
        [1, "绿色设计产品", "国家级", "湖州南浔盛林木业有限公司", E3, "南浔", "实木复合地板", "SL-1215", "2020年12月", "有效"],
        [2, "绿色设计产品", "国家级", "湖州南浔盛林木业有限公司", E3, "南浔", "强化木地板", "SL-8023", "2020年12月", "有效"],
        [3, "绿色设计产品", "省级", "德清华禹新材料股份有限公司", E5, "德清", "水性工业涂料", "HY-W200", "2021年6月", "有效"],
        [4, "绿色供应链管理企业", "国家级", "浙江恒远化纤有限公司", E2, "吴兴", "—", "—", "2021年1月", "有效"],
        [5, "绿色供应链管理企业", "省级", "长兴泗安蓄电池有限公司", E7, "长兴", "/", "/", "2019年10月", "撤销"],
        ["联系人：王晓燕    联系电话：0572-2398765"],
    ], ["A1:J1"])
    write_xlsx(CASES / "附件 绿色设计产品和供应链企业名单.xlsx", [cover, data])


def gr4() -> None:
    """Legacy .xls named like a MIIT factory list: the list type only in the title, months typed as numbers (2020.12)."""
    rows = [
        ["湖州市绿色工厂名录"],
        ["序号", "企业名称", "统一社会信用代码", "区划代码", "行业代码", "级别", "星级", "认定时间", "有效期至", "是否撤销"],
        [1, "湖州华丰丝绸印染有限公司", E1, "330502", "1743", "市级", "★★★", 2020.06, "2023-06-30", "否"],
        [2, "湖州双林精密电机有限公司", E4, "330503", "3812", "市级", "★★★★", 2020.12, "2023-12-31", "否"],
        [3, "安吉孝丰竹木制品有限公司", E9, "330523", "2041", "市级", "★★★", 2021.03, "2024-03-31", "否"],
        [4, "德清武康光电科技有限公司", E19, "330521", "3976", "省级", None, "2021.05", "2024-05-31", "否"],
    ]
    write_xls(CASES / "绿色工厂名录2021.xls", [Sheet("Sheet1", rows, ["A1:J1"])])


# ---------------------------------------------------------------------------------------------- incentives


def in1() -> None:
    """Award announcement (公示): honour, approval document, award in yuan; a total, the 公示期 and contact lines."""
    rows = [
        ["关于2020年度湖州市绿色制造示范企业奖励资金拟兑现名单的公示"],
        ["根据《湖州市加快推进绿色制造体系建设的若干意见》，经企业申报、区县初审、市级复核，现将拟兑现奖励名单予以公示。"],
        ["序号", "县区", "企业名称", "统一社会信用代码", "荣誉", "批准文件及文号", "奖励金额（元）", "备注"],
        [1, "吴兴区", "浙江恒远化纤有限公司", E2, "国家级绿色工厂", "工信厅节函〔2020〕256号", Num(1000000, "#,##0"), None],
        [2, "德清县", "德清华禹新材料股份有限公司", E5, "国家级绿色设计产品", "工信厅节函〔2020〕256号", Num(500000, "#,##0"), None],
        [3, "长兴县", "长兴泗安蓄电池有限公司", E7, "省级绿色工厂", "浙经信资源〔2020〕180号", Num(300000, "#,##0"), None],
        [4, "南浔区", "湖州南浔盛林木业有限公司", E3, "国家级绿色供应链管理企业", "工信厅节函〔2020〕256号", Num(1000000, "#,##0"), None],
        ["合计", None, None, None, None, None, Num(2800000, "#,##0"), None],
        ["公示期：2020年12月10日至2020年12月16日。如有异议，请在公示期内以书面形式向湖州市经济和信息化局反映。"],
        ["联系人：王晓燕    联系电话：0572-2398765"],
    ]
    merges = ["A1:H1", "A2:H2", "A9:H9", "A10:H10"]
    write_xlsx(CASES / "2020年度绿色制造示范奖励资金拟兑现名单公示.xlsx", [Sheet("公示名单", rows, merges)])


def in2() -> None:
    """Equipment subsidy allocation as a legacy .xls: the year only in the file name; a total and a note."""
    rows = [
        ["湖州市绿色化改造项目设备投资补助资金分配表"],
        ["金额单位：万元"],
        ["序号", "县（区）", "项目单位", "统一社会信用代码", "项目名称", "设备投资", "补助金额", "备注"],
        [1, "吴兴区", "湖州华丰丝绸印染有限公司", E1, "印染废水深度处理及中水回用改造项目", Num(2860, "#,##0.0"), Num(286, "#,##0.00"), None],
        [2, "南浔区", "湖州双林精密电机有限公司", E4, "高效电机生产线节能改造", Num(1250.5, "#,##0.0"), Num(125.05, "#,##0.00"), None],
        [3, "德清县", "德清莫干山电子元件有限公司", E6, "屋顶光伏及能源管理系统建设", Num(6800, "#,##0.0"), Num(500, "#,##0.00"), "按上限补助"],
        [4, "安吉县", "浙江天荒坪家具有限公司", E10, "涂装线VOCs治理改造", Num(980, "#,##0.0"), Num(98, "#,##0.00"), None],
        ["合计", None, None, None, None, Num(11890.5, "#,##0.0"), Num(1009.05, "#,##0.00"), None],
        ["注：补助标准为设备投资额的10%，单个项目最高不超过500万元。"],
    ]
    write_xls(CASES / "2021年绿色化改造设备投资补助.xls", [Sheet("分配表", rows, ["A1:H1"])])


def in4() -> None:
    """GB18030 award list with a title line; long district names; one amount written with its own unit (50万元)."""
    lines = [
        "2019年度绿色制造示范奖励名单",
        "序号,企业名称,统一社会信用代码,所在县区,获得荣誉,批准文件,奖励金额(元),备注",
        f"1,湖州菱湖丝织有限公司,{E18},湖州市南浔区,省级绿色工厂,浙经信资源〔2019〕215号,300000,",
        f'2,德清武康光电科技有限公司,{E19},湖州市德清县,国家级绿色工厂,工信厅节函〔2019〕198号,"1,000,000",',
        f"3,长兴太湖纺织有限公司,{E20},湖州市长兴县,省级绿色工厂,浙经信资源〔2019〕215号,50万元,",
        f"4,湖州经开精工泵业有限公司,{E12},湖州市吴兴区,国家级绿色设计产品,工信厅节函〔2019〕198号,500000,",
    ]
    write_csv(CASES / "2019年绿色制造奖励名单.csv", lines, "gb18030")


def in5() -> None:
    """Awards and subsidies in one announcement with a kind column; merged two-row header; an investment of 1.2亿元."""
    rows = [
        ["2021年度湖州市绿色工厂奖励和绿色化改造补助资金公示名单"],
        ["序号", "企业名称", "统一社会信用代码", "区县", "奖补类型", "示范奖励", None, "设备投资补助", None, "奖补金额（万元）"],
        [None, None, None, None, None, "荣誉", "批准文件", "项目名称", "设备投资（万元）", None],
        [1, "湖州经开精工泵业有限公司", E12, "湖州经济技术开发区", "绿色制造示范奖励", "国家级绿色工厂", "工信厅节函〔2021〕214号", "/", "/", 100],
        [2, "德清武康光电科技有限公司", E19, "德清县", "设备投资补助", "/", "/", "光电器件产线能效提升改造", "1.2亿元", 500],
        [3, "湖州菱湖丝织有限公司", E18, "南浔区", "设备投资补助", "/", "/", "剑杆织机节能改造", 865.4, 86.54],
        [4, "浙江和平耐火材料有限公司", E8, "长兴县", "绿色制造示范奖励", "省级绿色工厂", "浙经信资源〔2021〕96号", "/", "/", 30],
        ["合计", None, None, None, None, None, None, None, None, 716.54],
        ["公示时间：2021年11月20日—2021年11月26日"],
    ]
    merges = ["A1:J1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2", "H2:I2", "J2:J3", "A9:J9"]
    write_xlsx(CASES / "2021年绿色工厂奖励及改造补助公示.xlsx", [Sheet("公示", rows, merges)])


def in6() -> None:
    """A generic file name (the sender gives --type); full-width digits in the amount column; a 总计 row."""
    rows = [
        ["附件1"],
        ["拟奖励企业名单（2021年度）"],
        ["序号", "企业名称", "统一社会信用代码", "区县", "荣誉", "奖励金额（万元）"],
        [1, "湖州南太湖新能源科技有限公司", E11, "南太湖新区", "省级绿色工厂", "３０"],
        [2, "长兴新港水泥有限公司", E13, "长兴县", "国家级绿色工厂", "１００"],
        [3, "湖州织里童装有限公司", E14, "吴兴区", "市级绿色工厂（三星）", 10],
        ["总计", None, None, None, None, 140],
    ]
    write_xlsx(CASES / "附件1.xlsx", [Sheet("Sheet1", rows, ["A2:F2"])])


def in7() -> None:
    """An announcement as published: neither credit code nor district, only names, honours and amounts."""
    rows = [
        ["关于下达2021年度湖州市绿色制造示范奖励资金的公示"],
        ["序号", "企业名称", "获评称号", "批准文号", "奖励金额（万元）"],
        [1, "湖州双林精密电机有限公司", "国家级绿色工厂", "工信厅节函〔2021〕214号", 100],
        [2, "安吉递铺椅业有限公司", "省级绿色工厂", "浙经信资源〔2021〕96号", 30],
        [3, "德清新市生物科技有限公司", "国家级绿色设计产品", "工信厅节函〔2021〕214号", 50],
        ["公示期为5个工作日（2021年12月1日至12月7日）。"],
    ]
    write_xlsx(CASES / "关于2021年度绿色制造示范奖励的公示.xlsx", [Sheet("Sheet1", rows, ["A1:E1", "A6:E6"])])


# ---------------------------------------------------------------------------------------------- green_loans


def gl1() -> None:
    """Loan register, UTF-8 with BOM: year only in the file name; 受理编号/受理日期/申请金额; an amount of 1.2亿元."""
    lines = [
        "受理编号,企业名称,统一社会信用代码,所在区县,贷款银行,申请金额（万元）,受理日期,贷款用途,联系人,联系电话",
        f'LD2020-001,湖州华丰丝绸印染有限公司,{E1},吴兴区,湖州银行,"2,500",2020/03/16,印染设备节能改造,张伟,13905720001',
        f"LD2020-002,长兴泗安蓄电池有限公司,{E7},长兴县,中国农业银行长兴支行,1.2亿元,2020/05/08,铅蓄电池智能化绿色改造,李娜,13905720002",
        f"LD2020-003,德清华禹新材料股份有限公司,{E5},德清县,浙江德清农村商业银行,800,2020/12/31,水性涂料产线建设,,",
        f"LD2020-004,安吉孝丰竹木制品有限公司,{E9},安吉,湖州银行安吉支行,350.5,2020-07-21,竹材加工余料综合利用,,",
    ]
    write_csv(CASES / "2020年绿色贷款申请登记表.csv", lines, "utf-8-sig")


def gl2() -> None:
    """Loan ledger: reporter line with 千元, column-number row, date cells, a serial, a month, a total, signatures."""
    rows = [
        ["2021年绿色低碳转型贷款申请台账"],
        ["填报单位：湖州市人民政府金融工作办公室        金额单位：千元"],
        ["序号", "申请编号", "申请企业", "统一社会信用代码", "县区", "贷款金额", "申请日期", "合作银行", "用途"],
        ["甲", "乙", "丙", "丁", "戊", 1, 2, 3, 4],
        [1, "GL21-0101", "湖州经开精工泵业有限公司", E12, "湖州经开区", Num(18000, "#,##0"), Day(date(2021, 2, 25)), "中国工商银行湖州分行", "高效泵生产线绿色化改造"],
        [2, "GL21-0102", "湖州织里童装有限公司", E14, "吴兴区", Num(5500, "#,##0"), 44292, "湖州银行", "厂房屋顶分布式光伏"],
        [3, "GL21-0103", "长兴新港水泥有限公司", E13, "长兴县", Num(65000, "#,##0"), Day(date(2021, 6, 18), 'yyyy"年"m"月"d"日"'), "中国建设银行长兴支行", "水泥窑协同处置固废改造"],
        [4, "GL21-0104", "湖州菱湖丝织有限公司", E18, "南浔区", Num(3200, "#,##0"), "2021年9月", "浙江南浔农村商业银行", "织造车间节能改造"],
        ["合计", None, None, None, None, Num(91700, "#,##0"), None, None, None],
        ["制表人：陈静        审核人：周斌        填报日期：2022年1月10日"],
    ]
    write_xlsx(CASES / "绿色贷款申请台账.xlsx", [Sheet("台账", rows, ["A1:I1", "A2:I2"])])


# ---------------------------------------------------------------------------------------------- MIIT lists (real rows)


def miit_factories() -> None:
    """Batch 5 green factories (real rows of the ministry's list): the batch only in the title."""
    rows = [
        ["附件1"],
        ["第五批绿色制造名单——绿色工厂"],
        ["序号", "地区", "工厂名称", "第三方评价机构"],
        [251, "浙江", "香飘飘食品股份有限公司", "杭州超腾能源技术股份有限公司"],
        [252, "浙江", "雅莹集团股份有限公司", "中国信息通信研究院"],
        [253, "浙江", "湖州老恒和酿造有限公司", "杭州超腾能源技术股份有限公司"],
        [254, "浙江", "赛诺(浙江)聚氨酯新材料有限公司", "浙江工信合能源信息技术中心有限公司"],
        [262, "浙江", "湖州绿色新材股份有限公司", "杭州超腾能源技术股份有限公司"],
    ]
    write_xlsx(CASES / "附件1 第五批绿色工厂名单.xlsx", [Sheet("绿色工厂", rows, ["A2:D2"])])


def miit_supply_chain() -> None:
    """Batch 4 supply-chain enterprises (real rows) as a legacy .xls with a merged title."""
    rows = [
        ["第四批绿色供应链管理示范企业名单"],
        ["序号", "地区", "企业名称", "第三方评价机构"],
        [14, "黑龙江", "哈尔滨锅炉厂有限责任公司", "大唐碳资产有限公司"],
        [17, "江苏", "泰州中来光电科技有限公司", "瑞和安惠项目管理集团有限公司"],
        [18, "浙江", "新凤鸣集团湖州中石科技有限公司", "中国信息通信研究院"],
        [19, "浙江", "诺力智能装备股份有限公司", "工业和信息化部国际经济技术合作中心"],
        [20, "浙江", "欧诗漫生物股份有限公司", "浙江大学工业节能与绿色发展评价中心"],
    ]
    write_xls(CASES / "第四批绿色供应链管理示范企业名单.xls", [Sheet("Sheet1", rows, ["A1:D1"])])


def miit_design_products() -> None:
    """The '2021年度' list (batch 6) of design products (real rows) with product-category rows between the rows."""
    rows = [
        ["2021年度绿色设计产品名单"],
        ["序号", "企业名称", "产品名称", "产品型号", "推荐单位"],
        ["30. 金属化薄膜电容器（15种）"],
        [1, "长兴华强电子股份有限公司", "LED灯用低噪声电容器", "CL-21", "浙江省经济和信息化厅"],
        ["50. 丝绸制品（6种）"],
        [1, "湖州新南海织造厂", "天然亲肤蚕丝重缎", "XNH001", "浙江省经济和信息化厅"],
        [2, "湖州蚕花娘娘蚕丝被有限公司", "纯蚕丝被", "透明的心", "浙江省经济和信息化厅"],
        ["64. 木塑型材（23种）"],
        [2, "湖州森宏环保木塑材料有限公司", "木塑型材", "146*25", "浙江省经济和信息化厅"],
    ]
    merges = ["A1:E1", "A3:E3", "A5:E5", "A8:E8"]
    write_xlsx(CASES / "2021年度绿色设计产品名单.xlsx", [Sheet("绿色设计产品", rows, merges)])


# ---------------------------------------------------------------------------------------------- refusals


def refusal_units_twice() -> None:
    """The money unit stated twice, and differently: 万元 in the title, 千元 on the reporter line."""
    rows = [
        ["2020年规模以上工业企业主要指标（单位：万元）"],
        ["填报单位：南浔区经济和信息化局        金额单位：千元"],
        ["统一社会信用代码", "企业名称", "区县", "行业代码", "营业收入", "工业总产值", "工业增加值"],
        [E18, "湖州菱湖丝织有限公司", "南浔区", "1742", 65123, 68205, 13802],
        [E15, "湖州练市不锈钢管业有限公司", "南浔区", "3130", 53862.4, 55120.8, 10980.6],
        [E3, "湖州南浔盛林木业有限公司", "南浔区", "2034", 18624, 19052, 4021],
    ]
    write_xlsx(CASES / "湖州市2020年规上企业主要指标.xlsx", [Sheet("Sheet1", rows, ["A1:G1", "A2:G2"])])


def refusal_unit_row_disagrees() -> None:
    """A header says 申请金额(万元) and the unit row under it says 千元."""
    rows = [
        ["2021年度绿色贷款申请情况表"],
        ["申请编号", "企业名称", "统一社会信用代码", "区县", "贷款银行", "申请金额(万元)", "申请日期"],
        [None, None, None, None, None, "千元", None],
        ["LD2021-011", "湖州双林精密电机有限公司", E4, "南浔区", "湖州银行南浔支行", 9000, "2021-03-02"],
        ["LD2021-012", "德清新市生物科技有限公司", E16, "德清县", "浙江德清农村商业银行", 15000, "2021-05-19"],
    ]
    write_xlsx(CASES / "绿色贷款申请表（2021）.xlsx", [Sheet("Sheet1", rows, ["A1:G1"])])


def refusal_two_amounts() -> None:
    """Two columns that both claim the loan amount: 申请金额 and 贷款金额."""
    rows = [
        ["2021年绿色贷款申请及发放情况"],
        ["申请编号", "企业名称", "统一社会信用代码", "区县", "贷款银行", "申请金额（万元）", "贷款金额（万元）", "申请日期"],
        ["LD2021-021", "浙江天荒坪家具有限公司", E10, "安吉县", "中国银行安吉支行", 2000, 1500, "2021-04-12"],
        ["LD2021-022", "湖州练市不锈钢管业有限公司", E15, "南浔区", "湖州银行南浔支行", 1200, 1200, "2021-06-30"],
    ]
    write_xlsx(CASES / "2021年绿色贷款申请及发放情况.xlsx", [Sheet("Sheet1", rows, ["A1:H1"])])


def refusal_no_revenue() -> None:
    """Enterprise statistics without any revenue column, and nothing that implies it."""
    rows = [
        ["2021年规模以上工业企业能源消费情况"],
        ["统一社会信用代码", "企业名称", "区县", "行业代码", "工业总产值(万元)", "综合能耗(吨标准煤)", "电力(万千瓦时)"],
        [E5, "德清华禹新材料股份有限公司", "德清县", "2641", 31268.0, 5182.9, 2586.0],
        [E13, "长兴新港水泥有限公司", "长兴县", "3011", 37120.8, 143848.2, 8650.3],
    ]
    write_xlsx(CASES / "2021年规上工业企业能耗.xlsx", [Sheet("Sheet1", rows, ["A1:G1"])])


def refusal_energy_in_money() -> None:
    """Total energy consumption with a money unit: 综合能耗（万元）."""
    rows = [
        ["2020年规模以上重点用能企业能耗情况"],
        ["统一社会信用代码", "企业名称", "区县", "行业代码", "营业收入（万元）", "工业总产值（万元）", "综合能耗（万元）", "电力（万千瓦时）"],
        [E2, "浙江恒远化纤有限公司", "吴兴区", "2822", 248630.0, 253176.0, 31236, 21560],
        [E13, "长兴新港水泥有限公司", "长兴县", "3011", 35120.5, 35806.2, 139520, 8320.6],
    ]
    write_xlsx(CASES / "2020年重点用能企业能耗情况.xlsx", [Sheet("Sheet1", rows, ["A1:H1"])])


def refusal_amount_without_unit() -> None:
    """UTF-8 with BOM: an award amount with no unit anywhere in the file."""
    lines = [
        "序号,企业名称,统一社会信用代码,区县,荣誉称号,批准文件,奖励金额",
        f"1,湖州菱湖丝织有限公司,{E18},南浔区,省级绿色工厂,浙经信资源〔2021〕96号,30",
        f"2,浙江恒远化纤有限公司,{E2},吴兴区,国家级绿色供应链管理企业,工信厅节函〔2021〕214号,100",
    ]
    write_csv(CASES / "绿色制造示范奖励名单2021.csv", lines, "utf-8-sig")


def refusal_kind_not_implied() -> None:
    """A grant list whose columns and title say neither award nor subsidy (奖补)."""
    rows = [
        ["2021年度绿色制造专项资金奖补名单"],
        ["序号", "企业名称", "统一社会信用代码", "区县", "奖补金额（万元）", "备注"],
        [1, "湖州双林精密电机有限公司", E4, "南浔区", 125.05, None],
        [2, "浙江和平耐火材料有限公司", E8, "长兴县", 30, None],
    ]
    write_xlsx(CASES / "2021年度专项资金奖补名单.xlsx", [Sheet("Sheet1", rows, ["A1:F1"])])


# ---------------------------------------------------------------------------------------------- the bureau folder


def _bureau_stats_header(unit_row: bool) -> list[str]:
    """The form's header: units in brackets, or bare names when a unit row follows."""
    names = ["统一社会信用代码", "企业名称", "区县", "行业代码", "营业收入", "工业总产值", "工业增加值", "原煤", "天然气", "电力", "综合能耗"]
    units = ["千元", "千元", "千元", "吨", "万立方米", "万千瓦时", "吨标准煤"]
    if unit_row:
        return names
    return names[:4] + [f"{name}({unit})" for name, unit in zip(names[4:], units, strict=True)]


def bureau_stats() -> None:
    """2020: units in header brackets; 2021: the same form with the units in a row under the header."""
    folder = BUREAU / "enterprise_stats"
    folder.mkdir(parents=True, exist_ok=True)
    k = "#,##0"
    rows_2020 = [
        ["湖州市2020年工业企业主要经济指标和能源消费"],
        _bureau_stats_header(unit_row=False),
        [E1, "湖州华丰丝绸印染有限公司", "吴兴区", "1743", Num(356820, k), Num(372150, k), Num(81460, k), "—", 315, 4260, 9063],
        [E2, "浙江恒远化纤有限公司", "吴兴区", "2822", Num(2486300, k), Num(2531760, k), Num(498350, k), 1200, 390, 21560, 32093],
        [E3, "湖州南浔盛林木业有限公司", "南浔区", "2034", Num(18500, k), Num(19204, k), Num(4120, k), "—", "—", 86.3, 106],
        [E7, "长兴泗安蓄电池有限公司", "长兴县", "3843", Num(96540, k), Num(98210, k), Num(21630, k), "—", 42.5, 1680.4, 2582],
        [E9, "安吉孝丰竹木制品有限公司", "安吉县", "2041", Num(56308, k), Num(57023, k), "—", 260, "—", 392.6, 668],
        [E6, "德清莫干山电子元件有限公司", "德清县", "3981", Num(128360, k), Num(130250, k), Num(31470, k), "—", 18.6, 1520.8, 2095],
        ["合计", None, None, None, Num(3142828, k), Num(3208597, k), Num(637030, k), 1460, 766.1, 29500.1, 46607],
    ]
    write_xlsx(folder / "2020年工业企业主要指标.xlsx", [Sheet("2020", rows_2020, ["A1:K1"])])
    rows_2021 = [
        ["湖州市2021年工业企业主要经济指标和能源消费"],
        _bureau_stats_header(unit_row=True),
        [None, None, None, None, "千元", "千元", "千元", "吨", "万立方米", "万千瓦时", "吨标准煤"],
        [E1, "湖州华丰丝绸印染有限公司", "吴兴区", "1743", Num(382064, k), Num(401189, k), Num(86920, k), "—", 338.5, 4590.2, 9754],
        [E2, "浙江恒远化纤有限公司", "吴兴区", "2822", Num(2610450, k), Num(2658120, k), Num(523080, k), 1050, 402, 22480, 33262],
        [E3, "湖州南浔盛林木业有限公司", "南浔区", "2034", Num(21350, k), Num(22010, k), Num(4680, k), "—", "—", 92.4, 114],
        [E7, "长兴泗安蓄电池有限公司", "长兴县", "3843", Num(102380, k), Num(104560, k), Num(22950, k), "—", 40.8, 1702.6, 2588],
        [E9, "安吉孝丰竹木制品有限公司", "安吉县", "2041", Num(59870, k), Num(60540, k), Num(13260, k), 240, "—", 405.1, 669],
        [E6, "德清莫干山电子元件有限公司", "德清县", "3981", Num(131250, k), Num(133480, k), Num(32160, k), "—", 19.2, 1548.3, 2136],
        [E11, "湖州南太湖新能源科技有限公司", "南太湖新区", "3841", Num(412600, k), Num(428900, k), Num(90210, k), "—", 50, 3240, 4589],
        ["合计", None, None, None, Num(3719964, k), Num(3808799, k), Num(773260, k), 1290, 850.5, 34058.6, 53112],
    ]
    write_xlsx(folder / "2021年工业企业主要指标.xlsx", [Sheet("2021", rows_2021, ["A1:K1"])])


def bureau_register() -> None:
    """The city's register of accreditations at each year's end (every accreditation, in force or not)."""
    folder = BUREAU / "green_register"
    folder.mkdir(parents=True, exist_ok=True)
    header = ["序号", "名单类型", "级别", "星级", "名称", "统一社会信用代码", "区县", "认定日期", "有效期至", "状态"]
    common = [
        ["绿色工厂", "国家级", None, "浙江恒远化纤有限公司", E2, "吴兴区", Day(date(2020, 10, 16)), None, "有效"],
        ["绿色工厂", "省级", None, "湖州华丰丝绸印染有限公司", E1, "吴兴区", Day(date(2019, 12, 31)), Day(date(2022, 12, 30)), "有效"],
        ["绿色工厂", "市级", 3, "长兴泗安蓄电池有限公司", E7, "长兴县", Day(date(2018, 5, 15)), Day(date(2021, 5, 14)), "有效"],
        ["绿色工厂", "市级", "★★★★", "安吉孝丰竹木制品有限公司", E9, "安吉县", Day(date(2017, 12, 20)), Day(date(2020, 12, 19)), "有效"],
        ["绿色工厂", "市级", 3, "湖州南浔盛林木业有限公司", E3, "南浔区", Day(date(2020, 6, 30)), Day(date(2023, 6, 29)), "有效"],
        ["绿色工厂", "市级", "5星", "德清莫干山电子元件有限公司", E6, "德清县", Day(date(2019, 11, 20)), None, "撤销"],
        ["绿色园区", "国家级", None, "湖州经济技术开发区", "/", "湖州经济技术开发区", Day(date(2018, 10, 29)), None, "有效"],
        ["绿色工厂", "市级", "★★★", "湖州织里童装有限公司", E14, "吴兴区", Day(date(2020, 8, 1)), Day(date(2023, 7, 31)), "有效"],
    ]
    added_2021 = [
        ["绿色工厂", "市级", "四星级", "长兴泗安蓄电池有限公司", E7, "长兴县", Day(date(2021, 5, 15)), Day(date(2024, 5, 14)), "有效"],
        ["绿色工厂", "市级", "★★★", "安吉孝丰竹木制品有限公司", E9, "安吉县", Day(date(2021, 3, 10)), Day(date(2024, 3, 9)), "有效"],
        ["绿色工厂", "省级", None, "湖州南太湖新能源科技有限公司", E11, "南太湖新区", Day(date(2021, 9, 15)), Day(date(2024, 9, 14)), "有效"],
    ]
    for year, entries in ((2020, common), (2021, common + added_2021)):
        rows = [[f"湖州市绿色制造名录（{year}年）"], header]
        rows += [[number, *entry] for number, entry in enumerate(entries, start=1)]
        write_xlsx(folder / f"湖州市绿色制造名录{year}.xlsx", [Sheet(str(year), rows, ["A1:J1"])])


def bureau_incentives() -> None:
    """2020: awards and subsidies with a kind column (xlsx, 万元); 2021: a subsidy list in yuan (.xls)."""
    folder = BUREAU / "incentives"
    folder.mkdir(parents=True, exist_ok=True)
    rows_2020 = [
        ["2020年度湖州市绿色制造奖补资金汇总表"],
        ["序号", "企业名称", "统一社会信用代码", "区县", "奖补类别", "荣誉", "项目名称", "设备投资（万元）", "金额（万元）"],
        [1, "浙江恒远化纤有限公司", E2, "吴兴区", "示范奖励", "国家级绿色工厂", None, None, 100],
        [2, "湖州华丰丝绸印染有限公司", E1, "吴兴区", "示范奖励", "省级绿色工厂", None, None, 30],
        [3, "长兴泗安蓄电池有限公司", E7, "长兴县", "设备投资补助", None, "极板车间余热回收改造", 1560, 156],
        [4, "德清莫干山电子元件有限公司", E6, "德清县", "设备投资补助", None, "屋顶光伏及储能系统", 6200, 500],
        [5, "湖州南浔盛林木业有限公司", E3, "南浔区", "示范奖励", "国家级绿色设计产品", None, None, 50],
        ["合计", None, None, None, None, None, None, 7760, 836],
    ]
    write_xlsx(folder / "2020年度绿色制造奖补资金汇总.xlsx", [Sheet("汇总", rows_2020, ["A1:I1"])])
    k = "#,##0"
    rows_2021 = [
        ["2021年度湖州市绿色化改造设备投资补助名单"],
        ["序号", "区县", "企业名称", "统一社会信用代码", "项目名称", "设备投资（元）", "补助金额（元）"],
        [1, "安吉县", "安吉孝丰竹木制品有限公司", E9, "竹材余料生物质锅炉改造", Num(2350000, k), Num(235000, k)],
        [2, "南浔区", "湖州南浔盛林木业有限公司", E3, "木粉尘收集及余料利用", Num(1860000, k), Num(186000, k)],
        [3, "南太湖新区", "湖州南太湖新能源科技有限公司", E11, "锂电池产线能源管理系统", Num(12500000, k), Num(1250000, k)],
        [4, "南浔区", "湖州双林精密电机有限公司", E4, "高效电机绕线车间节能改造", Num(3080000, k), Num(308000, k)],
        ["合计", None, None, None, None, Num(19790000, k), Num(1979000, k)],
    ]
    write_xls(folder / "2021年绿色化改造补助名单.xls", [Sheet("补助", rows_2021, ["A1:G1"])])


def bureau_loans_2021() -> None:
    """2021 loans in a workbook, 千元 in the header brackets; the 2020 register is a plain UTF-8 CSV beside it."""
    folder = BUREAU / "green_loans"
    folder.mkdir(parents=True, exist_ok=True)
    k = "#,##0"
    rows = [
        ["2021年绿色贷款申请登记表"],
        ["申请编号", "企业名称", "统一社会信用代码", "区县", "贷款银行", "申请金额(千元)", "受理日期", "贷款用途"],
        ["GL21-0101", "湖州经开精工泵业有限公司", E12, "湖州经开区", "中国工商银行湖州分行", Num(18000, k), Day(date(2021, 2, 25)), "高效泵生产线绿色化改造"],
        ["GL21-0102", "湖州织里童装有限公司", E14, "吴兴区", "湖州银行", Num(5500, k), Day(date(2021, 4, 6)), "厂房屋顶分布式光伏"],
        ["GL21-0103", "长兴新港水泥有限公司", E13, "长兴县", "中国建设银行长兴支行", Num(65000, k), Day(date(2021, 6, 18)), "水泥窑协同处置固废改造"],
        ["GL21-0104", "湖州菱湖丝织有限公司", E18, "南浔区", "浙江南浔农村商业银行", Num(3200, k), Day(date(2021, 9, 15)), "织造车间节能改造"],
        ["GL21-0105", "湖州经开精工泵业有限公司", E12, "湖州经开区", "湖州银行", Num(6000, k), Day(date(2021, 11, 3)), "余热回收系统"],
    ]
    write_xlsx(folder / "2021年绿色贷款申请.xlsx", [Sheet("登记表", rows, ["A1:H1"])])


def main() -> None:
    CASES.mkdir(parents=True, exist_ok=True)
    for write in (es1, es2, es3, es4, es5, es6, es7, gr1, gr2, gr3, gr4, in1, in2, in4, in5, in6, in7, gl1, gl2,
                  miit_factories, miit_supply_chain, miit_design_products, refusal_units_twice,
                  refusal_unit_row_disagrees, refusal_two_amounts, refusal_no_revenue, refusal_energy_in_money,
                  refusal_amount_without_unit, refusal_kind_not_implied, bureau_stats, bureau_register,
                  bureau_incentives, bureau_loans_2021):
        write()


if __name__ == "__main__":
    main()
# fmt: on
