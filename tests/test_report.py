"""The snapshot report: figures from the right rows, charts to scale, the quality panel, publication."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import cli, headline
from greenmfg.cities import DEFAULT_CITY, load_profile
from greenmfg.indicators import DATASETS
from greenmfg.publish import list_snapshots, publish_snapshot
from greenmfg.report import (
    build_model,
    build_report,
    gather,
    publish_report,
    quality,
    render_html,
    staging_href_base,
    svg,
)
from greenmfg.report.contents import page_contents
from greenmfg.report.model import Chart, Label, Series
from greenmfg.settings import get_settings
from greenmfg.storage import Stores, keys

YEARS = (2019, 2020)
HUZHOU = load_profile(DEFAULT_CITY)
CITY_CODE = HUZHOU.code
REGIONS = (*HUZHOU.district_codes(), CITY_CODE)
LIST_TYPES = gather.LIST_TYPES
SHA_A, SHA_B = "a" * 64, "b" * 64


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    definition = DATASETS[name]
    full = [{c: row.get(c) for c in definition.column_names} for row in rows]
    return pd.DataFrame(full, columns=list(definition.column_names)).astype(definition.pandas_dtypes())


def _code(region: str) -> int:
    """A number per region, so a figure taken from the wrong row shows."""
    return REGIONS.index(region) + 1


def sample_frames() -> dict[str, pd.DataFrame]:
    """Every indicator dataset with distinct values per year, region, division, kind and list."""
    coverage, incentives, finance, energy, lists = [], [], [], [], []
    for year in YEARS:
        step = year - YEARS[0] + 1
        for region in REGIONS:
            k, level = _code(region) * 10 + step, "city" if region == CITY_CODE else "district"
            common = {"year": year, "region_code": region, "region_level": level, "source_sha256s": SHA_A}
            for division, extra in (("ALL", 0), ("26", 1), ("30", 2)):
                coverage.append(
                    {
                        **common,
                        "industry_division": division,
                        "above_size_enterprises": 200 + k + extra,
                        "green_plants": 100 + k + extra,
                        "coverage_pct": 40.0 + k / 10 + extra,
                        "star_threshold": 3,
                    }
                )
                energy.append(
                    {
                        **common,
                        "industry_division": division,
                        "enterprises": k,
                        "energy_tce": 10.0 * k,
                        "value_added_10k_yuan": 100.0,
                        "energy_per_10k_yuan_value_added": k / 100 + extra,
                        "decline_rate_pct": None if step == 1 else 5.0 + k / 100,
                        "coal_factors_from_year": 2010,
                    }
                )
            for kind, share in (("model_award", 2.0), ("equipment_subsidy", 1.0), ("ALL", 3.0)):
                incentives.append(
                    {
                        **common,
                        "incentive_kind": kind,
                        "grants": k,
                        "total_10k_yuan": share * k,
                        "largest_10k_yuan": k / 2,
                        "above_cap_grants": 0,
                        "above_cap_excess_10k_yuan": 0.0,
                        "model_award_cap_10k_yuan": 1000.0,
                        "subsidy_rate_cap": 0.1,
                        "subsidy_cap_10k_yuan": 500.0,
                    }
                )
            finance.append(
                {
                    **common,
                    "applicant_enterprises": k,
                    "applications": k + 1,
                    "loan_total_10k_yuan": 1000.0 * k,
                    "loan_median_10k_yuan": 50.0,
                }
            )
            for i, list_type in enumerate(LIST_TYPES):
                for tier, bump in (("national", 0), ("provincial", 500)):
                    lists.append(
                        {
                            "source_list": "register",
                            "year": year,
                            "region_code": region,
                            "region_level": level,
                            "list_type": list_type,
                            "tier": tier,
                            "entities": k + i * 1000 + bump,
                            "source_sha256s": SHA_A,
                        }
                    )
    provinces = [
        "江苏",
        "广东",
        "山东",
        "福建",
        "河北",
        "安徽",
        "河南",
        "湖北",
        "湖南",
        "四川",
        "江西",
        "重庆",
        "浙江",
        "未知",
    ]
    for batch in (1, 2, 3):
        for i, list_type in enumerate(LIST_TYPES):
            miit = {
                "source_list": "miit",
                "batch": batch,
                "list_type": list_type,
                "tier": "national",
                "source_sha256s": SHA_B,
            }
            for rank, name in enumerate(provinces, start=1):
                entities = 200 - rank * 10 + batch
                lists.append(
                    {
                        **miit,
                        "region_code": name,
                        "region_level": "province",
                        "entities": entities,
                        "entries": entities,
                        "cumulative_entities": entities * batch,
                        "rank_among_provinces": None if name == "未知" else rank + i,
                    }
                )
            lists.append(
                {
                    **miit,
                    "region_code": "全国",
                    "region_level": "national",
                    "entities": 5000 + batch,
                    "entries": 5000 + batch,
                    "cumulative_entities": 5000 * batch,
                }
            )
            lists.append(
                {
                    **miit,
                    "region_code": CITY_CODE,
                    "region_level": "city",
                    "entities": batch + i,
                    "entries": batch + i,
                    "cumulative_entities": batch,
                }
            )
    return {
        "green_coverage": _frame("green_coverage", coverage),
        "green_list_counts": _frame("green_list_counts", lists),
        "incentives": _frame("incentives", incentives),
        "green_finance": _frame("green_finance", finance),
        "energy_intensity": _frame("energy_intensity", energy),
    }


def sample_validation() -> dict:
    return {
        "filings": [
            {
                "sha256": SHA_A,
                "original_name": "01_2020.csv",
                "filing_type": "enterprise_stats",
                "status": "accepted",
                "in_force": True,
                "rows_parsed": 110,
                "rows_accepted": 100,
                "rows_quarantined": 10,
                "rows_dropped": 0,
                "failed_expectations": [
                    {"expectation": "credit_code_valid", "severity": "row", "failed": 7},
                    {"expectation": "revenue_drift", "severity": "warning", "failed": 4},
                ],
            },
            {
                "sha256": SHA_B,
                "original_name": "00_2020_old.csv",
                "filing_type": "enterprise_stats",
                "status": "accepted",
                "in_force": False,
                "rows_parsed": 50,
                "rows_accepted": 47,
                "rows_quarantined": 3,
                "rows_dropped": 1,
                "failed_expectations": [{"expectation": "credit_code_valid", "severity": "row", "failed": 3}],
            },
        ]
    }


SOURCES = [
    {
        "sha256": SHA_A,
        "filing_type": "enterprise_stats",
        "period": 2020,
        "original_name": "01_2020.csv",
        "rows": 100,
    }
]
RECORDS = {
    SHA_A: {
        "sha256": SHA_A,
        "parts": [
            {
                "filing_type": "enterprise_stats",
                "periods": [2020],
                "validation_keys": {
                    "summary": keys.validation_summary("enterprise_stats", SHA_A),
                    "data_docs": keys.data_docs_prefix("enterprise_stats", SHA_A) + "index.html",
                },
            }
        ],
    },
    SHA_B: {"sha256": SHA_B, "parts": [{"filing_type": "enterprise_stats", "periods": [2019, 2020]}]},
}


def sample_manifest() -> dict:
    return {
        "snapshot_id": "0" * 24,
        "code_version": "0.1.0+gtest",
        "parameters": {"star_threshold": 3},
        "sources": SOURCES,
        "validation": sample_validation(),
    }


# svg helpers


def test_nice_ticks_cover_the_range_with_round_steps() -> None:
    for low, high in ((0, 7), (0, 0.93), (0, 330_000), (1, 23)):
        ticks = svg.nice_ticks(low, high)
        assert ticks[0] <= low and ticks[-1] >= high
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1 and len(ticks) <= 8


def _chart(
    kind: str, values: tuple[float | None, ...], second: tuple[float | None, ...] | None = None
) -> Chart:
    series = [Series(Label("甲", "A"), values)] + ([Series(Label("乙", "B"), second)] if second else [])
    categories = tuple(Label(str(i), str(i)) for i in range(len(values)))
    return Chart("t", kind, Label("图", "chart"), categories, tuple(series), Label("x", "x"), Label("y", "y"))


def test_bars_are_drawn_to_scale() -> None:
    drawn = svg.bar_chart(_chart("bars", (10.0, 40.0, None)))
    heights = [float(h) for h in re.findall(r'class="mark s0 bar"[^>]*height="([\d.]+)"', drawn)]
    assert len(heights) == 2
    assert heights[1] == pytest.approx(4 * heights[0], rel=0.02)
    widths = [
        float(w)
        for w in re.findall(
            r'class="mark s0 bar"[^>]*width="([\d.]+)"', svg.hbar_chart(_chart("hbars", (3.0, 6.0)))
        )
    ]
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.02)


def test_a_missing_value_breaks_the_line() -> None:
    drawn = svg.line_chart(_chart("line", (1.0, 2.0, None, 4.0, 5.0)))
    assert drawn.count("<polyline") == 2
    assert drawn.count("<circle") == 4


def test_ranks_put_first_place_on_top() -> None:
    drawn = svg.line_chart(
        Chart(
            "r",
            "line",
            Label("排名", "rank"),
            (Label("1", "1"), Label("2", "2")),
            (Series(Label("a", "a"), (1.0, 5.0)),),
            Label("x", "x"),
            Label("y", "y"),
            invert=True,
        )
    )
    first, fifth = (float(y) for y in re.findall(r'<circle[^>]*cy="([\d.]+)"', drawn))
    assert first < fifth


def test_series_that_never_share_a_category_share_one_slot() -> None:
    drawn = svg.hbar_chart(_chart("hbars", (3.0, None), (None, 5.0)))
    ys = re.findall(r'<rect class="mark s\d[^"]*" x="[\d.]+" y="([\d.]+)"', drawn)
    heights = set(re.findall(r'<rect class="mark[^>]*height="([\d.]+)"', drawn))
    assert len(ys) == 2 and len(heights) == 1


# figures and charts from the frames


def test_tiles_take_the_city_total_of_the_latest_year_with_the_previous_beside_it() -> None:
    frames = sample_frames()
    year, previous = gather.latest_years(frames)
    assert (year, previous) == (2020, 2019)
    tiles = {t.title.en: t for t in gather.tiles(frames, year, previous, HUZHOU)}

    def city(name: str, column: str, y: int, **match: str) -> float:
        frame = frames[name]
        mask = (frame["year"] == y) & (frame["region_code"] == CITY_CODE)
        for key, value in match.items():
            mask &= frame[key] == value
        (value,) = frame.loc[mask, column]
        return float(value)

    cases = {
        "Green plants": ("green_coverage", "green_plants", {"industry_division": "ALL"}),
        "Green plant coverage": ("green_coverage", "coverage_pct", {"industry_division": "ALL"}),
        "National green factories": (
            "green_list_counts",
            "entities",
            {"source_list": "register", "tier": "national", "list_type": "green_factory"},
        ),
        "National green design products": (
            "green_list_counts",
            "entities",
            {"source_list": "register", "tier": "national", "list_type": "green_design_product"},
        ),
        "Incentives granted": ("incentives", "total_10k_yuan", {"incentive_kind": "ALL"}),
        "Green loans applied for": ("green_finance", "loan_total_10k_yuan", {}),
        "Energy intensity": (
            "energy_intensity",
            "energy_per_10k_yuan_value_added",
            {"industry_division": "ALL"},
        ),
    }
    for title, (name, column, match) in cases.items():
        assert tiles[title].value == city(name, column, 2020, **match), title
        assert tiles[title].previous == city(name, column, 2019, **match), title
    assert tiles["Energy intensity decline"].previous is None


def test_coverage_chart_has_a_line_per_district_and_the_city_highlighted() -> None:
    chart = gather.coverage_by_district(sample_frames(), HUZHOU)
    assert [c.en for c in chart.categories] == ["2019", "2020"]
    assert [s.name.zh for s in chart.series][-1] == "湖州市"
    assert [s.highlight for s in chart.series] == [False] * len(HUZHOU.districts) + [True]
    frame = sample_frames()["green_coverage"]
    wuxing = frame[
        (frame["region_code"] == HUZHOU.district_codes()[0]) & (frame["industry_division"] == "ALL")
    ]
    assert chart.series[0].values == tuple(float(v) for v in wuxing.sort_values("year")["coverage_pct"])


def test_top_provinces_keep_zhejiang_highlighted_even_below_the_cut() -> None:
    chart = gather.top_provinces(sample_frames(), HUZHOU)
    names = [c.zh for c in chart.categories]
    assert len(names) == gather.TOP_PROVINCES + 1 and names[-1] == "浙江" and "未知" not in names
    others, home = chart.series
    assert home.highlight and home.values[-1] is not None and others.values[-1] is None
    assert others.values[0] == max(v for v in others.values if v is not None)


def test_province_rank_and_city_placed_per_batch() -> None:
    frames = sample_frames()
    rank = gather.province_rank(frames, HUZHOU)
    assert rank.invert and [c.en for c in rank.categories] == ["#1", "#2", "#3"]
    assert rank.series[0].values == (13.0, 13.0, 13.0)  # 浙江 is 13th in the sample for green factories
    placed = gather.city_placed(frames, HUZHOU)
    assert placed.series[1].values == (2.0, 3.0, 4.0)  # batch + 1 for the second list type


def test_intensity_by_division_is_sorted_by_the_latest_year_without_the_total() -> None:
    chart = gather.intensity_by_division(sample_frames(), 2020, 2019, HUZHOU)
    assert [c.en.split()[0] for c in chart.categories] == ["30", "26"]
    latest = chart.series[-1]
    assert latest.highlight and list(latest.values) == sorted(latest.values, reverse=True)


def test_charts_without_data_are_reported_as_empty() -> None:
    frames = {name: definition.empty_frame() for name, definition in DATASETS.items()}
    model = build_model(frames, sample_manifest())
    charts = [c for s in model.sections[:-1] for c in s.charts]
    assert charts and not any(c.has_data for c in charts)
    html = render_html(model)
    assert html.count('class="empty"') == len(charts)


# quality panel


def test_quality_panel_counts_filings_per_period_and_rows_per_rule() -> None:
    received = quality.received_per_period(sample_manifest(), RECORDS)
    assert [(r[0], r[1], r[2], r[3]) for r in received.rows] == [
        ("enterprise_stats", "2019", 1, None),
        ("enterprise_stats", "2020", 2, "01_2020.csv"),
    ]
    chart, rules = quality.quarantined_per_rule(sample_manifest())
    assert [c.en for c in chart.categories] == [
        "enterprise_stats: credit_code_valid",
        "enterprise_stats: revenue_drift",
    ]
    assert [(s.name.en, s.values) for s in chart.series] == [
        ("quarantined", (10.0, None)),
        ("flagged", (None, 4.0)),
    ]
    assert [(r[1], r[3], r[4]) for r in rules.rows] == [("credit_code_valid", 10, 2), ("revenue_drift", 4, 1)]


def test_validation_links_are_relative_to_the_staging_root_or_keys_only() -> None:
    filing = sample_validation()["filings"][0]
    linked = quality.validation_links(filing, RECORDS[SHA_A], "../../../staging/")
    assert [link.text for link in linked] == ["Data Docs", "summary.json"]
    assert (
        linked[0].href
        == "../../../staging/" + keys.data_docs_prefix("enterprise_stats", SHA_A) + "index.html"
    )
    unreachable = quality.validation_links(filing, RECORDS[SHA_A], None)
    assert [link.href for link in unreachable] == [None, None]
    fallback = quality.validation_links(sample_validation()["filings"][1], None, "x/")
    assert fallback[0].key == keys.validation_summary("enterprise_stats", SHA_B)


# the page


def test_page_is_self_contained_and_deterministic() -> None:
    model = build_model(sample_frames(), sample_manifest(), RECORDS, "../../../staging/")
    html = render_html(model)
    assert html == render_html(build_model(sample_frames(), sample_manifest(), RECORDS, "../../../staging/"))
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<script" not in html and "@import" not in html and "url(" not in html
    marks = page_contents(html)
    assert not [u for u in marks.urls if re.match(r"(?i)^(https?:)?//", u)]
    drawn = [c.key for s in model.sections for c in s.charts if c.has_data]
    assert sorted(marks.charts) == sorted(drawn) and all(marks.charts.values())
    assert 'lang="zh-CN"' in html and "Green plant coverage" in html and "绿色工厂覆盖率" in html


# in the stores


def _publish(stores: Stores) -> str:
    frames = sample_frames()
    result = publish_snapshot(
        stores.published, frames,
        schemas={n: DATASETS[n].arrow_schema() for n in frames},
        partition_by={n: list(DATASETS[n].partition_by) for n in frames},
        sources=SOURCES, parameters={"star_threshold": 3}, validation=sample_validation(),
        dictionary_json={"datasets": {}}, dictionary_markdown="# dictionary\n", code_version="0.1.0+gtest",
    )  # fmt: skip
    return result.snapshot_id


def test_publish_report_writes_beside_the_snapshot_without_changing_it(local_stores: Stores) -> None:
    snapshot_id = _publish(local_stores)
    before = list_snapshots(local_stores.published)
    key = publish_report(local_stores, snapshot_id)
    assert key == f"snapshots/{snapshot_id}/report.html"
    written = local_stores.published.read_bytes(key).decode("utf-8")
    assert written == build_report(local_stores, snapshot_id)
    assert list_snapshots(local_stores.published) == before
    figures = headline.headline_figures(local_stores.published, snapshot_id, 2020)
    assert f"{figures['green_plants']:,}" in written and f"{figures['loan_total_10k_yuan']:,.0f}" in written
    assert staging_href_base(local_stores.published, local_stores.staging, snapshot_id) == "../../../staging/"


def test_report_command_writes_the_latest_snapshot_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("GREENMFG_STORE_URL", str(store))
    get_settings.cache_clear()
    try:
        assert cli.main(["report"]) != 0
        assert "no snapshot published yet" in capsys.readouterr().err
        from greenmfg.storage import open_stores

        snapshot_id = _publish(open_stores())
        output = tmp_path / "out" / "report.html"
        assert cli.main(["report", "--output", str(output)]) == 0
        printed = capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    in_store = store / "published" / keys.snapshot_report(snapshot_id)
    assert str(in_store) in printed
    assert output.read_bytes() == in_store.read_bytes()
