"""Generic filing parser: bytes of a CSV or XLSX filing → canonical, typed rows per recognised table.

Encoding, header row, header spellings, units, cell values, totals rows and the period are handled here;
the MIIT lists get their extra cleaning from greenmfg.parsing.miit.
"""

from __future__ import annotations

import hashlib
import re

from greenmfg.errors import FilingError, UnknownFilingTypeError
from greenmfg.parsing.build import build_filing
from greenmfg.parsing.filing import ParsedFiling
from greenmfg.parsing.headers import HeaderCell, detect
from greenmfg.parsing.implied import Context
from greenmfg.parsing.readers import read_grids
from greenmfg.parsing.vocabulary import Vocabulary, load_vocabulary
from greenmfg.settings import Settings, get_settings

__all__ = ["ParsedFiling", "detect_filing_type", "parse", "parse_one", "vocabulary"]

# Sheets that explain a workbook rather than hold its data (a cover, instructions, a list of indicators).
COVER_SHEET = re.compile(r"说明|封面|目录|注意事项|指标解释|填报要求|填表须知")
HEADER_ONLY = "header only"


def vocabulary(settings: Settings | None = None) -> Vocabulary:
    """The header and code vocabulary: built in, extended by the deployment's configuration folder."""
    settings = settings or get_settings()
    return load_vocabulary(settings.config_dir, settings.city)


def detect_filing_type(headers: list[str], source_name: str, sheet: str | None = None) -> str:
    """Filing type of a table from its header cells, the file name and the sheet name."""
    context = Context(source_name, sheet)
    return detect([HeaderCell(h) for h in headers], context, vocabulary()).filing_type


def parse(
    data: bytes,
    source_name: str,
    *,
    filing_type: str | None = None,
    period: str | None = None,
    settings: Settings | None = None,
) -> list[ParsedFiling]:
    """One ParsedFiling per recognised table: a CSV gives one, an XLSX one per sheet matching a filing type.

    `period` is what the sender said out of band (the landing key): it fills the period of a file that
    carries none in a column or title row. Sheets that match no type (a catalogue, an empty sheet) are
    skipped with a note on every result.
    """
    settings = settings or get_settings()
    vocab = vocabulary(settings)
    grids = read_grids(data, source_name, settings)
    digest = hashlib.sha256(data).hexdigest()
    results: list[ParsedFiling] = []
    skipped: list[str] = []
    header_only: list[FilingError] = []
    for grid in grids:
        if not any(any(c is not None for c in cells) for _, cells in grid.head):
            if grid.file_format == "csv":
                raise FilingError(source_name, "empty file", expected="a header row and data rows")
            skipped.append(f"sheet {grid.sheet!r} skipped: empty")
            continue
        try:
            results.append(build_filing(grid, source_name, digest, filing_type, period, vocab))
        except FilingError as exc:
            if grid.file_format == "csv":
                raise
            if isinstance(exc, UnknownFilingTypeError) or COVER_SHEET.search(grid.sheet or ""):
                skipped.append(f"sheet {grid.sheet!r} skipped: {exc.problem}")
            elif exc.problem.startswith(HEADER_ONLY):
                header_only.append(exc)
                skipped.append(f"sheet {grid.sheet!r} skipped: {exc.problem}")
            else:
                raise
    if not results and header_only:
        raise header_only[0]
    if not results:
        raise UnknownFilingTypeError(source_name, "no sheet matches a filing type", found=skipped)
    _check_one_table_per_period(results, source_name)
    for result in results:
        result.notes.extend(skipped)
    return results


def _check_one_table_per_period(results: list[ParsedFiling], source_name: str) -> None:
    """Two sheets of one type and period would be staged as one filing's period, one over the other: refuse
    rather than lose a sheet (a filing split over sheets is sent as one table, or as one file per sheet)."""
    seen: dict[tuple[str, object], str] = {}
    for result in results:
        for period in result.periods:
            slot = (result.filing_type, period)
            if slot in seen:
                raise FilingError(
                    source_name,
                    f"two sheets hold {result.filing_type} of period {period}",
                    found=[seen[slot], result.sheet],
                    expected="one table per filing type and period (one sheet, or one file per sheet)",
                )
            seen[slot] = result.sheet or ""


def parse_one(
    data: bytes,
    source_name: str,
    *,
    filing_type: str | None = None,
    period: str | None = None,
    settings: Settings | None = None,
) -> ParsedFiling:
    """The single table of a file; FilingError when the file holds none or several."""
    results = parse(data, source_name, filing_type=filing_type, period=period, settings=settings)
    if len(results) != 1:
        raise FilingError(
            source_name,
            "expected exactly one table",
            found=[f"{r.sheet}: {r.filing_type}" for r in results],
            expected="one table",
        )
    return results[0]
