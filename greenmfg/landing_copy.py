"""Put local files into the landing area as a bureau would: `<filing_type>/<name>`, unchanged bytes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from greenmfg.storage import ObjectStore


def landing_files(folder: Path) -> list[tuple[str, Path]]:
    """(landing key, path) for every file under folder/<filing_type>/, sorted so landing order is stable."""
    found = []
    for path in sorted(folder.glob("*/*")):
        if path.is_file() and not path.name.startswith("."):
            found.append((f"{path.parent.name}/{path.name}", path))
    return found


def land(landing: ObjectStore, files: Iterable[tuple[str, Path]]) -> list[str]:
    """Write each file to its landing key unless the same bytes are already there; return keys written."""
    written = []
    for key, path in files:
        data = path.read_bytes()
        info = landing.head(key)
        if info is not None and info.size == len(data) and landing.read_bytes(key) == data:
            continue
        landing.write_bytes(key, data)
        written.append(key)
    return written
