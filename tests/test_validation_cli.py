"""`greenmfg validate FILE`: the summary table, and exit code 3 when the filing would be rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenmfg.cli import main
from greenmfg.validation.sample import clean_rows

HEADER = "统一社会信用代码,企业名称,所属区县,贷款金额(万元),申请编号,年份"


def _loans_csv(path: Path, rows: int, bad_district_rows: tuple[int, ...] = ()) -> Path:
    frame = clean_rows("green_loans", rows, seed=5)
    lines = [HEADER]
    for i, row in frame.iterrows():
        district = "999999" if i in bad_district_rows else row["district_code"]
        lines.append(
            f"{row['credit_code']},{row['enterprise_name']},{district},"
            f"{row['loan_amount_10k_yuan']},{row['application_no']},2020"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_prints_the_summary_and_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    csv = _loans_csv(tmp_path / "2020年绿色贷款申请.csv", 12, bad_district_rows=(2, 5))
    code = main(["validate", str(csv), "--type", "green_loans"])
    out = capsys.readouterr().out
    assert code == 0
    assert "codes:district_code" in out and "quarantined 2" in out
    # each offending value with the source row it was filed on (header on line 1, data from line 2)
    assert "codes:district_code: row 4: '999999', row 7: '999999'" in out


def test_validate_exits_3_when_rejected(tmp_path: Path, capsys: pytest.CaptureFixture, set_env) -> None:
    config = tmp_path / "validation.toml"
    config.write_text('[severities]\n"codes" = "critical"\n', encoding="utf-8")
    set_env(GREENMFG_VALIDATION_CONFIG=str(config))
    csv = _loans_csv(tmp_path / "2020年绿色贷款申请.csv", 12, bad_district_rows=(4,))
    code = main(["validate", str(csv)])
    captured = capsys.readouterr()
    assert code == 3
    assert "REJECTED" in captured.out and "codes:district_code" in captured.out
    assert "rejected by a critical expectation" in captured.err


def test_an_unreadable_cell_is_shown_with_its_row_and_column(tmp_path: Path, capsys) -> None:
    csv = _loans_csv(tmp_path / "2020年绿色贷款申请.csv", 6)
    lines = csv.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[3] = "12%"  # a money column: a percentage is no amount
    lines[3] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(csv), "--type", "green_loans"]) == 0
    out = capsys.readouterr().out
    assert "type: row 4: loan_amount_10k_yuan='12%'" in out
