"""Reprocessing a range of periods: which archived filings it re-validates and which datasets and periods its
report focuses on. The snapshot it publishes is always a full derive of the filings in force
(greenmfg/publication.py): a range never keeps old rows, so a snapshot never mixes inputs or policies."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

from greenmfg import archive, staging
from greenmfg.build import Selection
from greenmfg.contracts import MIIT_FILING_TYPES, get_contract
from greenmfg.errors import GreenmfgError
from greenmfg.indicators import DATASETS
from greenmfg.indicators.common import YEAR
from greenmfg.ingest import IngestResult, process_archived, record_head, replace_record
from greenmfg.publish.tables import period_column
from greenmfg.storage import Stores, keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReprocessPlan:
    year_from: int
    year_to: int
    filing_type: str | None
    dataset: str | None
    reparse: bool
    filings: list[dict] = field(default_factory=list)  # in-force filings of the range
    reparse_filings: list[str] = field(default_factory=list)  # every filing of the range, superseded too
    datasets: list[str] = field(default_factory=list)  # what the diff report focuses on

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        lines = [
            f"reprocess periods {self.year_from}–{self.year_to}"
            + (f", filing type {self.filing_type}" if self.filing_type else "")
            + (f", dataset {self.dataset}" if self.dataset else "")
        ]
        verb = "re-parse and re-validate" if self.reparse else "use as staged"
        lines.append(f"filings to {verb} ({len(self.reparse_filings if self.reparse else self.filings)}):")
        shown = self.reparse_filings if self.reparse else [f["sha256"] for f in self.filings]
        names = {f["sha256"]: f for f in self.filings}
        for sha in shown:
            f = names.get(sha, {"filing_type": "?", "period": "?", "original_name": "(superseded)"})
            lines.append(f"  {sha[:12]}  {f['filing_type']:<28} {f['period']!s:>6}  {f['original_name']}")
        lines.append("datasets in focus: " + ", ".join(self.datasets))
        lines.append("every dataset is derived whole from the filings in force; changes outside are listed")
        return "\n".join(lines)


def check_arguments(year_from: int, year_to: int, filing_type: str | None, dataset: str | None) -> None:
    if year_from > year_to:
        raise GreenmfgError(f"--from {year_from} is after --to {year_to}")
    if filing_type is not None:
        get_contract(filing_type)
    if dataset is not None and dataset not in DATASETS:
        raise GreenmfgError(f"unknown dataset {dataset!r}; expected one of {sorted(DATASETS)}")


def plan(
    selection: Selection,
    year_from: int,
    year_to: int,
    *,
    filing_type: str | None = None,
    dataset: str | None = None,
    reparse: bool = False,
) -> ReprocessPlan:
    """Filings of the range (of one type if asked) and the datasets whose inputs they feed."""
    check_arguments(year_from, year_to, filing_type, dataset)

    def wanted(ft: str, period: int) -> bool:
        in_range = year_from <= period <= year_to or (ft in MIIT_FILING_TYPES and ft == filing_type)
        return in_range and (filing_type is None or ft == filing_type)

    filings = [s for s in selection.sources() if wanted(s["filing_type"], s["period"])]
    # Held filings are re-validated too: a rule or threshold change may settle them.
    staged = staging.staged_parts(selection.records, include_held=True)
    every = sorted({p.sha256 for p in staged if wanted(p.filing_type, p.period)})
    if dataset:
        datasets = [dataset]
    elif filing_type:
        datasets = [name for name, d in DATASETS.items() if filing_type in d.inputs]
    else:
        datasets = list(DATASETS)
    return ReprocessPlan(
        year_from, year_to, filing_type, dataset, reparse, filings, every if reparse else [], datasets
    )


def reingest(stores: Stores, sha256: str, *, build_docs: bool = False) -> IngestResult:
    """Parse and validate an archived filing again from its raw bytes (after a rule or parser change).

    Raw is only read (the publisher identity runs this). The ingestion record is swapped for its successor
    only if it is still the one read, never deleted first: at every moment the filing has a record, so a
    correction cannot lose its place to the filing it superseded.
    """
    from greenmfg.landing import parse_landing_key

    key = keys.ingestion_record(sha256)
    found = stores.staging.head(key)
    if found is None:
        raise GreenmfgError(f"filing {sha256} was never ingested: nothing to reprocess")
    record = json.loads(stores.staging.read_bytes(key))
    data = archive.read_filing(stores.raw, sha256)
    landed = parse_landing_key(record["landing_key"]) if record.get("landing_key") else None
    filing_type = landed.filing_type if landed else archive.read_sidecar(stores.raw, sha256)["filing_type"]
    revalidated = process_archived(
        stores,
        data,
        record_head(record),
        filing_type=filing_type,
        allowed_types=landed.filing_types if landed else (),
        period=landed.period if landed else None,
        build_docs=build_docs,
    )
    return replace_record(stores, revalidated, found.etag)


def in_focus(plan_: ReprocessPlan, dataset: str, period: str) -> bool:
    """Whether a dataset period of a diff is one the reprocess asked about: a dataset of the plan and a
    year of its range (or a MIIT batch, which has no year, when a MIIT list type is reprocessed)."""
    if dataset not in plan_.datasets:
        return False
    if period_column(DATASETS[dataset].arrow_schema()) == YEAR.name and period.isdigit():
        return plan_.year_from <= int(period) <= plan_.year_to
    return plan_.filing_type in MIIT_FILING_TYPES  # a batch, or rows without a year


def focus(diff: dict, plan_: ReprocessPlan) -> dict:
    """The diff's changes the reprocess asked about (row counts and totals), and the dataset periods outside
    its scope that change as well: the snapshot is a full derive, so nothing in force is held back."""
    rows = [c for c in diff.get("periods", []) if c["rows_before"] != c["rows_after"]]
    values = diff.get("values", [])

    def inside(change: dict) -> bool:
        return in_focus(plan_, change["dataset"], change["period"])

    outside = sorted({(c["dataset"], c["period"]) for c in [*rows, *values] if not inside(c)})
    return {
        "periods": [c for c in rows if inside(c)],
        "values": [c for c in values if inside(c)],
        "outside": [f"{dataset} {period}" for dataset, period in outside],
    }
