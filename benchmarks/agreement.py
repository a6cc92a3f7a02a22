"""Did a peer do the pipeline's work? The same rows accepted, quarantined and flagged (by source row and
rule), and the same energy-intensity figures (within 1e-9 relative), or an error naming the first difference.

The pipeline's side is read from its store as a user would find it: the ingestion record of each filing
(its staged rows and quarantine table) and the latest published snapshot. A peer's side is its output
folder (benchmarks/peers: filings.json, filings/<n>/{accepted,quarantine}.parquet, energy_intensity.parquet).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from greenmfg.storage import Stores

RELATIVE_TOLERANCE = 1e-9
INDICATOR_KEY = ["year", "region_code", "industry_division"]
INDICATOR_FIGURES = (
    "enterprises",
    "energy_tce",
    "energy_reported_tce",
    "value_added_10k_yuan",
    "energy_per_10k_yuan_value_added",
    "decline_rate_pct",
)
Entry = tuple[int, str, str]  # (source row, rule family, "quarantined" | "flagged")


class Disagreement(RuntimeError):
    """A peer and the pipeline did not do the same work; the message names the filing and the difference."""


@dataclass(frozen=True)
class FilingOutcome:
    accepted: np.ndarray  # source rows, sorted (a 5M-row filing has 5M of them: compared as an array)
    entries: frozenset[Entry]


def _rows(source_rows) -> np.ndarray:
    return np.sort(np.asarray(source_rows, dtype=np.int64))


def _entries(quarantine: pd.DataFrame) -> frozenset[Entry]:
    """(source row, rule family, action) of each row-level entry (table-level ones have no source row)."""
    rows = quarantine[quarantine["source_row"].notna()]
    triples = zip(rows["source_row"], rows["rule"], rows["action"], strict=True)
    return frozenset((int(row), str(rule).split(":", 1)[0], str(action)) for row, rule, action in triples)


def _read_parquet(data: bytes, columns: list[str]) -> pd.DataFrame:
    return pq.read_table(io.BytesIO(data), columns=columns).to_pandas()


def pipeline_outcomes(stores: Stores, files: list[Path]) -> dict[Path, FilingOutcome]:
    """Each file's accepted source rows and quarantine entries, from the stores the pipeline ingested into."""
    from greenmfg import staging

    outcomes = {}
    for path in files:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        record = staging.read_record(stores.staging, sha256)
        if record is None or record.get("status") != "accepted":
            found = "no ingestion record" if record is None else f"status {record.get('status')}"
            raise Disagreement(f"{path}: the pipeline did not accept it ({found}); expected accepted")
        accepted: list[pd.Series] = []
        entries: set[Entry] = set()
        for part in record["parts"]:
            for staged in part["staged"].values():
                data = stores.staging.read_bytes(staged["key"])
                accepted.append(_read_parquet(data, ["source_row"])["source_row"])
            data = stores.staging.read_bytes(part["validation_keys"]["quarantine"])
            entries |= _entries(_read_parquet(data, ["source_row", "rule", "action"]))
        outcomes[path] = FilingOutcome(_rows(pd.concat(accepted) if accepted else []), frozenset(entries))
    return outcomes


def pipeline_indicator(stores: Stores) -> pd.DataFrame:
    """energy_intensity of the latest published snapshot."""
    from greenmfg.publish import read_dataframe

    return read_dataframe(stores.published, "energy_intensity")


def peer_outcomes(out: Path) -> dict[Path, FilingOutcome]:
    """Each file's accepted source rows and quarantine entries, from a peer's output folder."""
    outcomes = {}
    for filing in json.loads((out / "filings.json").read_text(encoding="utf-8")):
        folder = out / "filings" / filing["folder"]
        accepted = pd.read_parquet(folder / "accepted.parquet", columns=["source_row"])["source_row"]
        quarantine = pd.read_parquet(folder / "quarantine.parquet", columns=["source_row", "rule", "action"])
        outcomes[Path(filing["path"])] = FilingOutcome(_rows(accepted), _entries(quarantine))
    return outcomes


def compare_outcomes(peer: str, theirs: dict[Path, FilingOutcome], ours: dict[Path, FilingOutcome]) -> None:
    if sorted(theirs) != sorted(ours):
        raise Disagreement(
            f"{peer} read files {sorted(map(str, theirs))}; the pipeline {sorted(map(str, ours))}"
        )
    for path, expected in ours.items():
        found = theirs[path]
        if not np.array_equal(found.accepted, expected.accepted):
            mine, pipeline = set(found.accepted.tolist()), set(expected.accepted.tolist())
            _differ(peer, path, "accepted rows", mine, pipeline)
        if found.entries != expected.entries:
            _differ(peer, path, "quarantine entries (row, rule, action)", found.entries, expected.entries)


def _differ(peer: str, path: Path, what: str, mine: Collection, pipeline: Collection) -> NoReturn:
    only_peer, only_pipeline = sorted(set(mine) - set(pipeline))[:5], sorted(set(pipeline) - set(mine))[:5]
    raise Disagreement(
        f"{path}: {peer} and the pipeline differ in {what}: only {peer} {only_peer}, "
        f"only the pipeline {only_pipeline} (first 5 of each)"
    )


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b))


def compare_indicator(peer: str, theirs: pd.DataFrame, ours: pd.DataFrame) -> int:
    """Rows compared; Disagreement on a missing key or a figure further apart than the tolerance."""
    keyed = [
        frame.astype({"year": "int64", "region_code": "str", "industry_division": "str"}).set_index(
            INDICATOR_KEY
        )
        for frame in (theirs, ours)
    ]
    mine, pipeline = keyed
    if set(mine.index) != set(pipeline.index):
        only_peer = sorted(set(mine.index) - set(pipeline.index))[:5]
        only_pipeline = sorted(set(pipeline.index) - set(mine.index))[:5]
        raise Disagreement(
            f"energy_intensity: {peer} and the pipeline have different rows: only {peer} {only_peer}, "
            f"only the pipeline {only_pipeline}"
        )
    for key in pipeline.index:
        for figure in INDICATOR_FIGURES:
            a, b = float(mine.at[key, figure]), float(pipeline.at[key, figure])
            if not _close(a, b):
                raise Disagreement(f"energy_intensity {key} {figure}: {peer} {a!r}, the pipeline {b!r}")
    return len(pipeline)


def check(peer: str, out: Path, stores: Stores, indicator: pd.DataFrame | None = None) -> dict[str, int]:
    """Raise Disagreement unless the peer's output folder matches what the pipeline made of the same files in
    `stores` (its energy_intensity: `indicator`, else the latest snapshot's); returns what was compared."""
    theirs = peer_outcomes(out)
    rows_read = sum(f["rows"] for f in json.loads((out / "filings.json").read_text(encoding="utf-8")))
    ours = pipeline_outcomes(stores, list(theirs))
    compare_outcomes(peer, theirs, ours)
    indicator = pipeline_indicator(stores) if indicator is None else indicator
    compared = compare_indicator(peer, pd.read_parquet(out / "energy_intensity.parquet"), indicator)
    return {
        "filings": len(ours),
        "rows": rows_read,
        "accepted": sum(len(o.accepted) for o in ours.values()),
        "entries": sum(len(o.entries) for o in ours.values()),
        "indicator_rows": compared,
    }
