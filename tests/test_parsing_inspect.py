"""`greenmfg inspect`: a report on a filing, canonical Parquet with the contract schema, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from greenmfg.cli import main
from greenmfg.contracts import get_contract
from greenmfg.uscc import check_character

FIRST17 = "91330500000000001"
CSV = (
    "湖州市2020年绿色贷款申请表\n"
    "年度,申请编号,统一社会信用代码,企业名称,区县,申请金额(千元),申请日期\n"
    f'2020,L1,{FIRST17}{check_character(FIRST17)},甲,吴兴区,"1,500",2020-03-01\n'
    "2020,L2,bad,乙,南浔,abc,2020/4/1\n"
    "合计,,,,,1500,\n"
)


def test_inspect_prints_the_reading_and_writes_parquet(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "loans.csv"
    source.write_bytes(CSV.encode("gb18030"))
    out = tmp_path / "loans.parquet"
    assert main(["inspect", str(source), "--to", str(out)]) == 0
    printed = capsys.readouterr().out
    for expected in (
        "green_loans",
        "gb18030",
        "header row:    2",
        "申请金额(千元) → loan_amount_10k_yuan",
        "千元 × 0.1",
        "3 read, 2 kept, 1 dropped",
        "totals row",
        "cell errors:   1",
        "periods:       2020",
    ):
        assert expected in printed
    table = pq.read_table(out)
    contract = get_contract("green_loans")
    assert table.schema.names == contract.arrow_schema().names
    assert table.schema.field("loan_amount_10k_yuan").metadata[b"unit"] == b"10k_yuan"
    assert table.column("loan_amount_10k_yuan").to_pylist() == [150.0, None]
    assert table.column("source_row").to_pylist() == [3, 4]


def test_inspect_errors_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    assert main(["inspect", str(source)]) == 2
    err = capsys.readouterr().err.strip()
    assert "empty.csv" in err and "empty" in err and "\n" not in err


def test_inspect_shows_what_was_implied_and_the_line_to_add_for_an_unknown_header(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "stats.csv"
    source.write_text(
        "湖州市2020年规上企业\n年份,统一社会信用代码,企业名称,区县,行业代码,营业收入(万元),工业总产值(万元),人员合计数\n"
        "2020,91110000600037341L,甲,吴兴区,1311,10,20,5\n",
        encoding="utf-8",
    )
    assert main(["inspect", str(source)]) == 0
    printed = capsys.readouterr().out
    assert "is_above_size = True: title says 规上" in printed
    assert "add 'enterprise_stats,employees,人员合计数' to headers.csv" in printed
