"""Reprocessing a range of periods: which filings and datasets it touches, and how the new snapshot keeps
every period outside the range exactly as the previous snapshot had it."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

import pandas as pd

from greenmfg import archive, staging
from greenmfg.build import Selection
from greenmfg.contracts import MIIT_FILING_TYPES, get_contract
from greenmfg.errors import GreenmfgError
from greenmfg.indicators import DATASETS
from greenmfg.ingest import IngestResult, process_archived, record_head, replace_record
from greenmfg.policy import Policy
from greenmfg.storage import Stores, keys

log = logging.getLogger(__name__)
PERIOD = "year"


@dataclass(frozen=True)
class ReprocessPlan:
    year_from: int
    year_to: int
    filing_type: str | None
    dataset: str | None
    reparse: bool
    filings: list[dict] = field(default_factory=list)  # in-force filings of the range
    reparse_filings: list[str] = field(default_factory=list)  # every filing of the range, superseded too
    datasets: list[str] = field(default_factory=list)

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
        lines.append("datasets to recompute: " + ", ".join(self.datasets))
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
    every = sorted(
        {p.sha256 for p in staging.staged_parts(selection.records) if wanted(p.filing_type, p.period)}
    )
    if dataset:
        datasets = [dataset]
    elif filing_type:
        datasets = [name for name, d in DATASETS.items() if filing_type in d.inputs]
    else:
        datasets = list(DATASETS)
    return ReprocessPlan(
        year_from, year_to, filing_type, dataset, reparse, filings, every if reparse else [], datasets
    )


def reingest(stores: Stores, sha256: str, *, build_docs: bool = True) -> IngestResult:
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


def keep_outside_range(
    derived: pd.DataFrame, previous: pd.DataFrame | None, year_from: int, year_to: int, *, miit_in_scope: bool
) -> pd.DataFrame:
    """Rows of the range from the new derivation; every other row exactly as the previous snapshot had it.

    Rows without a year (MIIT batches) count as in range only when a MIIT list is being reprocessed.
    """
    if previous is None or PERIOD not in derived.columns:
        return derived
    years = derived[PERIOD]
    in_range = years.between(year_from, year_to).fillna(False) | (years.isna() & miit_in_scope)
    old_years = previous[PERIOD]
    keep_old = ~(old_years.between(year_from, year_to).fillna(False) | (old_years.isna() & miit_in_scope))
    merged = pd.concat([previous[keep_old], derived[in_range]], ignore_index=True)
    return merged.astype(derived.dtypes.to_dict())


def assemble(
    published, derived: dict[str, pd.DataFrame], plan_: ReprocessPlan, policy: Policy
) -> dict[str, pd.DataFrame]:
    """Every dataset of the new snapshot: recomputed ones merged with the previous snapshot outside the
    range, the others carried over unchanged (derived afresh only when the previous snapshot lacks them).

    A snapshot holds one policy for all its years: when `policy` is not the one the previous snapshot was
    derived with, nothing of it is kept and every dataset is taken as derived (every period).
    """
    from greenmfg.publish import latest, read_dataframe, read_manifest

    entry = latest(published)
    manifest = read_manifest(published, entry.snapshot_id) if entry else {}
    if entry is not None and manifest.get("parameters") != policy.to_dict():
        log.warning(
            "the policy differs from snapshot %s's: every period of every dataset is derived again",
            entry.snapshot_id,
        )
        return dict(derived)
    previous_names = set(manifest.get("datasets", {}))

    def previous(name: str) -> pd.DataFrame | None:
        if name not in previous_names:
            return None
        return read_dataframe(published, name, snapshot_id=entry.snapshot_id).astype(
            DATASETS[name].pandas_dtypes()
        )

    miit_in_scope = plan_.filing_type in MIIT_FILING_TYPES
    result: dict[str, pd.DataFrame] = {}
    for name, frame in derived.items():
        if name in plan_.datasets:
            result[name] = keep_outside_range(
                frame, previous(name), plan_.year_from, plan_.year_to, miit_in_scope=miit_in_scope
            )
        else:
            old = previous(name)
            result[name] = frame if old is None else old
    return result
