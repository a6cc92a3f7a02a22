"""Headers: map header cells to canonical columns, find the header row and tell the filing type.

A header maps to a column only when every part of its text is accounted for (greenmfg.parsing.vocabulary):
the name a spelling of the column, the rest units or notes. A header that merely contains a spelling
(工业总产值当年价格 containing 工业总产值) is not taken for it: its unit would be lost with the rest.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import PurePath

from greenmfg.contracts import CONTRACTS, get_contract
from greenmfg.errors import FilingError, MissingColumnsError, UnknownFilingTypeError
from greenmfg.parsing import implied
from greenmfg.parsing.vocabulary import HeaderParts, Vocabulary, decompose, normalise, trailing_unit

MIN_HEADER_CELLS = 2  # a row with fewer non-empty cells is a title, never a header (or a header's parent)
CLOSEST_HEADERS = 3
MIN_LIKENESS = 0.4  # below this a header is not offered as a near miss
RESEMBLES = 0.6  # from this an unknown header may be a spelling of an unfilled column: the file is refused


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


@dataclass(frozen=True)
class CellMatch:
    column: str
    units: tuple[str, ...]  # units the header states (folded), its own before its parent's


@dataclass
class HeaderMatch:
    """How one header row maps to one filing type's columns."""

    filing_type: str
    mapping: dict[int, str] = field(default_factory=dict)  # header position → canonical column
    raw: dict[int, str] = field(default_factory=dict)  # header position → raw header as written
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column → units its header states
    unmapped: dict[int, str] = field(default_factory=dict)  # position → raw header matching no column
    duplicates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return len(self.mapping)

    @property
    def columns(self) -> set[str]:
        return set(self.mapping.values())

    def raw_header(self, column: str) -> str | None:
        return next((self.raw[p] for p, c in self.mapping.items() if c == column), None)

    def missing(self, required: tuple[str, ...]) -> list[str]:
        return [c for c in required if c not in self.columns]


def _name_candidates(cell: HeaderCell, vocab: Vocabulary) -> list[HeaderParts]:
    """The names a cell may read as, in order: parent and child together; the child alone when the parent
    only groups its children (a declared group, or any parent without a word that changes meaning such as
    上年 or 计划 — two children then claiming one column refuse the file as duplicates)."""
    child = decompose(cell.child, vocab.notes) if cell.child else None
    parent = decompose(cell.parent, vocab.notes) if cell.parent else None
    if child is None:
        return [parent] if parent else []
    if parent is None or parent.name == child.name:
        return [child]
    alone = HeaderParts(child.name, child.units or parent.units, child.notes)
    if not parent.name or parent.name in vocab.groups:
        return [alone]
    together = HeaderParts(
        parent.name + child.name, (*child.units, *parent.units), (*parent.notes, *child.notes)
    )
    if any(word in parent.name for word in vocab.qualifiers):
        return [together]
    return [together, alone]


def match_cell(cell: HeaderCell, filing_type: str, vocab: Vocabulary) -> CellMatch | None:
    for parts in _name_candidates(cell, vocab):
        column = vocab.column_for(filing_type, parts.name)
        if column is not None:
            return CellMatch(column, parts.units)
        split = trailing_unit(parts.name)
        if split is not None and (column := vocab.column_for(filing_type, split[0])) is not None:
            return CellMatch(column, (*parts.units, split[1]))
    return None


def match_headers(cells: list[HeaderCell], filing_type: str, vocab: Vocabulary) -> HeaderMatch:
    """Map header cells to `filing_type`'s columns; two headers claiming one column are duplicates."""
    result = HeaderMatch(filing_type)
    claimed: dict[str, list[int]] = {}
    for position, cell in enumerate(cells):
        if not cell.raw.strip():
            continue
        result.raw[position] = cell.raw
        found = match_cell(cell, filing_type, vocab)
        if found is None:
            result.unmapped[position] = cell.raw
            continue
        claimed.setdefault(found.column, []).append(position)
        if len(claimed[found.column]) == 1:
            result.mapping[position] = found.column
            if found.units:
                result.units[found.column] = found.units
    result.duplicates = {c: [cells[p].raw for p in ps] for c, ps in claimed.items() if len(ps) > 1}
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


