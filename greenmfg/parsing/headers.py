"""Headers: normalise raw spellings, split off units, map them to canonical columns, find the header row
and tell the filing type. Spellings come from contracts/headers.csv; nothing here lists a column."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath

from greenmfg.contracts import CONTRACTS, get_contract, header_variants
from greenmfg.errors import FilingError, UnknownFilingTypeError
from greenmfg.units import MONEY_TO_10K_YUAN, PHYSICAL_UNITS

_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "［": "[", "］": "]"})
_TRAILING_GROUP = re.compile(r"^(.*?)[(\[]([^()\[\]]*)[)\]]$")
_TITLE_UNIT = re.compile(r"单位\s*[:：]\s*([^\s,，;；、)）]+)")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十]+|\d+)\s*批")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
MIN_SCORE_FOR_GUESS = 2


def normalise(text: str) -> str:
    """Comparable form of a header: NFKC (full-width → ASCII), no whitespace, square brackets unified."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text.translate(_BRACKETS))).lower()


def is_unit(text: str) -> bool:
    unit = text.strip()
    return unit in MONEY_TO_10K_YUAN or unit in PHYSICAL_UNITS or unit.lower() in PHYSICAL_UNITS


def split_unit(header: str) -> tuple[str, str | None]:
    """('营业收入(千元)') → ('营业收入', '千元'); a bracket that is not a unit stays in the base."""
    text = normalise(header)
    match = _TRAILING_GROUP.match(text)
    if match and is_unit(match.group(2)):
        return match.group(1), match.group(2)
    return text, None


@dataclass(frozen=True)
class HeaderCell:
    """One header column: the child (lowest) header text and the parent spanning it in a two-row header."""

    child: str | None
    parent: str | None = None

    @property
    def raw(self) -> str:
        if self.parent and self.child and self.parent != self.child:
            return f"{self.parent}/{self.child}"
        return self.child or self.parent or ""


@dataclass
class HeaderMatch:
    """How one header row maps to one filing type's columns."""

    filing_type: str
    mapping: dict[int, str] = field(default_factory=dict)  # header position → canonical column
    raw: dict[int, str] = field(default_factory=dict)  # header position → raw header as written
    units: dict[str, str] = field(default_factory=dict)  # canonical column → unit written in its header
    unmapped: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    score: float = 0.0

    @property
    def columns(self) -> set[str]:
        return set(self.mapping.values())

    def missing(self, required: tuple[str, ...]) -> list[str]:
        return [c for c in required if c not in self.columns]


@cache
def _variant_index(filing_type: str) -> dict[str, str]:
    """Normalised spelling → canonical column, for one filing type (the canonical name itself included)."""
    index: dict[str, str] = {}
    for column, spellings in header_variants().get(filing_type, {}).items():
        index[normalise(column)] = column
        for spelling in spellings:
            index.setdefault(normalise(spelling), column)
    return index


def _forms(text: str) -> list[tuple[str, list[str]]]:
    """The text and the text with trailing bracket groups stripped one by one, with the groups stripped."""
    forms = [(text, [])]
    groups: list[str] = []
    while (match := _TRAILING_GROUP.match(text)) and match.group(1):
        groups = [*groups, match.group(2)]
        text = match.group(1)
        forms.append((text, groups))
    return forms


@cache
def _match_text(text: str, filing_type: str) -> tuple[str, str | None, bool] | None:
    """(canonical column, unit, exact?) for one normalised header text, or None."""
    index = _variant_index(filing_type)
    forms = _forms(text)
    for form, groups in forms:
        if form in index:
            return index[form], next((g for g in groups if is_unit(g)), None), True
    for form, groups in forms:
        contained = [v for v in index if len(v) >= 2 and v in form]
        if contained:
            best = max(contained, key=len)
            return index[best], next((g for g in groups if is_unit(g)), None), False
    return None


