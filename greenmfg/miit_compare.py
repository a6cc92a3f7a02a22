"""Compare the batch-6 workbook with the CSV's batch-6 rows, entity by entity, naming every near-miss.

Two third-party renderings of the same ministry list should agree; where they do not, the report says which
entities differ and which differ by a character or two (a typo in one of them), rather than hiding it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from greenmfg import codes
from greenmfg.contracts import get_contract

WORKBOOK_BATCH = "6"
MAX_NEAR_DISTANCE = 2
MIN_CHARS_PER_EDIT = 8
"""A near match needs this many characters per edit: 乙公司 and 丙公司 are two companies, not a typo."""
MAX_NEAR_PAIRS = 40_000
"""Pairs of unmatched keys compared for near matches; beyond it the search is skipped and said so."""

_SPACE = re.compile(r"\s+")
_DATE = re.compile(r"\| \d{4}-\d{2}-\d{2}(?:00:00:00)?$")


@dataclass(frozen=True)
class NearMatch:
    """A workbook key and a CSV key that are most likely one entity, with how they differ."""

    workbook: str
    csv: str
    distance: int

    def describe(self) -> str:
        if _DATE.search(self.workbook):
            what = "model stored as a date in the workbook (a spreadsheet converted it)"
        else:
            amount = "one character" if self.distance == 1 else f"{self.distance} characters"
            what = f"differs by {amount}: {'; '.join(differences(self.workbook, self.csv))}"
        return f"{what}\n    workbook {self.workbook!r}\n    CSV      {self.csv!r}"


@dataclass
class ListComparison:
    """One list type: how many batch-6 entities match, and which do not."""

    filing_type: str
    workbook_count: int
    csv_count: int
    matched: int
    only_in_workbook: list[str] = field(default_factory=list)
    only_in_csv: list[str] = field(default_factory=list)
    near_matches: list[NearMatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """True when every entity matched or is a reported near match."""
        return not self.only_in_workbook and not self.only_in_csv


@dataclass
class CompareReport:
    """The comparison of every list type present on both sides."""

    lists: list[ListComparison]

    def by_type(self, filing_type: str) -> ListComparison:
        return next(c for c in self.lists if c.filing_type == filing_type)

    def to_text(self) -> str:
        lines = [f"Batch {WORKBOOK_BATCH}: workbook against CSV"]
        for c in self.lists:
            lines.append(
                f"{c.filing_type}: workbook {c.workbook_count}, CSV {c.csv_count}, matched {c.matched}, "
                f"near {len(c.near_matches)}, only in workbook {len(c.only_in_workbook)}, "
                f"only in CSV {len(c.only_in_csv)}"
            )
            lines += [f"  near match {m.describe()}" for m in c.near_matches]
            lines += [f"  only in workbook: {k}" for k in c.only_in_workbook]
            lines += [f"  only in CSV: {k}" for k in c.only_in_csv]
            lines += [f"  note: {n}" for n in c.notes]
        return "\n".join(lines)


def compare_workbook_with_csv(
    workbook_frames: dict[str, pd.DataFrame],
    csv_frames: dict[str, pd.DataFrame],
    *,
    workbook_headers: Mapping[str, Mapping[str, str]] | None = None,
    csv_headers: Mapping[str, Mapping[str, str]] | None = None,
) -> CompareReport:
    """Compare cleaned frames per filing type; headers (type → column → raw header) add header notes."""
    lists = []
    for filing_type in sorted(set(workbook_frames) & set(csv_frames)):
        comparison = compare_list(filing_type, workbook_frames[filing_type], csv_frames[filing_type])
        comparison.notes += header_notes(
            (workbook_headers or {}).get(filing_type, {}), (csv_headers or {}).get(filing_type, {})
        )
        lists.append(comparison)
    return CompareReport(lists)


def compare_list(filing_type: str, workbook: pd.DataFrame, csv: pd.DataFrame) -> ListComparison:
    """Match batch-6 keys (the contract key without the batch) as multisets, then pair near misses."""
    columns = entity_key_columns(filing_type)
    wb_keys = Counter(entity_keys(_batch_rows(workbook), columns))
    csv_keys = Counter(entity_keys(_batch_rows(csv), columns))
    only_wb = sorted((wb_keys - csv_keys).elements())
    only_csv = sorted((csv_keys - wb_keys).elements())
    near, notes = _near_matches(only_wb, only_csv)
    paired_wb = Counter(m.workbook for m in near)
    paired_csv = Counter(m.csv for m in near)
    return ListComparison(
        filing_type=filing_type,
        workbook_count=sum(wb_keys.values()),
        csv_count=sum(csv_keys.values()),
        matched=sum((wb_keys & csv_keys).values()),
        only_in_workbook=sorted((Counter(only_wb) - paired_wb).elements()),
        only_in_csv=sorted((Counter(only_csv) - paired_csv).elements()),
        near_matches=near,
        notes=notes,
    )


def entity_key_columns(filing_type: str) -> tuple[str, ...]:
    """The contract key without its period column: name, or name + product + model."""
    contract = get_contract(filing_type)
    return tuple(k for k in contract.key if k != contract.period_column)


def normalise_text(value: object) -> str:
    """Width-folded (NFKC: full-width brackets and digits) and without any whitespace."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))