def _filled(row: list[str | None]) -> int:
    return sum(1 for cell in row if cell is not None and cell.strip())


@dataclass
class HeaderChoice:
    """The header found in a grid's head rows."""

    start: int  # index in head of the first header row
    end: int  # index in head of the last header row
    cells: list[HeaderCell]
    score: int


def find_header(
    head: list[list[str | None]], filing_types: list[str], vocab: Vocabulary
) -> HeaderChoice | None:
    """The row (or pair of rows) whose cells match the most headers of any candidate type.

    A row of fewer than two filled cells (a merged title) is never a header nor a header's parent.
    """
    options: list[HeaderChoice] = []
    for i, row in enumerate(head):
        if _filled(row) < MIN_HEADER_CELLS:
            continue
        shapes = [(i, single_row(row))]
        if i + 1 < len(head) and _filled(head[i + 1]) > 0:
            shapes.append((i + 1, combine_rows(row, head[i + 1])))
        for end, cells in shapes:
            score = max(match_headers(cells, t, vocab).score for t in filing_types)
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


def unresolved(match: HeaderMatch, context: implied.Context) -> list[str]:
    """Required columns neither filed nor implied by anything the file says."""
    contract = get_contract(match.filing_type)
    return [
        name
        for name in match.missing(required_for_detection(match.filing_type))
        if not implied.resolvable(contract.column(name), match, context)
    ]


