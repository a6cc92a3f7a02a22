"""The report's city ranking on the MIIT lists: the top prefecture-level cities with the snapshot's city
highlighted, and beside it the unplaced share of each of their provinces, which makes every count a lower
bound (pure)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from greenmfg.cities import CityProfile
from greenmfg.indicators.miit_cities import ALL, rows_in_force
from greenmfg.report import labels
from greenmfg.report.model import Chart, Label, Series

TOP_CITIES = 15
DATASET = "miit_city_counts"


def in_force(frames: Mapping[str, pd.DataFrame], year: int | None) -> tuple[pd.DataFrame, int | None]:
    """The ALL-lists rows of the lists in force at the end of `year` (the latest when no year), and the
    latest batch among them."""
    counts = frames.get(DATASET, pd.DataFrame())
    if counts.empty:
        return counts, None
    rows = rows_in_force(counts, f"{year}-12-31" if year else None)
    if rows.empty:
        return rows, None
    return rows[rows["list_type"] == ALL], int(rows["batch"].max())


def shown_cities(rows: pd.DataFrame, city: CityProfile) -> pd.DataFrame:
    """The top ranked prefecture-level cities, and the snapshot's city after them when not among them."""
    ranked = rows[(rows["region_level"] == "city") & rows["rank_among_cities"].notna()]
    ranked = ranked.sort_values(["rank_among_cities", "region_code"], kind="mergesort")
    top = ranked.head(TOP_CITIES)
    if city.code not in set(top["region_code"]):
        top = pd.concat([top, ranked[ranked["region_code"] == city.code]])
    return top


def _city_label(row: pd.Series) -> Label:
    province = labels.province(str(row["province"]))
    return Label(f"{row['region_name']}（{province.zh}）", f"{row['region_name']}, {province.en}")


def _note(rows: pd.DataFrame, batch: int | None, city: CityProfile) -> Label | None:
    if batch is None:
        return None
    home = rows[rows["region_code"] == city.code]
    if home.empty or pd.isna(home["rank_among_cities"].iloc[0]):
        return None
    rank, count = int(home["rank_among_cities"].iloc[0]), int(home["cities_ranked"].iloc[0])
    return Label(
        f"第1–{batch}批，按名称中的地名定位，计数为下限；{city.short_name}列第{rank}位（共{count}个地级市）；"
        "直辖市与计划单列市按地区列全部定位，排名偏高",
        f"Batches 1–{batch}, placed by the place names in entity names: lower bounds. {city.name_en} ranks "
        f"{rank} of {count}. Separately planned cities are placed by the region column, so all their entries "
        "count",
    )


def _split(values: list[float | None], is_home: list[bool]) -> tuple[tuple, tuple]:
    """(others, home): each category's value in one series and None in the other."""
    pairs = list(zip(values, is_home, strict=True))
    return tuple(None if h else v for v, h in pairs), tuple(v if h else None for v, h in pairs)


def city_ranking(frames: Mapping[str, pd.DataFrame], year: int | None, city: CityProfile) -> Chart:
    """Ranked bars: entries on the national lists in force, placed in each of the top cities, the snapshot's
    city highlighted."""
    rows, batch = in_force(frames, year)
    shown = shown_cities(rows, city) if batch is not None else pd.DataFrame()
    records = [row for _, row in shown.iterrows()]
    others, home = _split(
        [float(r["in_force_entities"]) for r in records], [r["region_code"] == city.code for r in records]
    )
    title = Label(
        f"国家绿色制造名单入选最多的{TOP_CITIES}个地级市",
        f"Top {TOP_CITIES} prefecture-level cities on the national green lists",
    )
    return Chart(
        "city_ranking",
        "hbars",
        title,
        tuple(_city_label(r) for r in records),
        (Series(Label("其他城市", "Other cities"), others),
         Series(labels.district(city.code, city), home, True)),
        Label("城市", "City"),
        Label("入选数量（下限）", "entries listed (lower bound)"),
        note=_note(rows, batch, city),
    )  # fmt: skip


def unplaced_by_province(frames: Mapping[str, pd.DataFrame], year: int | None, city: CityProfile) -> Chart:
    """Beside the ranking: the share of each shown city's province that no name places in a city."""
    rows, batch = in_force(frames, year)
    shown = shown_cities(rows, city) if batch is not None else pd.DataFrame(columns=["province"])
    order = list(dict.fromkeys(shown["province"]))
    shares = (
        rows[rows["region_level"] == "province"].set_index("region_code")["unplaced_share_pct"]
        if (batch is not None)
        else pd.Series(dtype="float64")
    )
    values = [float(shares[p]) if p in shares.index and pd.notna(shares[p]) else None for p in order]
    others, home = _split(values, [p == city.province for p in order])
    return Chart(
        "unplaced_by_province",
        "hbars",
        Label("各省未能按名称定位的比例", "Entries placed in no city, by province"),
        tuple(labels.province(p) for p in order),
        (
            Series(Label("未定位比例", "unplaced share"), others),
            Series(labels.province(city.province), home, True),
        ),
        Label("省份", "Province"),
        Label("未定位 (%)", "unplaced (%)"),
        digits=1,
        note=Label("上图城市所在省份；比例越高，该省城市的计数越偏低",
                   "Provinces of the cities above: the higher the share, the more their counts fall short"),
    )  # fmt: skip
