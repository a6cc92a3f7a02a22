"""Held filings: the hold rules, the [review] thresholds, what is in force, and create-once decisions."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pandas as pd
import pytest

from greenmfg import review, staging
from greenmfg.contracts import get_contract
from greenmfg.errors import SettingsError
from greenmfg.ingest import PartOutcome, record_status
from greenmfg.review import AlreadyDecidedError, Decision, ReviewError
from greenmfg.settings import Settings
from greenmfg.storage import Stores, keys
from greenmfg.validation import load_config
from greenmfg.validation.review_thresholds import ReviewThresholds

SHA = {name: (name * 64)[:64] for name in "abcdef"}
DEFAULTS = ReviewThresholds()


def _against(rows: list[int], totals: dict[str, list[float]], sha: str = SHA["a"]) -> dict:
    return {"sha256": sha, "original_name": "2020.csv", "rows": rows, "totals": totals}


# --- the hold rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parsed", "quarantined", "superseded", "held_for"),
    [
        (148, 0, {}, []),
        (148, 37, {}, []),  # 25.0 %: at the bound, not above it
        (148, 38, {}, ["38 of 148 rows quarantined (26%), more than max_quarantined_share 25%"]),
        (0, 0, {}, []),
        (148, 0, {"2020": _against([148, 148], {"loan_amount_10k_yuan": [330_000.0, 300_000.0]})}, []),
        (148, 0, {"2020": _against([148, 74], {"loan_amount_10k_yuan": [330_000.0, 165_000.0]})}, []),
        (
            148,
            0,
            {"2020": _against([148, 73], {"loan_amount_10k_yuan": [330_000.0, 300_000.0]})},
            [
                "2020 against aaaaaaaaaaaa (2020.csv): rows 148 → 73 (-51%), "
                "more than max_total_change_share 50%"
            ],
        ),
        (
            148,
            0,
            {"2020": _against([148, 150], {"loan_amount_10k_yuan": [330_000.0, 500_000.5]})},
            [
                "2020 against aaaaaaaaaaaa (2020.csv): loan_amount_10k_yuan total 330,000 → 500,000.50 "
                "(+52%), more than max_total_change_share 50%"
            ],
        ),
        (
            10,
            0,
            {"2020": _against([10, 10], {"loan_amount_10k_yuan": [0.0, 5.0]})},
            [
                "2020 against aaaaaaaaaaaa (2020.csv): loan_amount_10k_yuan total 0 → 5 (from 0), "
                "more than max_total_change_share 50%"
            ],
        ),
    ],
)
def test_hold_rules(parsed: int, quarantined: int, superseded: dict, held_for: list[str]) -> None:
    assert review.hold_reasons(parsed, quarantined, superseded, DEFAULTS) == held_for


def test_a_mostly_bad_correction_breaks_both_rules_one_line_each() -> None:
    superseded = {"2020": _against([148, 10], {"loan_amount_10k_yuan": [330_000.0, 21_930.0]})}
    reasons = review.hold_reasons(148, 138, superseded, DEFAULTS)
    assert reasons == [
        "138 of 148 rows quarantined (93%), more than max_quarantined_share 25%",
        "2020 against aaaaaaaaaaaa (2020.csv): rows 148 → 10 (-93%), loan_amount_10k_yuan total 330,000 → "
        "21,930 (-93%), more than max_total_change_share 50%",
    ]
    looser = ReviewThresholds(max_quarantined_share=0.95, max_total_change_share=0.95)
    assert review.hold_reasons(148, 138, superseded, looser) == []


def test_change_share() -> None:
    assert review.change_share(100, 150) == 0.5
    assert review.change_share(-100, -50) == 0.5
    assert review.change_share(0, 0) == 0.0
    assert math.isinf(review.change_share(0, 1))


def test_headline_columns_are_the_money_and_energy_floats_of_the_contract() -> None:
    assert review.headline_columns(get_contract("green_loans")) == ("loan_amount_10k_yuan",)
    stats = review.headline_columns(get_contract("enterprise_stats"))
    assert set(stats) == {
        "revenue_10k_yuan",
        "gross_output_10k_yuan",
        "value_added_10k_yuan",
        "energy_total_tce",
        "electricity_10k_kwh",
        "heat_gj",
    }  # not tonnes of coal, cubic metres of gas, water, land or head counts
    assert review.headline_columns(get_contract("miit_green_parks")) == ()


def test_superseded_evidence_totals_skip_missing_values() -> None:
    contract = get_contract("green_loans")
    before = pd.DataFrame({"loan_amount_10k_yuan": [1.0, 2.0, float("nan")]})
    after = pd.DataFrame({"loan_amount_10k_yuan": [4.0]})
    found = review.superseded_evidence(contract, before, after, sha256=SHA["b"], original_name="x.csv")
    assert found == _against([3, 1], {"loan_amount_10k_yuan": [3.0, 4.0]}, SHA["b"]) | {
        "original_name": "x.csv"
    }


@pytest.mark.parametrize(
    ("statuses", "status"),
    [
        (["accepted"], "accepted"),
        (["accepted", "accepted"], "accepted"),
        (["rejected"], "rejected"),
        (["accepted", "rejected"], "partly_rejected"),
        (["held"], "held"),
        (["accepted", "held"], "held"),
        (["held", "rejected"], "held"),
    ],
)
def test_record_status(statuses: list[str], status: str) -> None:
    parts = [PartOutcome("green_loans", [2020], 1, 1, 0, s) for s in statuses]
    assert record_status(parts) == status


# --- the [review] table ------------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(settings=Settings(validation_config=path))


def test_review_thresholds_come_from_the_review_table(tmp_path: Path) -> None:
    defaults = ReviewThresholds(max_quarantined_share=0.25, max_total_change_share=0.5)
    assert load_config(settings=Settings(validation_config=None)).review == DEFAULTS == defaults
    config = _config(tmp_path, "[review]\nmax_quarantined_share = 0.1\nmax_total_change_share = 2.0\n")
    assert config.review == ReviewThresholds(max_quarantined_share=0.1, max_total_change_share=2.0)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[review]\nmax_quarantine_share = 0.1\n", "review.max_quarantine_share"),
        ("[review]\nmax_quarantined_share = 1.5\n", "review.max_quarantined_share"),
        ("[review]\nmax_total_change_share = 0\n", "review.max_total_change_share"),
    ],
)
def test_a_bad_review_table_is_one_line_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        _config(tmp_path, text)
    assert named in str(raised.value) and "config.toml" in str(raised.value)
    assert "\n" not in str(raised.value)


# --- what is in force ---------------------------------------------------------------------------------------


def _record(sha: str, status: str, received_at: str, *, period: int = 2020) -> dict:
    return {
        "sha256": sha,
        "original_name": f"{sha[:1]}.csv",
        "received_at": received_at,
        "status": status,
        "parts": [
            {
                "filing_type": "green_loans",
                "periods": [period],
                "status": status,
                "rows_parsed": 148,
                "rows_accepted": 10,
                "rows_quarantined": 138,
                "hold_reasons": ["138 of 148 rows quarantined"] if status == "held" else [],
                "staged": {str(period): {"key": f"k/{sha}", "rows": 10}},
            }
        ],
    }


def _in_force(records: list[dict]) -> str:
    return staging.winners(staging.staged_parts(records))[("green_loans", 2020)].sha256


def test_a_held_correction_leaves_the_filing_before_it_in_force_until_accepted() -> None:
    original = _record(SHA["a"], "accepted", "2021-01-01")
    held = _record(SHA["b"], "held", "2021-02-01")
    assert _in_force([original, held]) == SHA["a"]
    assert [p.sha256 for p in staging.staged_parts([original, held], include_held=True)] == [
        SHA["a"],
        SHA["b"],
    ]
    assert staging.staged_parts([held], include_held=True)[0].status == "held"
    rejected = held | {"decision": {"decision": "reject"}}
    assert _in_force([original, rejected]) == SHA["a"]
    accepted = held | {"decision": {"decision": "accept"}}
    assert _in_force([original, accepted]) == SHA["b"]
    # received last still wins: a later good correction supersedes the accepted one
    assert _in_force([original, accepted, _record(SHA["c"], "accepted", "2021-03-01")]) == SHA["c"]


# --- decisions ----------------------------------------------------------------------------------------------


def _decision(sha: str, decision: str = "accept", by: str = "li.na") -> Decision:
    return Decision(sha, decision, by, "2021-03-01T08:00:00+00:00", "checked with the bank")


def test_a_decision_is_stored_once_and_read_back_with_the_records(local_stores: Stores) -> None:
    held = _record(SHA["b"], "held", "2021-02-01")
    local_stores.staging.write_bytes(keys.ingestion_record(SHA["b"]), json.dumps(held).encode())
    taken = review.decide(local_stores.staging, held, _decision(SHA["b"]))
    stored = json.loads(local_stores.staging.read_bytes(f"decisions/{SHA['b']}.json"))
    assert stored == {
        "sha256": SHA["b"],
        "decision": "accept",
        "decided_by": "li.na",
        "decided_at": "2021-03-01T08:00:00+00:00",
        "reason": "checked with the bank",
    }
    assert review.read_decisions(local_stores.staging) == {SHA["b"]: taken}
    (record,) = staging.all_records(local_stores.staging)
    assert record["decision"] == stored and review.pending([record]) == []
    with pytest.raises(AlreadyDecidedError) as second:
        review.decide(local_stores.staging, held, _decision(SHA["b"], "reject", "wang.fang"))
    assert str(second.value) == (
        f"filing {SHA['b'][:12]} (b.csv) was already accepted by li.na at 2021-03-01T08:00:00+00:00: "
        "checked with the bank; a decision is taken once"
    )
    assert json.loads(local_stores.staging.read_bytes(f"decisions/{SHA['b']}.json")) == stored


def test_of_reviewers_deciding_at_once_exactly_one_decision_stands(local_stores: Stores) -> None:
    held = _record(SHA["c"], "held", "2021-02-01")
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def reviewer(number: int) -> None:
        start.wait()
        try:
            review.decide(local_stores.staging, held, _decision(SHA["c"], "accept", f"reviewer{number}"))
            outcomes.append(f"reviewer{number}")
        except AlreadyDecidedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = [o for o in outcomes if o != "refused"]
    assert outcomes.count("refused") == 7
    assert review.read_decision(local_stores.staging, SHA["c"]).decided_by == winner


def test_only_a_held_filing_can_be_accepted_and_an_accepted_one_withdrawn(local_stores: Stores) -> None:
    accepted = _record(SHA["a"], "accepted", "2021")
    with pytest.raises(ReviewError, match=r"is accepted: only a held filing can be accepted"):
        review.decide(local_stores.staging, accepted, _decision(SHA["a"]))
    with pytest.raises(ReviewError, match=r"is rejected: only a held filing can be accepted"):
        rejected = _record(SHA["c"], "rejected", "2021")
        review.decide(local_stores.staging, rejected, _decision(SHA["c"], "reject"))
    assert review.read_decisions(local_stores.staging) == {}
    withdrawn = review.decide(local_stores.staging, accepted, _decision(SHA["a"], "reject"))
    assert withdrawn.decision == "reject"
    record = {**accepted, "decision": {"decision": "reject"}}
    assert staging.staged_parts([record]) == [] and staging.staged_parts([accepted]) != []
    with pytest.raises(ReviewError, match=r"unknown decision 'approve'"):
        _decision(SHA["a"], "approve")


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("aaaaaaaaaaa", "is not a filing's SHA-256 or a prefix of it; expected 12 to 64 hex characters"),
        ("zzzzzzzzzzzzzz", "is not a filing's SHA-256"),
        ("a" * 65, "is not a filing's SHA-256"),
        ("cccccccccccc", "no ingested filing has a SHA-256 starting with cccccccccccc"),
        ("abababababab", "abababababab is ambiguous: it starts "),
    ],
)
def test_resolve_refuses_what_names_no_single_filing(prefix: str, problem: str) -> None:
    records = [{"sha256": "ab" * 32}, {"sha256": "ab" * 31 + "cd"}, {"sha256": SHA["a"]}]
    with pytest.raises(ReviewError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        review.resolve(prefix, records)


def test_resolve_takes_a_prefix_or_the_whole_digest_in_any_case() -> None:
    records = [{"sha256": SHA["a"]}, {"sha256": SHA["b"]}]
    assert review.resolve("AAAAAAAAAAAA", records) is records[0]
    assert review.resolve(f" {SHA['b']} ", records) is records[1]


def test_pending_lists_held_filings_without_a_decision_with_their_evidence() -> None:
    held = _record(SHA["b"], "held", "2021-02-01")
    held["parts"][0]["superseded"] = {"2020": _against([148, 10], {"loan_amount_10k_yuan": [330_000.0, 1.0]})}
    records = [_record(SHA["a"], "accepted", "2021-01-01"), held, _record(SHA["c"], "held", "2021-01-15")]
    records[2]["decision"] = {"decision": "reject"}
    (shown,) = review.pending(records)
    assert shown["sha256"] == SHA["b"]
    (part,) = shown["parts"]
    assert part["quarantined_share"] == pytest.approx(138 / 148)
    assert part["superseded"]["2020"]["rows"] == [148, 10]
    assert part["reasons"] == ["138 of 148 rows quarantined"]
