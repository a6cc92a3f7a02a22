"""Fault corpus: one small filing per fault kind, each caught by the intended expectation.

Every fault starts from clean synthetic rows, injects a fault into chosen rows and is written to and read
back from its own Parquet file. The test then checks that exactly the injected rows are quarantined (row
rules) or flagged (warnings), that the clean rows pass on, and that critical faults reject the filing.
GX's findings are cross-checked against the same rules evaluated in plain pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from greenmfg import uscc
from greenmfg.contracts import get_contract
from greenmfg.validation import ValidationConfig, validate
from greenmfg.validation.plain import offending_positions
from greenmfg.validation.sample import clean_rows

N = 30


@dataclass(frozen=True)
class Fault:
    """Inject a fault into `rows` at `at` (positions); `rule` must catch it with `action`."""

    name: str
    filing_type: str
    rule: str
    action: str  # quarantined | flagged | rejected
    inject: Callable[[pd.DataFrame, list[int]], pd.DataFrame]
    at: tuple[int, ...] = (3, 11)


def _set(column: str, value: object) -> Callable[[pd.DataFrame, list[int]], pd.DataFrame]:
    def inject(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
        rows.loc[at, column] = value
        return rows

    return inject


def _wrong_check_character(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    for i in at:
        code = rows.at[i, "credit_code"]
        wrong = next(c for c in uscc.CHARSET if c != code[-1])
        rows.at[i, "credit_code"] = code[:-1] + wrong
    return rows


def _not_manufacturing(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "industry_code"] = "0610"
    rows.loc[at, "industry_division"] = "06"
    return rows


def _value_added_above_output(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "value_added_10k_yuan"] = rows.loc[at, "gross_output_10k_yuan"] * 1.5
    return rows


def _flag_disagrees(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "revenue_10k_yuan"] = 1500.0
    rows.loc[at, "gross_output_10k_yuan"] = 1600.0
    rows.loc[at, "value_added_10k_yuan"] = 400.0
    rows.loc[at, "is_above_size"] = True
    return rows


def _energy_off(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "energy_total_tce"] = rows.loc[at, "energy_total_tce"] * 2 + 10
    return rows


def _kind(kind: str, amount: float, investment: float | None = None):
    def inject(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
        rows.loc[at, "incentive_kind"] = kind
        rows.loc[at, "amount_10k_yuan"] = amount
        rows.loc[at, "equipment_investment_10k_yuan"] = investment if investment is not None else np.nan
        return rows

    return inject


def _ends_before_start(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "valid_to_date"] = rows.loc[at, "valid_from_date"] - pd.Timedelta(days=1)
    return rows


def _duplicate_keys(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    """Rows `at` repeat the key of the row before them (the later one is the fault)."""
    key = list(get_contract("enterprise_stats").key)
    for i in at:
        rows.loc[i, key] = rows.loc[i - 1, key].to_numpy()
    return rows


def _region_variant(rows: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    rows.loc[at, "region_raw"] = "内蒙"
    rows.loc[at, "region"] = "内蒙古"
    return rows


FAULTS = [
    Fault(
        "missing credit code",
        "enterprise_stats",
        "not_null:credit_code",
        "quarantined",
        _set("credit_code", pd.NA),
        at=(4,),
    ),
    Fault(
        "unknown district",
        "enterprise_stats",
        "codes:district_code",
        "quarantined",
        _set("district_code", "330599"),
    ),
    Fault(
        "unknown size class",
        "enterprise_stats",
        "codes:size_class",
        "quarantined",
        _set("size_class", "giant"),
    ),
    Fault(
        "credit code of foreign characters",
        "enterprise_stats",
        "pattern:credit_code",
        "quarantined",
        _set("credit_code", "91330500IOSVZ00001"),
    ),
    Fault(
        "credit code of 17 characters",
        "green_loans",
        "pattern:credit_code",
        "quarantined",
        _set("credit_code", "91330500000000001"),
    ),
    Fault(
        "wrong check character", "enterprise_stats", "credit_code_check", "flagged", _wrong_check_character
    ),
    Fault(
        "non-manufacturing industry",
        "enterprise_stats",
        "manufacturing_division:industry_division",
        "quarantined",
        _not_manufacturing,
    ),
    Fault(
        "negative water", "enterprise_stats", "range:water_10k_t", "quarantined", _set("water_10k_t", -3.0)
    ),
    Fault(
        "negative land area",
        "enterprise_stats",
        "range:land_area_m2",
        "quarantined",
        _set("land_area_m2", -1.0),
    ),
    Fault(
        "negative loan",
        "green_loans",
        "range:loan_amount_10k_yuan",
        "quarantined",
        _set("loan_amount_10k_yuan", -100.0),
    ),
    Fault("year out of range", "enterprise_stats", "range:year", "quarantined", _set("year", 1890), at=(7,)),
    Fault(
        "value added above output",
        "enterprise_stats",
        "value_added_le_gross_output",
        "quarantined",
        _value_added_above_output,
    ),
    Fault("above-size flag disagrees", "enterprise_stats", "above_size_flag", "quarantined", _flag_disagrees),
    Fault("energy total off", "enterprise_stats", "energy_total", "flagged", _energy_off),
    Fault("duplicated key", "enterprise_stats", "key_unique", "quarantined", _duplicate_keys, at=(5, 20)),
    Fault(
        "subsidy above 10 % of investment",
        "incentives",
        "subsidy_cap",
        "quarantined",
        _kind("equipment_subsidy", 150.0, 1000.0),
    ),
    Fault(
        "subsidy above 5 million",
        "incentives",
        "subsidy_cap",
        "quarantined",
        _kind("equipment_subsidy", 600.0, 20000.0),
    ),
    Fault(
        "model award above 10 million",
        "incentives",
        "model_award_cap",
        "quarantined",
        _kind("model_award", 1200.0),
    ),
    Fault(
        "unknown incentive kind",
        "incentives",
        "codes:incentive_kind",
        "quarantined",
        _set("incentive_kind", "lottery"),
    ),
    Fault("stars out of range", "green_register", "range:stars", "quarantined", _set("stars", 6)),
    Fault("unknown tier", "green_register", "codes:tier", "quarantined", _set("tier", "county")),
    Fault(
        "unknown list type",
        "green_register",
        "codes:list_type",
        "quarantined",
        _set("list_type", "green_mine"),
    ),
    Fault(
        "valid-to before valid-from",
        "green_register",
        "valid_dates_ordered",
        "quarantined",
        _ends_before_start,
    ),
    Fault(
        "register industry outside manufacturing",
        "green_register",
        "manufacturing_division",
        "quarantined",
        _set("industry_code", "0610"),
    ),
    Fault("region spelling variant", "miit_green_factories", "region_spelling", "flagged", _region_variant),
    Fault(
        "missing park name",
        "miit_green_parks",
        "not_null:entity_name",
        "quarantined",
        _set("entity_name", pd.NA),
    ),
]


def _through_file(rows: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Write the faulty filing to its own file and read it back, typed as the contract says."""
    rows.to_parquet(path, index=False)
    return pd.read_parquet(path)


