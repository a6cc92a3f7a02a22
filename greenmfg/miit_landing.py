"""Which landing prefix each file of the real MIIT lists goes to, from the contracts' file-name hints."""

from __future__ import annotations

from pathlib import Path

from greenmfg.contracts import CONTRACTS, MIIT_FILING_TYPES

# A workbook holding several lists lands under this group prefix (greenmfg.landing.LANDING_GROUPS); its
# sheets are told apart by their names. The batch-6 workbook states its batch nowhere: its name says it.
MIIT_WORKBOOK_PREFIX = "miit_lists"
WORKBOOK_BATCHES = {"data01.xlsx": 6}  # source: shared/data/miit-green-lists/README.md


def filing_type_for(path: Path) -> str | None:
    for filing_type in MIIT_FILING_TYPES:
        if any(hint in path.stem for hint in CONTRACTS[filing_type].file_stem_hints):
            return filing_type
    return None


def miit_landing_files(folder: Path) -> list[tuple[str, Path]]:
    """(landing key, path) for the MIIT list files in `folder`: CSVs by list type, workbooks as a whole."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx" and path.name in WORKBOOK_BATCHES:
            files.append((f"{MIIT_WORKBOOK_PREFIX}/period={WORKBOOK_BATCHES[path.name]}/{path.name}", path))
        elif path.suffix == ".csv" and (filing_type := filing_type_for(path)):
            files.append((f"{filing_type}/{path.name}", path))
    return files