def entity_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    normalised = [frame[c].map(normalise_text) for c in columns]
    if "product_model" in columns:
        i = columns.index("product_model")
        normalised[i] = normalised[i].replace("", "-")
    return [" | ".join(parts) for parts in zip(*normalised, strict=True)]


def _batch_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["batch"].astype(str) == WORKBOOK_BATCH]


def _near_matches(only_wb: list[str], only_csv: list[str]) -> tuple[list[NearMatch], list[str]]:
    """Pair unmatched keys, closest first: within MAX_NEAR_DISTANCE edits, or with the same enterprise
    (and product) and a different model, the part PDF and spreadsheet renderings most often garble."""
    if len(only_wb) * len(only_csv) > MAX_NEAR_PAIRS:
        return [], [f"near-match search skipped: {len(only_wb)} × {len(only_csv)} unmatched keys"]
    candidates = []
    for i, a in enumerate(only_wb):
        for j, b in enumerate(only_csv):
            same_head = " | " in a and a.rsplit(" | ", 1)[0] == b.rsplit(" | ", 1)[0]
            if same_head or abs(len(a) - len(b)) <= MAX_NEAR_DISTANCE:
                distance = edit_distance(a, b, max(len(a), len(b)) if same_head else MAX_NEAR_DISTANCE)
                if same_head or (distance <= MAX_NEAR_DISTANCE and distance * MIN_CHARS_PER_EDIT <= len(a)):
                    candidates.append((distance, i, j))
    used_wb: set[int] = set()
    used_csv: set[int] = set()
    near = []
    for distance, i, j in sorted(candidates):
        if i not in used_wb and j not in used_csv:
            used_wb.add(i)
            used_csv.add(j)
            near.append(NearMatch(only_wb[i], only_csv[j], distance))
    return near, []


def differences(workbook: str, csv: str, limit: int = 3) -> list[str]:
    """The differing stretches, e.g. "workbook '?' for CSV '•'"."""
    spans = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, workbook, csv, autojunk=False).get_opcodes():
        if tag != "equal":
            spans.append(f"workbook {workbook[i1:i2]!r} for CSV {csv[j1:j2]!r}")
    more = [f"… {len(spans) - limit} more"] if len(spans) > limit else []
    return spans[:limit] + more


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it must exceed `limit`."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def header_notes(workbook: Mapping[str, str], csv: Mapping[str, str]) -> list[str]:
    """Headers that differ between the two sources; a header naming another kind of entity is called wrong."""
    notes = []
    for column in sorted(set(workbook) & set(csv)):
        wb_header, csv_header = workbook[column], csv[column]
        if wb_header == csv_header:
            continue
        wb_kinds, csv_kinds = entity_kinds(wb_header), entity_kinds(csv_header)
        if wb_kinds and csv_kinds and not wb_kinds & csv_kinds:
            notes.append(
                f"wrong header: the workbook's {column} header {wb_header!r} names entity type "
                f"{'/'.join(sorted(wb_kinds))} where the CSV's {csv_header!r} names "
                f"{'/'.join(sorted(csv_kinds))}; read as {column} all the same"
            )
        else:
            notes.append(f"header of {column}: workbook {wb_header!r}, CSV {csv_header!r}")
    return notes


def entity_kinds(header: str) -> frozenset[str]:
    """Entity types (entity_types.csv: enterprise, park, product) whose words the header contains."""
    return frozenset(kind for word, kind in codes.aliases("entity_types").items() if word and word in header)
