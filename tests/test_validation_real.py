"""Real inputs: the MIIT lists validate with their known defects reported; the reference filings pass."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from greenmfg.contracts import get_contract
from greenmfg.parsing import ParsedFiling, parse
from greenmfg.reference import generate
from greenmfg.validation import ValidationConfig, validate
from greenmfg.validation.fact_rules import key_strings, official_counts

MIIT = Path("/work/shared/data/miit-green-lists")
CSV_FILES = (
    "绿色工厂名单.csv",
    "绿色工业园区名单.csv",
    "绿色供应链管理示范企业名单.csv",
    "绿色设计产品名单.csv",
)
WORKBOOK_FILED_AS = "绿色制造名单2021年度.xlsx"  # data01.xlsx says its batch (6) nowhere inside

pytestmark = pytest.mark.skipif(not MIIT.exists(), reason="the shared MIIT data folder is not mounted")


@cache
def miit_filings() -> tuple[ParsedFiling, ...]:
    filings = [f for name in CSV_FILES for f in parse((MIIT / name).read_bytes(), name)]
    filings += parse((MIIT / "data01.xlsx").read_bytes(), WORKBOOK_FILED_AS)
    return tuple(filings)


@pytest.mark.parametrize("index", range(8))
def test_miit_lists_validate_without_losing_an_entity(index: int) -> None:
    filing = miit_filings()[index]
    outcome = validate(
        filing.rows,
        filing.filing_type,
        cell_errors=filing.cell_errors,
        source_name=filing.source_name,
        config=ValidationConfig(),
    )
    assert not outcome.is_rejected
    key = list(get_contract(filing.filing_type).key)
    assert set(key_strings(outcome.accepted, key)) == set(key_strings(filing.rows, key))
    # Only repeats of a key already accepted are quarantined.
    quarantined = outcome.quarantine[outcome.quarantine["action"] == "quarantined"]
    assert set(quarantined["rule"]) <= {"key_unique"}
    # Cleaned rows per batch agree with the ministry's counts wherever a count is published.
    counts = {s.rule: s for s in outcome.summary.expectations}["batch_count"]
    assert counts.status == "passed" and counts.checked >= 1


def test_miit_known_defects_are_reported() -> None:
    filings = {(f.filing_type, f.sheet): f for f in miit_filings()}
    products = filings[("miit_green_design_products", None)]
    outcome = validate(products.rows, products.filing_type, config=ValidationConfig())
    batch3 = int((products.rows["batch"] == 3).sum())
    # The batch-3 surplus over the official 480 is the leaked rows the parser dropped (and reported).
    assert batch3 == official_counts("miit_green_design_products")[3]
    assert len(products.dropped_rows) >= 9
    summaries = {s.rule: s for s in outcome.summary.expectations}
    assert summaries["region_spelling"].status == "failed"  # spelling variants reported, rows kept
    assert summaries["key_unique"].failed == 2  # the same product model listed twice within a batch
    factories = filings[("miit_green_factories", None)]
    spelled = validate(factories.rows, factories.filing_type, config=ValidationConfig())
    flagged = spelled.quarantine[spelled.quarantine["rule"] == "region_spelling"]
    assert len(flagged) > 0 and set(flagged["action"]) == {"flagged"}
    assert len(spelled.accepted) == len(factories.rows)


@pytest.mark.slow
def test_reference_filings_pass_without_critical_or_row_failures(tmp_path: Path) -> None:
    generate(tmp_path)
    # The CSV filings (about half, every type); the XLSX ones parse slowly and validate the same way.
    files = sorted(p for p in tmp_path.rglob("*.csv"))
    assert files
    accepted: dict[tuple[str, int], object] = {}
    for path in files:
        for filing in parse(path.read_bytes(), path.name):
            period = int(filing.periods[0])
            previous = accepted.get((filing.filing_type, period - 1))  # the year before, when among the CSVs
            outcome = validate(
                filing.rows,
                filing.filing_type,
                cell_errors=filing.cell_errors,
                previous=previous,
                config=ValidationConfig(),
            )
            blocking = [s.rule for s in outcome.summary.failed if s.severity != "warning"]
            assert blocking == [], f"{path.name}: {blocking}"
            assert len(outcome.accepted) == len(filing.rows)
            accepted[(filing.filing_type, period)] = outcome.accepted