def _match_cell(cell: HeaderCell, filing_type: str) -> tuple[str, str | None, bool] | None:
    child = normalise(cell.child) if cell.child else ""
    parent = normalise(cell.parent) if cell.parent else ""
    attempts = [child, parent + child] if child else [parent]
    for attempt in attempts:
        if attempt and (found := _match_text(attempt, filing_type)):
            column, unit, exact = found
            if unit is None and parent and child:
                unit = split_unit(parent)[1]
            return column, unit, exact
    return None


def match_headers(cells: list[HeaderCell], filing_type: str) -> HeaderMatch:
    """Map header cells to `filing_type`'s columns; an exact spelling beats one only contained in a header."""
    result = HeaderMatch(filing_type)
    best: dict[str, tuple[bool, list[int]]] = {}
    found: dict[int, tuple[str, str | None, bool]] = {}
    for position, cell in enumerate(cells):
        if not cell.raw.strip():
            continue
        result.raw[position] = cell.raw
        match = _match_cell(cell, filing_type)
        if match is None:
            result.unmapped.append(cell.raw)
            continue
        column, _, exact = match
        found[position] = match
        current = best.get(column)
        if current is None or (exact and not current[0]):
            if current is not None:
                result.unmapped.extend(cells[p].raw for p in current[1])
            best[column] = (exact, [position])
        elif exact == current[0]:
            current[1].append(position)
        else:
            result.unmapped.append(cell.raw)
    for column, (exact, positions) in best.items():
        if len(positions) > 1:
            result.duplicates[column] = [cells[p].raw for p in positions]
        result.mapping[positions[0]] = column
        unit = found[positions[0]][1]
        if unit:
            result.units[column] = unit
        result.score += 1.0 if exact else 0.5
    result.mapping = dict(sorted(result.mapping.items()))
    return result


def combine_rows(parent: list[str | None], child: list[str | None]) -> list[HeaderCell]:
    """A two-row header: a parent cell (merged across columns, value in its first cell) over child cells.

    A parent with nothing below it is a cell merged downwards and spans no children.
    """
    width = max(len(parent), len(child))
    cells, current = [], None
    for i in range(width):
        top = parent[i] if i < len(parent) else None
        low = child[i] if i < len(child) else None
        if top is not None:
            current = top if low is not None else None
            cells.append(HeaderCell(low, top))
        else:
            cells.append(HeaderCell(low, current if low is not None else None))
            if low is None:
                current = None
    return cells


def single_row(row: list[str | None]) -> list[HeaderCell]:
    return [HeaderCell(cell) for cell in row]


@dataclass
class HeaderChoice:
    """The header found in a grid's head rows."""

    start: int  # index in head of the first header row
    end: int  # index in head of the last header row
    cells: list[HeaderCell]
    score: float


def find_header(head: list[list[str | None]], filing_types: list[str]) -> HeaderChoice | None:
    """The row (or pair of rows) whose cells match the most header spellings of any candidate type."""
    options: list[HeaderChoice] = []
    for i, row in enumerate(head):
        if not any(c is not None for c in row):
            continue
        shapes = [(i, single_row(row))]
        if i + 1 < len(head) and any(c is not None for c in head[i + 1]):
            shapes.append((i + 1, combine_rows(row, head[i + 1])))
        for end, cells in shapes:
            score = max(match_headers(cells, t).score for t in filing_types)
            if score > 0:
                options.append(HeaderChoice(i, end, cells, score))
    if not options:
        return None
    # Most matches; on a tie one row beats two, and the earlier row wins.
    return max(options, key=lambda o: (o.score, o.start == o.end, -o.start))


def _hinted(name: str | None, filing_types: list[str]) -> set[str]:
    if not name:
        return set()
    text = normalise(PurePath(name).stem if "." in name else name)
    return {t for t in filing_types if any(normalise(h) in text for h in CONTRACTS[t].file_stem_hints)}


def required_for_detection(filing_type: str) -> tuple[str, ...]:
    """Required columns a file must carry itself (the period may come from a title row or file name)."""
    contract = get_contract(filing_type)
    return tuple(c for c in contract.required_columns if c != contract.period_column)


