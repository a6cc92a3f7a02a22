"""Benchmark inputs: reference filings with N enterprise rows (generated once, kept in the work folder)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from greenmfg.landing_copy import landing_files

ENTERPRISE_TYPE = "enterprise_stats"
YEAR = 2020


@dataclass(frozen=True)
class Inputs:
    """The filings of one size: the enterprise filing measured, and the small ones staged beforehand."""

    rows: int
    folder: Path
    enterprise: tuple[str, Path]  # (landing key, file)
    others: list[tuple[str, Path]]

    @property
    def size_bytes(self) -> int:
        return self.enterprise[1].stat().st_size


def reference_inputs(work: Path, rows: int, *, log=print) -> Inputs:
    """`greenmfg reference-data --enterprises rows --years 2020-2020`, reused when already generated."""
    folder = work / f"ref-{rows}"
    key_file = folder / "answer_key.json"
    if not (key_file.is_file() and json.loads(key_file.read_text()).get("enterprises") == rows):
        from greenmfg.reference import generate

        log(f"generating reference filings with {rows:,} enterprise rows in {folder}")
        generate(folder, enterprises=rows, years=(YEAR, YEAR))
    files = landing_files(folder)
    enterprise = [f for f in files if f[0].startswith(ENTERPRISE_TYPE + "/")]
    if len(enterprise) != 1:
        raise RuntimeError(
            f"{folder}: expected one {ENTERPRISE_TYPE} filing, found {[k for k, _ in enterprise]}"
        )
    return Inputs(rows, folder, enterprise[0], [f for f in files if f not in enterprise])
