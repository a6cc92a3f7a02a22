"""Corrections of the reference 2020 green-loans filing, written as a bureau would re-file it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers import reference

AMOUNT_HEADER = "贷款金额(亿元)"  # the reference loans file's amount column (in 100 million yuan)
ENCODING = "gb18030"  # as the reference generator writes this file


def loans_2020() -> Path:
    """The reference filing: 148 applications, 330,000 (10,000 yuan) in total."""
    (path,) = [p for key, p in reference.landing_files(years=(2020,)) if key.startswith("green_loans/")]
    return path


def refiled(source: Path, target: Path, change: Callable[[int, str], str]) -> Path:
    """`source` re-filed as `target` with `change(application number, amount as written)` applied to
    every amount cell (numbered from 0), everything else as filed."""
    header, *rows = source.read_bytes().decode(ENCODING).splitlines()
    column = header.split(",").index(AMOUNT_HEADER)
    lines = [header]
    for number, row in enumerate(rows):
        cells = row.split(",")
        cells[column] = change(number, cells[column])
        lines.append(",".join(cells))
    target.write_bytes(("\r\n".join(lines) + "\r\n").encode(ENCODING))
    return target


def with_negative_amounts(source: Path, count: int, target: Path) -> Path:
    """The first `count` amounts negative (each row quarantined by range:loan_amount_10k_yuan)."""
    return refiled(source, target, lambda number, amount: f"-{amount}" if number < count else amount)


def with_first_amount_raised(source: Path, by_100m_yuan: float, target: Path) -> Path:
    """A plausible correction: the first application's amount raised (0.8 亿元 = 8,000 万元)."""
    return refiled(
        source, target, lambda number, amount: f"{float(amount) + by_100m_yuan:g}" if number == 0 else amount
    )
