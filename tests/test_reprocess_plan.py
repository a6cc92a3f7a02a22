"""Reprocess planning is pure: which filings a range re-validates, and which datasets and periods of a diff
its report focuses on (the snapshot itself is always a full derive)."""

from __future__ import annotations

import pytest

from greenmfg import reprocess, staging
from greenmfg.build import Selection
from greenmfg.errors import GreenmfgError

SHA = {name: (name * 64)[:64] for name in "abcdef"}


def _record(sha: str, filing_type: str, periods: list[int], name: str, received_at: str) -> dict:
    return {
        "sha256": sha,
        "original_name": name,
        "received_at": received_at,
        "status": "accepted",
        "parts": [
            {
                "filing_type": filing_type,
                "status": "accepted",
                "staged": {str(p): {"key": f"k/{sha}/{p}", "rows": 1} for p in periods},
            }
        ],
    }


@pytest.fixture
def selection() -> Selection:
    records = [
        _record(SHA["a"], "enterprise_stats", [2019], "2019.csv", "2020-01-01"),
        _record(SHA["b"], "enterprise_stats", [2019], "2019_更正.csv", "2020-02-01"),
        _record(SHA["c"], "enterprise_stats", [2020], "2020.csv", "2021-01-01"),
        _record(SHA["d"], "green_loans", [2020], "loans.csv", "2021-01-01"),
        _record(SHA["e"], "miit_green_parks", [1, 2], "parks.csv", "2021-01-01"),
    ]
    return Selection(staging.winners(staging.staged_parts(records)), records)


def test_range_selects_the_filings_in_force_and_all_datasets(selection) -> None:
    plan = reprocess.plan(selection, 2019, 2019)
    assert [f["sha256"] for f in plan.filings] == [SHA["b"]]
    assert plan.reparse_filings == []
    assert plan.datasets == [
        "green_coverage",
        "green_list_counts",
        "incentives",
        "green_finance",
        "energy_intensity",
        "miit_entry_places",
        "miit_city_counts",
    ]


def test_reparse_takes_superseded_filings_too(selection) -> None:
    plan = reprocess.plan(selection, 2019, 2020, filing_type="enterprise_stats", reparse=True)
    assert plan.reparse_filings == sorted([SHA["a"], SHA["b"], SHA["c"]])
    assert plan.datasets == ["green_coverage", "energy_intensity"]


def test_one_dataset_only(selection) -> None:
    assert reprocess.plan(selection, 2020, 2020, dataset="green_finance").datasets == ["green_finance"]


@pytest.mark.parametrize(
    ("year_from", "year_to", "filing_type", "dataset", "message"),
    [
        (2021, 2020, None, None, "after"),
        (2020, 2020, "energy_bills", None, "unknown filing type"),
        (2020, 2020, None, "emissions", "unknown dataset"),
    ],
)
def test_bad_arguments_are_refused(selection, year_from, year_to, filing_type, dataset, message) -> None:
    with pytest.raises(GreenmfgError, match=message):
        reprocess.plan(selection, year_from, year_to, filing_type=filing_type, dataset=dataset)


def _change(dataset: str, period: str, before: int, after: int) -> dict:
    return {"dataset": dataset, "period": period, "rows_before": before, "rows_after": after}


def test_the_report_focuses_on_the_range_and_lists_the_changes_outside_it(selection) -> None:
    diff = {
        "periods": [
            _change("green_finance", "2019", 10, 10),  # unchanged: never listed
            _change("green_finance", "2020", 10, 11),
            _change("green_finance", "2021", 5, 6),
            _change("green_coverage", "2020", 7, 8),
            _change("miit_city_counts", "all", 9, 10),
        ],
        "values": [{"dataset": "green_finance", "period": "2020", "region_code": "330500"}],
    }
    plan = reprocess.plan(selection, 2020, 2020, dataset="green_finance")
    found = reprocess.focus(diff, plan)
    assert found["periods"] == [_change("green_finance", "2020", 10, 11)]
    assert [v["period"] for v in found["values"]] == ["2020"]
    assert found["outside"] == ["green_coverage 2020", "green_finance 2021", "miit_city_counts all"]
    miit = reprocess.focus(diff, reprocess.plan(selection, 2020, 2020, filing_type="miit_green_parks"))
    assert _change("miit_city_counts", "all", 9, 10) in miit["periods"]