def detect(
    cells: list[HeaderCell], source_name: str, sheet: str | None = None, filing_types: list[str] | None = None
) -> HeaderMatch:
    """The filing type for these headers: by sheet-name hint, file-name hint, number of matched headers,
    then whether every required column is there."""
    types = filing_types or sorted(CONTRACTS)
    matches = {t: match_headers(cells, t) for t in types}
    sheet_hint, file_hint = _hinted(sheet, types), _hinted(source_name, types)

    def complete(t: str) -> bool:
        missing = set(matches[t].missing(required_for_detection(t)))
        if "district_code" in missing and "division_code" in matches[t].columns:
            missing.discard("district_code")
        return not missing

    where = f"{source_name} [{sheet}]" if sheet else source_name
    candidates = [
        t for t in types if complete(t) or matches[t].score >= MIN_SCORE_FOR_GUESS or len(types) == 1
    ]
    complete_found = any(complete(t) for t in candidates)
    if not candidates:
        raise UnknownFilingTypeError(
            where,
            "cannot tell the filing type from the headers",
            found=[c.raw for c in cells if c.raw],
            expected=f"headers of one of {types}",
        )

    def rank(t: str) -> tuple[bool, bool, float, bool]:
        # An incomplete type that matches more headers wins, so the error names its missing columns.
        return t in sheet_hint, t in file_hint, matches[t].score, complete(t)

    ranked = sorted(candidates, key=rank, reverse=True)
    ties = [t for t in ranked if rank(t) == rank(ranked[0])]
    if len(ties) > 1:
        problem = (
            "ambiguous filing type: the headers fit several types equally"
            if complete_found
            else "cannot tell the filing type from the headers"
        )
        raise UnknownFilingTypeError(
            where, problem, found=ties, expected="one type (pass --type / filing_type)"
        )
    return matches[ranked[0]]


def detect_filing_type(headers: list[str], source_name: str, sheet: str | None = None) -> str:
    """Filing type of a table from its header cells, the file name and the sheet name."""
    return detect([HeaderCell(h) for h in headers], source_name, sheet).filing_type


def title_unit(title_lines: list[str]) -> str | None:
    """A '单位：千元' line above the header (its money unit), if any."""
    for line in title_lines:
        if match := _TITLE_UNIT.search(unicodedata.normalize("NFKC", line)):
            return match.group(1)
    return None


def title_period(title_lines: list[str], *, batch: bool = False) -> str | None:
    """A year ('2020年…') or, for batch-numbered lists, '第六批', written in a title row."""
    for line in title_lines:
        text = unicodedata.normalize("NFKC", line)
        if batch and (match := _BATCH.search(text)):
            return _batch_number(match.group(1))
        if match := _TITLE_YEAR.search(text):
            return match.group(1)
    return None


def name_period(source_name: str, *, batch: bool = False) -> str | None:
    """A 4-digit year (or '第N批') in the file name."""
    stem = PurePath(source_name).name
    if batch and (match := _BATCH.search(stem)):
        return _batch_number(match.group(1))
    match = _NAME_YEAR.search(stem)
    return match.group(1) if match else None


def _batch_number(text: str) -> str:
    if text.isdigit():
        return text
    if text == "十":
        return "10"
    if text.startswith("十"):
        return str(10 + _CN_DIGITS[text[1]])
    if text.endswith("十"):
        return str(10 * _CN_DIGITS[text[0]])
    if len(text) == 3:
        return str(10 * _CN_DIGITS[text[0]] + _CN_DIGITS[text[2]])
    return str(_CN_DIGITS[text])


def check_duplicates(match: HeaderMatch, where: str) -> None:
    if match.duplicates:
        column, raws = next(iter(sorted(match.duplicates.items())))
        raise FilingError(
            where,
            f"duplicate headers map to the same column {column}",
            found=raws,
            expected="one header per canonical column",
        )
