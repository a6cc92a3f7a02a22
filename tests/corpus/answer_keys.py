"""The corpus's answer keys and the comparison of what the pipeline staged with them (pure: no pipeline code).

A key is JSON written by hand beside its file (`<file>.answer.json`; the bureau folder's in its answers.json).
Accepted rows are listed per source row as canonical values; a filed column a row does not list must stage
empty. A discrepancy is *silent* when a value reached staging that the key does not have: a wrong value, or a
row that should not be staged at all. Missing rows and wrong quarantines are loud failures, not silent ones.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
CASES = CORPUS / "cases"
BUREAU = CORPUS / "bureau"
BUREAU_ANSWERS = BUREAU / "answers.json"
KEY_SUFFIX = ".answer.json"
REL_TOL = 1e-9
SILENT_KINDS = frozenset({"wrong", "extra"})


@dataclass(frozen=True)
class Case:
    """One corpus file and its answer key."""

    path: Path
    key: Mapping

    @property
    def case_id(self) -> str:
        return self.path.relative_to(CORPUS).as_posix()

    @property
    def accepts(self) -> bool:
        return self.key["expect"] == "accept"

    @property
    def args(self) -> list[str]:
        return list(self.key.get("args", []))

    @property
    def rows(self) -> dict[int, dict[str, object]]:
        return expand_rows(self.key)

    @property
    def quarantined(self) -> dict[int, str]:
        return {int(row): rule for row, rule in self.key.get("quarantined", {}).items()}


def expand_rows(key: Mapping) -> dict[int, dict[str, object]]:
    """source_row → {column: value}, from the compact form (`columns` + lists) or dicts per row."""
    columns = key.get("columns")
    rows: dict[int, dict[str, object]] = {}
    for source_row, values in key.get("rows", {}).items():
        if isinstance(values, Mapping):
            rows[int(source_row)] = dict(values)
            continue
        if columns is None or len(values) != len(columns):
            raise ValueError(f"row {source_row}: {len(values)} values for columns {columns}")
        rows[int(source_row)] = dict(zip(columns, values, strict=True))
    return rows


def load_cases() -> list[Case]:
    """Every case of the corpus: the files of cases/ and of the bureau folder, each with its key."""
    cases = [
        Case(
            key_path.with_name(key_path.name.removesuffix(KEY_SUFFIX)),
            json.loads(key_path.read_text("utf-8")),
        )
        for key_path in sorted(CASES.glob(f"*{KEY_SUFFIX}"))
    ]
    bureau = json.loads(BUREAU_ANSWERS.read_text("utf-8"))
    cases += [Case(BUREAU / name, key) for name, key in sorted(bureau["files"].items())]
    return cases


def bureau_figures() -> list[dict]:
    """The published figures the bureau folder must give: dataset, the row's key values, expected values."""
    return json.loads(BUREAU_ANSWERS.read_text("utf-8"))["published"]


# ---------------------------------------------------------------------------------------------- values


def normalise(value: object) -> object:
    """A staged value as the keys write it: None for any kind of empty, ISO text for dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def same_value(expected: object, actual: object) -> bool:
    """Equal as canonical values: numbers within a relative tolerance of 1e-9, everything else exactly."""
    actual = normalise(actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and math.isclose(
            expected, actual, rel_tol=REL_TOL, abs_tol=0.0
        )
    return isinstance(actual, str) and expected == actual


def csv_value(text: str) -> object:
    """A cell of `greenmfg read --format csv` as a value: empty → None, numbers as numbers."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


# ---------------------------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Discrepancy:
    """One difference between the key and what the pipeline did with one row (and column)."""

    kind: str  # wrong | extra | missing | not_quarantined | unexpected_quarantine
    source_row: int
    column: str | None = None
    expected: object = None
    actual: object = None

    @property
    def silent(self) -> bool:
        return self.kind in SILENT_KINDS

    def __str__(self) -> str:
        where = f"row {self.source_row}" + (f" {self.column}" if self.column else "")
        return f"{self.kind}: {where}: expected {self.expected!r}, got {normalise(self.actual)!r}"


ABSENT = "<column absent>"


def compare_staged(
    expected_rows: Mapping[int, Mapping[str, object]],
    staged_rows: Iterable[Mapping[str, object]],
    filed_columns: Iterable[str],
    quarantined: Iterable[int] = (),
) -> list[Discrepancy]:
    """Every difference between the key's rows and the staged rows (matched by source_row).

    A staged row the key does not list (or lists as quarantined, or a second time) is `extra`; a listed
    value that differs, or a filed column the row does not list that staged a value, is `wrong`.
    """
    filed = list(filed_columns)
    to_quarantine = set(quarantined)
    found: list[Discrepancy] = []
    seen: set[int] = set()
    for staged in staged_rows:
        source_row = int(staged["source_row"])
        expected = expected_rows.get(source_row)
        if expected is None or source_row in seen or source_row in to_quarantine:
            values = {c: normalise(staged.get(c)) for c in filed if normalise(staged.get(c)) is not None}
            found.append(Discrepancy("extra", source_row, expected="not staged", actual=values))
            continue
        seen.add(source_row)
        for column, value in expected.items():
            actual = staged.get(column, ABSENT)
            if actual == ABSENT or not same_value(value, actual):
                found.append(Discrepancy("wrong", source_row, column, value, actual))
        for column in filed:
            if column not in expected and normalise(staged.get(column)) is not None:
                found.append(Discrepancy("wrong", source_row, column, None, staged[column]))
    for source_row in sorted(set(expected_rows) - seen):
        found.append(Discrepancy("missing", source_row, expected="staged", actual="not staged"))
    return found


def compare_quarantine(
    expected: Mapping[int, str], quarantine_rows: Iterable[Mapping[str, object]]
) -> list[Discrepancy]:
    """The quarantined rows must be exactly the key's, each under a rule whose name starts with its prefix.

    Entries whose action is not `quarantined` (a warning only flags its row, which stays staged) and
    table-level entries (no source row) are not quarantined rows.
    """
    rules: dict[int, set[str]] = {}
    for row in quarantine_rows:
        if row.get("source_row") is None or row.get("action", "quarantined") != "quarantined":
            continue
        rules.setdefault(int(row["source_row"]), set()).add(str(row.get("rule", "")))
    found = [
        Discrepancy("not_quarantined", source_row, expected=prefix, actual=sorted(rules.get(source_row, ())))
        for source_row, prefix in sorted(expected.items())
        if not any(rule.startswith(prefix) for rule in rules.get(source_row, ()))
    ]
    found += [
        Discrepancy("unexpected_quarantine", source_row, expected="not quarantined", actual=sorted(names))
        for source_row, names in sorted(rules.items())
        if source_row not in expected
    ]
    return found


def missing_words(text: str, words: Iterable[str]) -> list[str]:
    """The words (each 'a|b' meaning a or b, case-insensitive) that `text` lacks."""
    folded = text.casefold()
    return [word for word in words if not any(part.casefold() in folded for part in word.split("|"))]
