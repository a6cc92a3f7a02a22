"""Missing inputs are absent, never zero: green_coverage of a year without its register, and the gaps the
manifest lists (worked out by hand below)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_indicators import REGISTER, STATS, canonical, row_of, stat

from greenmfg.indicators import DATASETS, derive
from greenmfg.indicators.gaps import missing_inputs
from greenmfg.policy import Policy

COVERAGE = DATASETS["green_coverage"]


@pytest.fixture(scope="module")
def two_years() -> dict[str, pd.DataFrame]:
    """Statistics of 2019 (three above-size enterprises) and 2020; registers of 2019 only for one plant
    and of 2020 (REGISTER); a register filing of 2021 without statistics."""
    stats_2019 = [stat("A", "330502", "26", year=2019), stat("B", "330502", "26", year=2019),
                  stat("D", "330503", "26", year=2019)]  # fmt: skip
    register_2021 = {**REGISTER[0], "year": 2021}
    return {
        "enterprise_stats": canonical("enterprise_stats", [*stats_2019, *STATS], "stats"),
        "green_register": canonical(
            "green_register", [r for r in REGISTER if r["year"] == 2020] + [register_2021], "register"
        ),
    }


def test_a_year_without_its_register_has_null_plants_and_the_others_keep_theirs(two_years) -> None:
    out = derive("green_coverage", two_years, Policy())
    city_2019 = row_of(out, year=2019, region_code="330500", industry_division="ALL")
    city_2020 = row_of(out, year=2020, region_code="330500", industry_division="ALL")
    assert city_2019["above_size_enterprises"] == 3
    assert pd.isna(city_2019["green_plants"]) and pd.isna(city_2019["coverage_pct"])
    assert out.loc[out["year"] == 2019, "green_plants"].isna().all()
    # 2020 as test_indicators works it out: 5 of 12 at threshold 3.
    assert (city_2020["above_size_enterprises"], city_2020["green_plants"]) == (12, 5)
    assert city_2020["coverage_pct"] == pytest.approx(5 / 12 * 100)
    assert 2021 not in set(out["year"])  # a register without statistics gives no rows, not zero enterprises


def test_the_published_schema_allows_null_plants() -> None:
    schema = COVERAGE.arrow_schema()
    assert schema.field("green_plants").nullable and schema.field("coverage_pct").nullable
    assert not schema.field("above_size_enterprises").nullable


def test_gaps_name_the_dataset_period_missing_type_and_effect() -> None:
    periods = {"enterprise_stats": [2019, 2020], "green_register": [2020, 2021], "green_loans": [2018]}
    gaps = missing_inputs(periods, DATASETS.values())
    assert [(g["dataset"], g["period"], g["missing"]) for g in gaps] == [
        ("green_coverage", 2019, ["green_register"]),
        ("green_coverage", 2021, ["enterprise_stats"]),
    ]
    assert "null" in gaps[0]["effect"] and "not 0" in gaps[0]["effect"]
    assert "no rows" in gaps[1]["effect"]


def test_no_gap_when_every_joint_input_is_there_or_none_is() -> None:
    assert missing_inputs({"enterprise_stats": [2020], "green_register": [2020]}, DATASETS.values()) == []
    assert missing_inputs({"green_loans": [2020], "incentives": [2019]}, DATASETS.values()) == []


def test_only_green_coverage_needs_inputs_together() -> None:
    """The other datasets read one filing type per figure: a period without it simply has no rows."""
    joint = {name: dict(d.joint_inputs) for name, d in DATASETS.items() if d.joint_inputs}
    assert set(joint) == {"green_coverage"}
    assert set(joint["green_coverage"]) == {"enterprise_stats", "green_register"}
