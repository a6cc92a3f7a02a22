"""The report's gaps panel: figures left empty for a missing input, and diff-gate blocks a person accepted."""

from __future__ import annotations

from greenmfg.indicators import DATASETS
from greenmfg.report import build_model, render_html
from greenmfg.report.gaps import gaps_section

GAP = {
    "dataset": "green_coverage",
    "period": 2019,
    "missing": ["green_register"],
    "effect": "green_plants and coverage_pct are null for the year (unknown, not 0)",
}
BLOCK = "dataset green_finance, period 2020, region 330503: total loan_total_10k_yuan 720 instead of 7,199"


def manifest(**extra: object) -> dict:
    return {"snapshot_id": "0" * 24, "code_version": "0.1.0+gtest", "sources": [], "validation": {}, **extra}


def test_no_panel_when_nothing_is_missing_or_accepted() -> None:
    assert gaps_section(manifest()) is None  # an older manifest has neither field
    assert gaps_section(manifest(missing_inputs=[], accepted_blocks=[], accepted_by=None)) is None


def test_the_panel_lists_each_gap_and_each_accepted_block_with_who_accepted_it() -> None:
    section = gaps_section(manifest(missing_inputs=[GAP], accepted_blocks=[BLOCK], accepted_by="li.na"))
    (gaps_title, gaps), (accepted_title, accepted) = section.tables
    assert (gaps_title.en, accepted_title.en) == ("Missing inputs", "Diff-gate blocks accepted")
    assert gaps.rows == (("green_coverage", "2019", "green_register", GAP["effect"]),)
    assert accepted.rows == (("li.na", BLOCK),)
    assert section.intro.en.startswith("1 figure(s) are empty (not 0)")


def test_the_page_shows_the_panel_before_the_quality_panel() -> None:
    frames = {name: definition.empty_frame() for name, definition in DATASETS.items()}
    html = render_html(build_model(frames, manifest(missing_inputs=[GAP])))
    assert "Gaps and exceptions" in html and "unknown, not 0" in html
    assert html.index("Gaps and exceptions") < html.index("Data quality")


def test_the_panel_lists_each_removal_row_that_removed_nothing() -> None:
    unmatched = {"list_type": "green_park", "batch": 5, "entity_name": "石家庄经济技术开发区管委会",
                 "product_name": None, "product_model": None, "notice_date": "2023-03-23",
                 "source_sha256": "ab" * 32, "source_row": 5}  # fmt: skip
    section = gaps_section(manifest(validation={"unmatched_removals": [unmatched]}))
    ((title, table),) = section.tables
    assert title.en == "Removals naming no listed entry (nothing removed)"
    assert table.rows == ((f"{'ab' * 6} #5", "green_park", "5", "石家庄经济技术开发区管委会", "2023-03-23"),)
    assert "1 removal-notice row(s) name no listed entry" in section.intro.en
