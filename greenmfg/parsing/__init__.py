"""Generic filing parser: bytes of a CSV or XLSX filing → canonical, typed rows per recognised table.

Encoding, header row, header spellings, units, cell values, totals rows and the period are handled here;
the MIIT lists get their extra cleaning from greenmfg.parsing.miit.
"""

from __future__ import annotations

import hashlib

from greenmfg.errors import FilingError, UnknownFilingTypeError
from greenmfg.parsing.build import build_filing
from greenmfg.parsing.filing import ParsedFiling
from greenmfg.parsing.headers import detect_filing_type
from greenmfg.parsing.readers import read_grids
from greenmfg.settings import Settings, get_settings

__all__ = ["ParsedFiling", "detect_filing_type", "parse", "parse_one"]


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
    grids = read_grids(data, source_name, settings)
    digest = hashlib.sha256(data).hexdigest()
    results: list[ParsedFiling] = []
    skipped: list[str] = []
    for grid in grids:
        if not any(any(c is not None for c in cells) for _, cells in grid.head):
            if grid.file_format == "csv":
                raise FilingError(source_name, "empty file", expected="a header row and data rows")
            skipped.append(f"sheet {grid.sheet!r} skipped: empty")
            continue
        try:
            results.append(build_filing(grid, source_name, digest, filing_type, period))
        except UnknownFilingTypeError as exc:
            if grid.file_format == "csv":
                raise
            skipped.append(f"sheet {grid.sheet!r} skipped: {exc.problem}")
    if not results:
        raise UnknownFilingTypeError(source_name, "no sheet matches a filing type", found=skipped)
    for result in results:
        result.notes.extend(skipped)
    return results


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
