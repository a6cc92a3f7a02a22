"""Every contract builds a suite; the committed suites in expectations/ match the rules."""

from __future__ import annotations

import json

import pytest

from greenmfg.contracts import CONTRACTS, PROVENANCE_COLUMNS
from greenmfg.validation import ValidationConfig
from greenmfg.validation.gx import build_suite
from greenmfg.validation.suites import EXPECTATIONS_DIR, stale_suites, suite_dict, write_suites


@pytest.mark.parametrize("filing_type", sorted(CONTRACTS))
def test_every_contract_builds_a_gx_suite(filing_type: str) -> None:
    suite = suite_dict(filing_type)
    gx_suite = build_suite(filing_type, suite["expectations"])
    assert len(gx_suite.expectations) == len(suite["expectations"])
    rules = [e["meta"]["rule"] for e in suite["expectations"]]
    assert len(rules) == len(set(rules))
    contract = CONTRACTS[filing_type]
    for column in (*contract.columns, *PROVENANCE_COLUMNS):
        assert f"column:{column.name}" in rules and f"dtype:{column.name}" in rules
    for name in contract.required_columns:
        assert f"not_null:{name}" in rules
    for column in contract.columns:
        assert (f"codes:{column.name}" in rules) == bool(column.codes)
        assert (f"pattern:{column.name}" in rules) == bool(column.pattern)
    assert "key_unique" in rules and "type" in rules


def test_committed_suites_are_up_to_date() -> None:
    assert stale_suites() == [], "run: python -m greenmfg.validation.suites"


def test_stale_suites_are_detected(tmp_path) -> None:
    write_suites(tmp_path)
    assert stale_suites(tmp_path) == []
    path = tmp_path / "green_loans.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].pop()
    path.write_text(json.dumps(suite), encoding="utf-8")
    (tmp_path / "incentives.json").unlink()
    assert stale_suites(tmp_path) == ["green_loans", "incentives"]
    assert EXPECTATIONS_DIR.name == "expectations"


def test_severities_follow_configuration() -> None:
    config = ValidationConfig(
        severities={"range": "warning", "enterprise_stats.range:year": "critical", "energy_total": "off"}
    )
    meta = {
        e["meta"]["rule"]: e["meta"]["severity"]
        for e in suite_dict("enterprise_stats", config)["expectations"]
    }
    assert meta["range:revenue_10k_yuan"] == "warning"
    assert meta["range:year"] == "critical"
    assert "energy_total" not in meta
    assert meta["credit_code_check"] == "warning"  # the documented default: flag, never drop
