"""From a snapshot's indicator DataFrames to the report's tiles and charts: pure functions, no IO.

Every figure is read from the published rows (never recomputed), with the same selection the headline uses:
the city total (region_code: the city's own code) and the ALL rows of divisions and incentive kinds. The city
is the snapshot's (greenmfg.cities.CityProfile), passed in.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from greenmfg.cities import CityProfile
from greenmfg.report import cities, labels
from greenmfg.report.model import Chart, Label, Section, Series, Tile

ALL = labels.ALL
LIST_TYPES = ("green_factory", "green_park", "green_supply_chain", "green_design_product")
INCENTIVE_KINDS = ("model_award", "equipment_subsidy")
NATIONAL = "全国"
TOP_PROVINCES = 12
TOP_DIVISIONS = 12

ENTERPRISES = Label("家", "enterprises")
ENTITIES = Label("个", "entities")
TEN_K_YUAN = Label("万元", "10k yuan")
PCT = Label("%", "%")
INTENSITY = Label("吨标准煤/万元", "tce per 10k yuan")
YEAR = Label("年份", "Year")
BATCH = Label("批次", "MIIT batch")


def _frame(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    return frames.get(name, pd.DataFrame())


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _select(frame: pd.DataFrame, **match: object) -> pd.DataFrame:
    """Rows whose columns equal the given values (all rows of an empty or column-less frame: none)."""
    if frame.empty or any(column not in frame.columns for column in match):
        return frame.iloc[0:0]
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    return frame[mask.fillna(False)]


def _value(frame: pd.DataFrame, column: str, **match: object) -> float | None:
    rows = _select(frame, **match)
    return _num(rows[column].iloc[0]) if len(rows) and column in rows.columns else None


def years(frames: Mapping[str, pd.DataFrame]) -> list[int]:
    """Years the year-keyed indicator datasets cover, ascending."""
    found: set[int] = set()
    for name in ("green_coverage", "incentives", "green_finance", "energy_intensity"):
        frame = _frame(frames, name)
        if "year" in frame.columns:
            found.update(int(y) for y in frame["year"].dropna().unique())
    return sorted(found)


def latest_years(frames: Mapping[str, pd.DataFrame]) -> tuple[int | None, int | None]:
    """The latest year and the one before it that the snapshot holds (None when absent)."""
    found = years(frames)
    return (found[-1] if found else None, found[-2] if len(found) > 1 else None)


def tiles(
    frames: Mapping[str, pd.DataFrame], year: int | None, previous: int | None, city: CityProfile
) -> tuple[Tile, ...]:
    """Headline tiles of `year` with `previous` beside each."""
    here = city.code
    coverage = _select(_frame(frames, "green_coverage"), region_code=here, industry_division=ALL)
    lists = _select(
        _frame(frames, "green_list_counts"), source_list="register", region_code=here, tier="national"
    )
    incentives = _select(_frame(frames, "incentives"), region_code=here, incentive_kind=ALL)
    finance = _select(_frame(frames, "green_finance"), region_code=here)
    energy = _select(_frame(frames, "energy_intensity"), region_code=here, industry_division=ALL)

    def pair(frame: pd.DataFrame, column: str, **match: object) -> tuple[float | None, float | None]:
        return _value(frame, column, year=year, **match), _value(frame, column, year=previous, **match)

    above = _value(coverage, "above_size_enterprises", year=year)
    stars = _value(coverage, "star_threshold", year=year)
    grants = _value(incentives, "grants", year=year)
    applicants = _value(finance, "applicant_enterprises", year=year)
    result = [
        Tile(
            Label("绿色工厂", "Green plants"),
            ENTERPRISES,
            *pair(coverage, "green_plants"),
            note=Label(f"规上企业中，星级 ≥ {stars:.0f}", f"above-size, stars ≥ {stars:.0f}")
            if stars
            else None,
        ),
        Tile(
            Label("绿色工厂覆盖率", "Green plant coverage"),
            PCT,
            *pair(coverage, "coverage_pct"),
            digits=1,
            note=Label(f"规上企业 {above:,.0f} 家", f"of {above:,.0f} above-size enterprises")
            if above
            else None,
        ),
    ]
    for list_type in LIST_TYPES:
        name = labels.list_type(list_type)
        result.append(
            Tile(
                Label(f"国家级{name.zh}", f"National {name.en.lower()}"),
                ENTITIES,
                *pair(lists, "entities", list_type=list_type),
            )
        )
    result += [
        Tile(
            Label("奖补资金", "Incentives granted"),
            TEN_K_YUAN,
            *pair(incentives, "total_10k_yuan"),
            digits=0,
            note=Label(f"{grants:,.0f} 笔", f"{grants:,.0f} grants") if grants is not None else None,
        ),
        Tile(
            Label("绿色贷款申请", "Green loans applied for"),
            TEN_K_YUAN,
            *pair(finance, "loan_total_10k_yuan"),
            digits=0,
            note=Label(f"{applicants:,.0f} 家企业", f"{applicants:,.0f} enterprises")
            if applicants is not None
            else None,
        ),
        Tile(
            Label("单位增加值能耗", "Energy intensity"),
            INTENSITY,
            *pair(energy, "energy_per_10k_yuan_value_added"),
            digits=3,
        ),
        Tile(
            Label("能耗强度下降率", "Energy intensity decline"),
            PCT,
            *pair(energy, "decline_rate_pct"),
            digits=2,
            note=Label("较上年", "against the previous year"),
        ),
    ]
    return tuple(result)


def _pivot(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    """A wide table (index × columns) of `values`, empty when the frame is."""
    if frame.empty:
        return pd.DataFrame()
    table = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="first", dropna=False)
    return table.astype("float64")


def _series(table: pd.DataFrame, index: list, column: object, name: Label, highlight: bool = False) -> Series:
    values = tuple(
        _num(table.at[i, column]) if column in table.columns and i in table.index else None for i in index
    )
    return Series(name, values, highlight)


def _year_labels(values: list[int]) -> tuple[Label, ...]:
    return tuple(Label(str(v), str(v)) for v in values)


def _batch_labels(values: list[int]) -> tuple[Label, ...]:
    return tuple(Label(f"第{v}批", f"#{v}") for v in values)


def _by_district(table: pd.DataFrame, year_list: list[int], city: CityProfile) -> list[Series]:
    """One series per district, then the city total highlighted."""
    return [
        _series(table, year_list, code, labels.district(code, city), code == city.code)
        for code in labels.district_order(city)
    ]


def coverage_by_district(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    frame = _select(_frame(frames, "green_coverage"), industry_division=ALL)
    table = _pivot(frame, "year", "region_code", "coverage_pct")
    year_list = sorted(int(y) for y in table.index)
    series = _by_district(table, year_list, city)
    return Chart(
        "coverage_by_district",
        "line",
        Label("各区县绿色工厂覆盖率", "Green plant coverage by district"),
        _year_labels(year_list),
        tuple(series),
        YEAR,
        Label("覆盖率 (%)", "coverage (%)"),
        digits=1,
        note=Label(
            "绿色工厂占规上企业的比例（年末）", "Green plants among above-size enterprises at year end"
        ),
    )


def national_lists_by_year(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    frame = _select(
        _frame(frames, "green_list_counts"), source_list="register", region_code=city.code, tier="national"
    )
    table = _pivot(frame, "year", "list_type", "entities")
    year_list = sorted(int(y) for y in table.index)
    series = [_series(table, year_list, t, labels.list_type(t)) for t in LIST_TYPES]
    return Chart(
        "national_lists_by_year",
        "bars",
        Label(f"国家级绿色制造名单（{city.short_name}）", f"National green lists in {city.name_en}"),
        _year_labels(year_list),
        tuple(series),
        YEAR,
        Label("数量 (个)", "count (entities)"),
        note=Label(
            "年末有效的国家级认定，按名单类型", "National accreditations in force at year end, by list"
        ),
    )


def _miit(frames: Mapping[str, pd.DataFrame], **match: object) -> pd.DataFrame:
    """MIIT rows of green_list_counts taken at a batch's publication (the rows holding the batch's own
    counts); a removal notice's rows are in-force counts between batches."""
    rows = _select(_frame(frames, "green_list_counts"), source_list="miit", **match)
    return rows[rows["entries"].notna()] if "entries" in rows.columns else rows


