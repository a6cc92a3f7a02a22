"""Staged canonical rows: ingestion records, and which filing wins each (filing type, period).

In force are the accepted tables of every filing, and its held ones once a person accepted them
(greenmfg/review.py). A re-filed period supersedes the earlier filing: the one received last wins (ties
broken by name and hash, so the choice never depends on listing order). Both stay in the raw archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from greenmfg import handover
from greenmfg.contracts import get_contract
from greenmfg.contracts.model import INFERRED_VALUES
from greenmfg.errors import ObjectNotFoundError
from greenmfg.review import HELD, read_decisions
from greenmfg.storage import ObjectStore, keys

ACCEPTED = "accepted"


@dataclass(frozen=True)
class StagedPart:
    """One staged (filing type, period) slice of an archived filing: accepted, or held for review."""

    sha256: str
    filing_type: str
    period: int
    original_name: str
    received_at: str
    staging_key: str
    rows: int
    status: str = ACCEPTED  # or HELD: staged, in force only once accepted by a person

    @property
    def precedence(self) -> tuple[str, str, str]:
        return (self.received_at, self.original_name, self.sha256)


def read_record(staging: ObjectStore, sha256: str) -> dict | None:
    try:
        return json.loads(staging.read_bytes(keys.ingestion_record(sha256)))
    except ObjectNotFoundError:
        return None


def all_records(staging: ObjectStore) -> list[dict]:
    """Every ingestion record, each with the review decision taken on it under "decision" (when one was)."""
    decisions = read_decisions(staging)
    records = []
    for info in staging.list(keys.INGESTION_RECORDS_PREFIX):
        if info.key.endswith(".json"):
            record = json.loads(staging.read_bytes(info.key))
            if record["sha256"] in decisions:
                record["decision"] = asdict(decisions[record["sha256"]])
            records.append(record)
    return records


def is_accepted_on_review(record: dict) -> bool:
    return record.get("decision", {}).get("decision") == "accept"


def is_rejected_on_review(record: dict) -> bool:
    """Rejected by a reviewer: a held filing refused, or an accepted one withdrawn after the fact."""
    return record.get("decision", {}).get("decision") == "reject"


def staged_parts(records: Iterable[dict], *, include_held: bool = False) -> list[StagedPart]:
    """The staged tables that may take force: accepted ones not withdrawn on review, and held ones accepted
    on review (all held ones with `include_held`, for listings)."""
    parts: list[StagedPart] = []
    for record in records:
        for part in record.get("parts", []):
            status = part.get("status")
            takes_force = (status == ACCEPTED and not is_rejected_on_review(record)) or (
                status == HELD and is_accepted_on_review(record)
            )
            if not (takes_force or (include_held and status == HELD)):
                continue
            for period, staged in sorted(part.get("staged", {}).items()):
                parts.append(
                    StagedPart(
                        sha256=record["sha256"],
                        filing_type=part["filing_type"],
                        period=int(period),
                        original_name=record["original_name"],
                        received_at=record["received_at"],
                        staging_key=staged["key"],
                        rows=staged["rows"],
                        status=status,
                    )
                )
    return parts


def winners(parts: Iterable[StagedPart]) -> dict[tuple[str, int], StagedPart]:
    """The filing in force for each (filing type, period): the one received last (of `parts` as
    staged_parts gives them without `include_held`)."""
    chosen: dict[tuple[str, int], StagedPart] = {}
    for part in parts:
        slot = (part.filing_type, part.period)
        if slot not in chosen or part.precedence > chosen[slot].precedence:
            chosen[slot] = part
    return dict(sorted(chosen.items()))


def read_part(staging: ObjectStore, part: StagedPart) -> pd.DataFrame:
    table = handover.recall(staging, part.staging_key)
    if table is None:
        fs, _ = staging.arrow_filesystem()
        table = pq.read_table(staging.arrow_path(part.staging_key), filesystem=fs)
    if INFERRED_VALUES.name not in table.column_names:  # staged before inferences were recorded
        table = table.append_column(INFERRED_VALUES.arrow_field(), pa.nulls(table.num_rows, pa.string()))
    return get_contract(part.filing_type).to_frame(table)


def load_accepted(
    staging: ObjectStore, chosen: dict[tuple[str, int], StagedPart], filing_types: Iterable[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Concatenated winning rows per filing type, ordered by period then source row."""
    wanted = set(filing_types) if filing_types is not None else None
    frames: dict[str, list[pd.DataFrame]] = {}
    for (filing_type, _), part in chosen.items():
        if wanted is None or filing_type in wanted:
            frames.setdefault(filing_type, []).append(read_part(staging, part))
    return {ft: pd.concat(parts, ignore_index=True) for ft, parts in sorted(frames.items())}


def previous_part(
    chosen: dict[tuple[str, int], StagedPart], filing_type: str, period: int
) -> StagedPart | None:
    """The filing a new one is compared with: the current one for the same period (a correction),
    else the latest earlier period."""
    if (filing_type, period) in chosen:
        return chosen[(filing_type, period)]
    earlier = [p for (ft, per), p in chosen.items() if ft == filing_type and per < period]
    return max(earlier, key=lambda p: p.period) if earlier else None