def detect(
    cells: list[HeaderCell],
    context: implied.Context,
    vocab: Vocabulary,
    filing_types: list[str] | None = None,
) -> HeaderMatch:
    """The filing type of these headers: a type whose required columns are all filed or implied, with the
    most headers matched; sheet and file names break ties only (a name says less than the headers)."""
    types = filing_types or sorted(CONTRACTS)
    matches = {t: match_headers(cells, t, vocab) for t in types}
    complete = {t: not unresolved(matches[t], context) for t in types}
    # A type that matches less than half the headers the best one does is no candidate, complete or not:
    # a list type needing only a name would otherwise claim every table with a name column.
    floor = max(1, -(-max(m.score for m in matches.values()) // 2))
    candidates = [t for t in types if matches[t].score >= floor or len(types) == 1]
    if not candidates:
        raise UnknownFilingTypeError(
            context.where,
            "cannot tell the filing type from the headers",
            found=[c.raw for c in cells if c.raw],
            expected=f"headers of one of {types}",
        )
    sheet_hint, file_hint = _hinted(context.sheet, types), _hinted(context.source_name, types)

    def rank(t: str) -> tuple[bool, int, bool, bool]:
        return complete[t], matches[t].score, t in sheet_hint, t in file_hint

    ranked = sorted(candidates, key=rank, reverse=True)
    best = ranked[0]
    ties = [t for t in ranked if rank(t) == rank(best)]
    if len(ties) > 1:
        raise UnknownFilingTypeError(
            context.where,
            "ambiguous filing type: the headers fit several types equally",
            found=ties,
            expected="one type (pass --type / filing_type)",
        )
    if not complete[best]:
        raise missing_columns_error(matches[best], context, vocab)
    check_unknown_headers(matches[best], context, vocab)
    return matches[best]


def check_unknown_headers(match: HeaderMatch, context: implied.Context, vocab: Vocabulary) -> None:
    """Refuse a header nothing maps that reads like a column the file leaves unfilled (获评称号 beside the
    spelling 获得称号): staged empty, its values would be lost without a word. A deployment settles it with a
    line in its headers.csv (it is that column) or its header_words.csv (ignore: it is not)."""
    filled = [
        n for n, c in vocab.spellings.get(match.filing_type, {}).items() if c in match.columns and len(n) > 1
    ]
    for raw in match.unmapped.values():
        name = decompose(raw, vocab.notes).name
        if decompose(raw.split("/")[-1], vocab.notes).name in vocab.ignored:
            continue
        if any(spelling in name for spelling in filled):
            continue  # another basis or period of a column the file fills (工业总产值可比价格): not this one
        one = HeaderMatch(match.filing_type, mapping=match.mapping, unmapped={0: raw})
        for filing_type, column, header in suggestions(one, vocab, RESEMBLES):
            raise FilingError(
                context.where,
                f"header {raw!r} is not known, and reads like {column}, which the file does not fill",
                found=raw,
                expected=f"a spelling of {column} ({'|'.join(vocab.written[filing_type][column])}); if it is "
                f"that column, add '{filing_type},{column},{header}' to headers.csv in the configuration "
                f"folder (GREENMFG_CONFIG_DIR); if not, add 'ignore,{header}' to its header_words.csv",
            )


def missing_columns_error(match: HeaderMatch, context: implied.Context, vocab: Vocabulary) -> FilingError:
    """The refusal for required columns nothing files or implies: each with the spellings that would have
    matched, what could have implied it, and the file's closest unmatched headers."""
    contract = get_contract(match.filing_type)
    missing = unresolved(match, context)
    spellings = vocab.written.get(match.filing_type, {})
    expected = []
    for name in missing:
        ways = "|".join(spellings.get(name, ()))
        column = contract.column(name)
        if column.implied:
            ways += "; or implied when " + "; or ".join(i.describe() for i in column.implied)
            conflicts = implied.decide(column, match, context)[1]
            if conflicts:
                ways += "; the file implies conflicting values: " + "; ".join(conflicts)
        closest = closest_headers(name, match, vocab)
        near = f"; closest headers in the file: {', '.join(closest)}" if closest else ""
        expected.append(f"{name} ({ways}){near}")
    return MissingColumnsError(
        context.where,
        f"missing required columns for {match.filing_type}: {', '.join(missing)}",
        found=list(match.raw.values()),
        expected=expected,
    )


def _likeness(raw: str, column: str, filing_type: str, vocab: Vocabulary) -> float:
    """How much a header reads like a spelling of `column` (0–1, by characters in order)."""
    name = decompose(raw, vocab.notes).name
    names = [n for n, c in vocab.spellings.get(filing_type, {}).items() if c == column]
    return max((difflib.SequenceMatcher(None, name, n).ratio() for n in names), default=0.0)


def closest_headers(
    column: str, match: HeaderMatch, vocab: Vocabulary, limit: int = CLOSEST_HEADERS
) -> list[str]:
    """Unmatched headers of the file most like a spelling of `column` (for refusals)."""
    scored = [(_likeness(raw, column, match.filing_type, vocab), raw) for raw in match.unmapped.values()]
    return [
        raw for ratio, raw in sorted(scored, key=lambda s: (-s[0], s[1]))[:limit] if ratio >= MIN_LIKENESS
    ]


def suggestions(
    match: HeaderMatch, vocab: Vocabulary, threshold: float | None = None
) -> list[tuple[str, str, str]]:
    """(filing type, column, raw header) lines a deployment could add to its headers.csv: each unmatched
    header with the unfilled column whose spellings it resembles most, when it resembles one at all."""
    threshold = MIN_LIKENESS if threshold is None else threshold
    contract = get_contract(match.filing_type)
    open_columns = [c.name for c in contract.filed_columns if c.name not in match.columns]
    lines = []
    for raw in match.unmapped.values():
        scored = [(_likeness(raw, c, match.filing_type, vocab), c) for c in open_columns]
        ratio, column = max(scored, default=(0.0, ""))
        if ratio >= threshold:
            lines.append((match.filing_type, column, decompose(raw.split("/")[-1], vocab.notes).name))
    return lines


def check_duplicates(match: HeaderMatch, where: str) -> None:
    if match.duplicates:
        column, raws = next(iter(sorted(match.duplicates.items())))
        raise FilingError(
            where,
            f"duplicate headers: two headers claim the same column {column}",
            found=raws,
            expected="one header per canonical column",
        )