def province_rank(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    frame = _miit(frames, region_code=city.province)
    table = _pivot(frame, "batch", "list_type", "rank_among_provinces")
    batches = sorted(int(b) for b in table.index)
    series = [_series(table, batches, t, labels.list_type(t)) for t in LIST_TYPES]
    province = labels.province(city.province)
    return Chart(
        "province_rank",
        "line",
        Label(
            f"{city.province_name}在各批国家名单中的排名", f"{province.en}'s rank among provinces per batch"
        ),
        _batch_labels(batches),
        tuple(series),
        BATCH,
        Label("排名 (1 = 最多)", "rank (1 = most)"),
        invert=True,
        note=Label(
            "按入选数量排名，计划单列市计入所在省",
            "By entities listed; separately planned cities count in their province",
        ),
    )


def city_placed(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    frame = _miit(frames, region_code=city.code)
    table = _pivot(frame, "batch", "list_type", "entities")
    batches = sorted(int(b) for b in table.index)
    series = [_series(table, batches, t, labels.list_type(t)) for t in LIST_TYPES]
    return Chart(
        "city_placed",
        "bars",
        Label(f"{city.short_name}入选国家名单（按名称定位）", f"{city.name_en} entities on the MIIT lists"),
        _batch_labels(batches),
        tuple(series),
        BATCH,
        Label("数量 (个)", "count (entities)"),
        note=Label(
            f"以名称中的地名定位到{city.short_name}，为下限",
            f"Placed in {city.name_en} by a place name; a lower bound",
        ),
    )


def national_batches(frames: Mapping[str, pd.DataFrame]) -> Chart:
    """The whole country per batch, for scale: entities listed by list type."""
    table = _pivot(_miit(frames, region_code=NATIONAL), "batch", "list_type", "entities")
    batches = sorted(int(b) for b in table.index)
    series = [_series(table, batches, t, labels.list_type(t)) for t in LIST_TYPES]
    return Chart(
        "national_batches",
        "bars",
        Label("全国各批入选数量", "Entities listed nationally per batch"),
        _batch_labels(batches),
        tuple(series),
        BATCH,
        Label("数量 (个)", "count (entities)"),
        note=Label("工信部绿色制造名单，全国合计", "MIIT green manufacturing lists, all provinces"),
    )


def top_provinces(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    """Provinces by distinct green factories listed up to the latest batch, the home province highlighted."""
    frame = _miit(frames, region_level="province", list_type="green_factory")
    frame = frame[frame["region_code"] != "未知"] if len(frame) else frame
    batches = sorted(int(b) for b in frame["batch"].dropna().unique()) if len(frame) else []
    latest = frame[frame["batch"] == batches[-1]] if batches else frame
    ranked = latest.sort_values(["cumulative_entities", "region_code"], ascending=[False, True]).head(
        TOP_PROVINCES
    )
    home_province = city.province
    names = list(ranked["region_code"]) if len(ranked) else []
    if len(latest) and home_province not in names and home_province in set(latest["region_code"]):
        names.append(home_province)
    counts = (
        latest.set_index("region_code")["cumulative_entities"] if len(latest) else pd.Series(dtype="float64")
    )
    home = tuple(_num(counts[n]) if n == home_province else None for n in names)
    others = tuple(None if n == home_province else _num(counts[n]) for n in names)
    title = Label(
        f"国家级绿色工厂累计数量前{TOP_PROVINCES}的省份",
        f"Top {TOP_PROVINCES} provinces by national green factories",
    )
    note = Label(f"截至第{batches[-1]}批", f"Up to batch {batches[-1]}") if batches else None
    return Chart(
        "top_provinces",
        "hbars",
        title,
        tuple(labels.province(n) for n in names),
        (
            Series(Label("其他省份", "Other provinces"), others),
            Series(labels.province(home_province), home, highlight=True),
        ),
        Label("省份", "Province"),
        Label("累计入选工厂 (个)", "factories listed, cumulative"),
        note=note,
    )


def intensity_by_division(
    frames: Mapping[str, pd.DataFrame], year: int | None, previous: int | None, city: CityProfile
) -> Chart:
    frame = _select(_frame(frames, "energy_intensity"), region_code=city.code)
    frame = frame[frame["industry_division"] != ALL] if len(frame) else frame
    table = _pivot(frame, "industry_division", "year", "energy_per_10k_yuan_value_added")
    order = (
        table[year].sort_values(ascending=False, kind="stable").dropna().index.tolist()
        if year in table.columns
        else []
    )
    shown = order[:TOP_DIVISIONS]
    series = [_series(table, shown, y, Label(f"{y}年", str(y)), y == year) for y in (previous, year) if y]
    return Chart(
        "intensity_by_division",
        "hbars",
        Label(
            f"能耗强度最高的{len(shown)}个行业", f"The {len(shown)} most energy-intensive industry divisions"
        ),
        tuple(labels.division(d) for d in shown),
        tuple(series),
        Label("行业", "Division"),
        INTENSITY,
        digits=3,
        note=Label(
            f"全市规上企业，共{len(order)}个行业，按{year}年排序",
            f"Above-size enterprises, city total; {len(order)} divisions in all, sorted by {year}",
        ),
    )


def intensity_by_district(frames: Mapping[str, pd.DataFrame], city: CityProfile) -> Chart:
    frame = _select(_frame(frames, "energy_intensity"), industry_division=ALL)
    table = _pivot(frame, "year", "region_code", "energy_per_10k_yuan_value_added")
    year_list = sorted(int(y) for y in table.index)
    series = _by_district(table, year_list, city)
    return Chart(
        "intensity_by_district",
        "line",
        Label("各区县单位增加值能耗", "Energy intensity by district"),
        _year_labels(year_list),
        tuple(series),
        YEAR,
        INTENSITY,
        digits=3,
    )


def incentives_by_district(frames: Mapping[str, pd.DataFrame], year: int | None, city: CityProfile) -> Chart:
    frame = _select(_frame(frames, "incentives"), year=year)
    table = _pivot(frame, "region_code", "incentive_kind", "total_10k_yuan")
    districts = list(city.district_codes())
    series = [_series(table, districts, k, labels.incentive_kind(k)) for k in INCENTIVE_KINDS]
    return Chart(
        "incentives_by_district",
        "bars",
        Label(f"{year}年各区县奖补资金", f"Incentives by district, {year}"),
        tuple(labels.district(d, city) for d in districts),
        tuple(series),
        Label("区县", "District"),
        Label("金额 (万元)", "amount (10k yuan)"),
        digits=0,
    )


def loans_by_district(
    frames: Mapping[str, pd.DataFrame], year: int | None, previous: int | None, city: CityProfile
) -> Chart:
    frame = _frame(frames, "green_finance")
    table = _pivot(frame, "region_code", "year", "loan_total_10k_yuan")
    districts = list(city.district_codes())
    series = [_series(table, districts, y, Label(f"{y}年", str(y)), y == year) for y in (previous, year) if y]
    return Chart(
        "loans_by_district",
        "bars",
        Label("各区县绿色贷款申请金额", "Green loans applied for by district"),
        tuple(labels.district(d, city) for d in districts),
        tuple(series),
        Label("区县", "District"),
        Label("金额 (万元)", "amount (10k yuan)"),
        digits=0,
    )


def indicator_sections(
    frames: Mapping[str, pd.DataFrame], year: int | None, previous: int | None, city: CityProfile
) -> tuple[Section, ...]:
    """The chart sections, in reading order."""
    province = labels.province(city.province)
    return (
        Section(
            Label("绿色工厂与绿色制造名单", "Green plants and green manufacturing lists"),
            (coverage_by_district(frames, city), national_lists_by_year(frames, city)),
        ),
        Section(
            Label(
                f"{city.short_name}与{city.province}在全国名单中",
                f"{city.name_en} and {province.en} on the national lists",
            ),
            (
                national_batches(frames),
                top_provinces(frames, city),
                province_rank(frames, city),
                city_placed(frames, city),
                cities.city_ranking(frames, year, city),
                cities.unplaced_by_province(frames, year, city),
            ),
        ),
        Section(
            Label("能耗强度", "Energy intensity"),
            (intensity_by_division(frames, year, previous, city), intensity_by_district(frames, city)),
        ),
        Section(
            Label("奖补与绿色金融", "Incentives and green finance"),
            (incentives_by_district(frames, year, city), loans_by_district(frames, year, previous, city)),
        ),
    )