def _clean(filing_type: str) -> pd.DataFrame:
    # MIIT batch 5 of design products has no official count; the others use a batch without one too.
    return clean_rows(filing_type, N, seed=7, period=8 if filing_type.startswith("miit_") else None)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_caught_by_its_expectation(fault: Fault, tmp_path: Path) -> None:
    clean = _clean(fault.filing_type)
    rows = _through_file(fault.inject(clean.copy(), list(fault.at)), tmp_path / "filing.parquet")
    injected = set(clean["source_row"].iloc[list(fault.at)])

    outcome = validate(rows, fault.filing_type, config=ValidationConfig())

    failed = {s.rule for s in outcome.summary.failed}
    assert fault.rule in failed
    assert outcome.is_rejected is False
    caught = outcome.quarantine[outcome.quarantine["rule"] == fault.rule]
    assert set(caught["source_row"]) == injected
    assert set(caught["action"]) == {fault.action}
    accepted = set(outcome.accepted["source_row"])
    if fault.action == "quarantined":
        assert accepted == set(clean["source_row"]) - injected
        assert (
            set(outcome.quarantine.loc[outcome.quarantine["action"] == "quarantined", "source_row"])
            == injected
        )
    else:
        assert accepted == set(clean["source_row"])
        assert outcome.summary.rows_flagged == len(injected)
    plain = offending_positions(rows, fault.filing_type)
    assert set(rows["source_row"].iloc[plain[fault.rule]]) == injected


@pytest.mark.parametrize(
    "filing_type",
    [
        "enterprise_stats",
        "green_register",
        "incentives",
        "green_loans",
        "miit_green_factories",
        "miit_green_design_products",
    ],
)
def test_clean_rows_pass_every_expectation(filing_type: str) -> None:
    rows = _clean(filing_type)
    outcome = validate(rows, filing_type, config=ValidationConfig())
    assert outcome.summary.failed == []
    assert len(outcome.accepted) == len(rows) and outcome.quarantine.empty
    required = [s for s in outcome.summary.expectations if s.rule.startswith(("not_null:", "key_unique"))]
    assert required and all(s.checked == len(rows) for s in required)


