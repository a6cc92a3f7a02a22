"""Round trip: every reference file parses with the generic parser, with no cell errors and the answer key's
row counts, periods and totals."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reference_reading import default_reference

from greenmfg.parsing import parse
from greenmfg.reference import ANSWER_KEY, AnswerKey, generate


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    folder = default_reference(tmp_path_factory)
    return folder, AnswerKey.load(folder / ANSWER_KEY)


def test_every_file_parses_as_the_answer_key_says(reference) -> None:
    folder, key = reference
    problems = []
    for record in key.files:
        (parsed,) = parse((folder / record.key).read_bytes(), Path(record.key).name)
        found = (parsed.filing_type, parsed.periods, len(parsed.rows), len(parsed.cell_errors))
        expected = (record.filing_type, [record.period], record.rows, 0)
        if found != expected:
            problems.append(f"{record.key}: found {found}, expected {expected}")
    assert problems == []


def test_money_converts_back_to_10k_yuan(reference) -> None:
    folder, key = reference
    tolerance = key.tolerance["money_10k_yuan_abs"]
    for year, period in key.periods["enterprise_stats"].items():
        (parsed,) = parse(
            (folder / period["effective_file"]).read_bytes(), Path(period["effective_file"]).name
        )
        rows = parsed.rows
        assert len(rows) == period["rows"], year
        for column in ("revenue_10k_yuan", "value_added_10k_yuan", "energy_total_tce"):
            assert rows[column].sum() == pytest.approx(period[column], abs=tolerance * len(rows)), (
                year,
                column,
            )
    loans = key.periods["green_loans"]["2020"]["effective_file"]
    (parsed,) = parse((folder / loans).read_bytes(), Path(loans).name)
    assert parsed.rows["loan_amount_10k_yuan"].sum() == pytest.approx(330_000, abs=tolerance)
    assert parsed.rows["credit_code"].nunique() == 148


def test_scale_mode_files_parse(tmp_path: Path) -> None:
    key = generate(tmp_path, enterprises=5000, years=(2019, 2020))
    for record in key.files:
        if record.filing_type != "enterprise_stats":
            continue
        (parsed,) = parse((tmp_path / record.key).read_bytes(), Path(record.key).name)
        assert (len(parsed.rows), len(parsed.cell_errors), parsed.periods) == (5000, 0, [record.period])
