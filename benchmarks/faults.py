"""A copy of an enterprise filing with known faults, one kind per row, so the agreement check sees rules act.

The reference filings are clean; a check that contenders "quarantine the same rows" means little on them. This
writes the first rows of a filing (plain UTF-8 CSV, as reference-data writes it at scale) with each kind of
fault on its own rows, deterministically. Each fault breaks exactly one rule (or raises one flag).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from benchmarks.peers import facts

Row = dict[str, str]  # canonical column → raw cell


def _next_check_character(code: str) -> str:
    """The code with another character of the set in position 18: well formed, failing its check."""
    charset = facts.USCC_CHARSET
    return code[:17] + charset[(charset.index(code[17]) + 1) % len(charset)]


def _scaled(cell: str, factor: float) -> str:
    return f"{float(cell) * factor:.2f}"


def _has_energy(row: Row) -> bool:
    return bool(row["energy_total_tce"]) and any(row[c] for c in facts.ENERGY)


# kind → (the rule it breaks, whether the row stays accepted, applies to the row?, change)
FAULTS: dict[str, tuple[str, bool, Callable[[Row], bool], Callable[[Row], None]]] = {
    "credit_code_check": (
        "credit_code_check",
        True,
        lambda r: True,
        lambda r: r.update(credit_code=_next_check_character(r["credit_code"])),
    ),
    "credit_code_pattern": (
        "pattern",
        False,
        lambda r: True,
        lambda r: r.update(credit_code=r["credit_code"][:17] + "I"),
    ),
    "not_manufacturing": (
        "manufacturing_division",
        False,
        lambda r: True,
        lambda r: r.update(industry_code="4411"),
    ),
    "value_added_above_gross_output": (
        "value_added_le_gross_output",
        False,
        lambda r: bool(r["gross_output_10k_yuan"]),
        lambda r: r.update(value_added_10k_yuan=_scaled(r["gross_output_10k_yuan"], 2.0)),
    ),
    "above_size_flag": (
        "above_size_flag",
        False,
        lambda r: r["is_above_size"] == facts.YES,
        lambda r: r.update(is_above_size=facts.NO),
    ),
    "energy_total": (
        "energy_total",
        True,
        _has_energy,
        lambda r: r.update(energy_total_tce=_scaled(r["energy_total_tce"], 3.0)),
    ),
    "unknown_district": ("codes", False, lambda r: True, lambda r: r.update(district_code="西湖区")),
    "unknown_size_class": ("codes", False, lambda r: True, lambda r: r.update(size_class="巨型")),
    "negative_water": ("range", False, lambda r: True, lambda r: r.update(water_10k_t="-5")),
    "unreadable_revenue": ("type", False, lambda r: True, lambda r: r.update(revenue_10k_yuan="12%")),
    "missing_name": ("not_null", False, lambda r: True, lambda r: r.update(enterprise_name="")),
    "short_division_code": (
        "pattern",
        False,
        lambda r: bool(r["division_code"]),
        lambda r: r.update(division_code=r["division_code"][:11]),
    ),
}
DUPLICATE_KEY = "duplicate_key"  # a later row repeating an earlier row's credit code: the later one goes


def write_faulty(source: Path, target: Path, rows: int) -> dict[str, list[int]]:
    """The header and first `rows` rows of `source` with every fault kind on its own rows; returns kind →
    source rows (line numbers, the header being line 1). Refuses a filing too small to hold them all."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = [line for _, line in zip(range(rows), reader, strict=False)]
    columns = [facts.read_header(h)[0] for h in header]
    kinds = [*FAULTS, DUPLICATE_KEY]
    stride = len(body) // (len(kinds) + 1)
    if stride < 2:
        raise ValueError(f"{source}: {len(body)} rows cannot hold {len(kinds)} kinds of fault two rows apart")
    placed: dict[str, list[int]] = {}
    for number, kind in enumerate(kinds, start=1):
        index = _applicable(body, columns, kind, number * stride)
        row = dict(zip(columns, body[index], strict=True))
        if kind == DUPLICATE_KEY:
            row["credit_code"] = dict(zip(columns, body[0], strict=True))["credit_code"]
        else:
            FAULTS[kind][3](row)
        body[index] = [row[c] if c else cell for c, cell in zip(columns, body[index], strict=True)]
        placed[kind] = [index + 2]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    return placed


def _applicable(body: list[list[str]], columns: list[str | None], kind: str, start: int) -> int:
    """The first row from `start` the fault applies to (energy faults need a row reporting energy)."""
    applies = (lambda r: True) if kind == DUPLICATE_KEY else FAULTS[kind][2]
    for index in range(start, len(body)):
        if applies(dict(zip(columns, body[index], strict=True))):
            return index
    raise ValueError(f"no row from {start} on can take the fault {kind}")