def test_unreadable_cells_are_quarantined_as_type_errors_once() -> None:
    rows = _clean("enterprise_stats")
    rows.loc[[2, 9], "revenue_10k_yuan"] = np.nan
    bad = rows["source_row"].iloc[[2, 9]].tolist()
    cell_errors = pd.DataFrame(
        {
            "source_row": bad,
            "column": ["revenue_10k_yuan"] * 2,
            "raw_value": ["12,3a", "n/a万"],
            "expected": ["float"] * 2,
        }
    )
    outcome = validate(rows, "enterprise_stats", cell_errors=cell_errors, config=ValidationConfig())
    quarantined = outcome.quarantine
    assert set(quarantined["rule"]) == {"type"}  # the NA cell is not reported again as missing
    assert sorted(quarantined["offending_value"]) == ["12,3a", "n/a万"]
    assert set(quarantined["column"]) == {"revenue_10k_yuan"}
    assert set(outcome.accepted["source_row"]) == set(rows["source_row"]) - set(bad)


def test_quarantine_names_the_source_and_the_key() -> None:
    rows = _duplicate_keys(_clean("enterprise_stats"), [6])
    outcome = validate(rows, "enterprise_stats", config=ValidationConfig())
    entry = outcome.quarantine.iloc[0]
    assert entry["source_sha256"] == rows["source_sha256"].iloc[0]
    assert entry["credit_code"] == rows["credit_code"].iloc[6]
    assert entry["year"] == str(rows["year"].iloc[6])
    assert str(rows["source_row"].iloc[5]) in entry["message"]
    assert entry["severity"] == "row" and entry["expectation"] == "expect_column_values_to_be_in_set"


def test_wrong_column_type_rejects_the_filing() -> None:
    rows = _clean("enterprise_stats")
    rows["revenue_10k_yuan"] = rows["revenue_10k_yuan"].astype("string")
    outcome = validate(rows, "enterprise_stats", config=ValidationConfig())
    assert outcome.is_rejected and outcome.accepted.empty
    assert any(r.startswith("dtype:revenue_10k_yuan") for r in outcome.rejection_reasons)
    assert {s.status for s in outcome.summary.expectations if s.rule.startswith("range:")} == {"not run"}


def test_missing_column_rejects_the_filing() -> None:
    rows = _clean("green_loans").drop(columns=["bank"])
    outcome = validate(rows, "green_loans", config=ValidationConfig())
    assert outcome.is_rejected
    assert outcome.quarantine.loc[
        outcome.quarantine["rule"] == "column:bank", "offending_value"
    ].tolist() == ["missing"]


def test_half_the_rows_missing_against_the_previous_filing_rejects() -> None:
    previous = clean_rows("enterprise_stats", 40, seed=3, period=2019)
    current = clean_rows("enterprise_stats", 40, seed=3, period=2020).iloc[::2]
    outcome = validate(current, "enterprise_stats", previous=previous, config=ValidationConfig())
    assert outcome.is_rejected and outcome.accepted.empty
    failed = {s.rule for s in outcome.summary.failed}
    assert {"row_count_change", "deleted_keys"} <= failed
    assert "period_continuity" not in failed
    assert any("20 of 40 keys" in reason for reason in outcome.rejection_reasons)


def test_small_drift_and_a_skipped_period() -> None:
    previous = clean_rows("enterprise_stats", 40, seed=3, period=2017)
    current = clean_rows("enterprise_stats", 40, seed=3, period=2020).iloc[:38]
    outcome = validate(current, "enterprise_stats", previous=previous, config=ValidationConfig())
    assert not outcome.is_rejected
    assert {s.rule for s in outcome.summary.failed} == {"period_continuity"}
    assert len(outcome.accepted) == 38


def test_thresholds_and_severities_are_configuration(tmp_path: Path, set_env) -> None:
    config_file = tmp_path / "validation.toml"
    config_file.write_text(
        "max_row_count_drop_share = 0.6\nmax_deleted_key_share = 0.6\n"
        '[severities]\n"enterprise_stats.credit_code_check" = "row"\n',
        encoding="utf-8",
    )
    set_env(GREENMFG_VALIDATION_CONFIG=str(config_file))
    previous = clean_rows("enterprise_stats", 40, seed=3, period=2019)
    current = _wrong_check_character(
        clean_rows("enterprise_stats", 40, seed=3, period=2020).iloc[::2].reset_index(drop=True), [1]
    )
    outcome = validate(current, "enterprise_stats", previous=previous)
    assert not outcome.is_rejected
    assert set(outcome.quarantine["action"]) == {"quarantined"}
    assert len(outcome.accepted) == 19


def test_batch_counts_against_the_official_counts() -> None:
    rows = pd.concat(
        [
            clean_rows("miit_green_parks", 24, seed=1, period=1),
            clean_rows("miit_green_parks", 25, seed=2, period=2),
        ],
        ignore_index=True,
    )
    rows["source_row"] = np.arange(2, len(rows) + 2)
    outcome = validate(rows, "miit_green_parks", config=ValidationConfig())
    summary = {s.rule: s for s in outcome.summary.expectations}["batch_count"]
    assert (summary.checked, summary.failed) == (2, 1)
    assert summary.sample == ["batch 2: 25 rows vs 22 published (+3)"]
    assert not outcome.is_rejected and len(outcome.accepted) == len(rows)
