"""Ingest one filing: archive as received → parse → validate → stage accepted rows, quarantine the rest.

Idempotent by content hash: the ingestion record (staging/ingested/<sha>.json) is written last and once, so
the same bytes landing again are reported as a duplicate, and a run killed midway is redone whole.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from greenmfg import archive, staging
from greenmfg.contracts import BUREAU_FILING_TYPES, get_contract
from greenmfg.errors import FilingError, PreconditionFailedError
from greenmfg.settings import Settings, get_settings
from greenmfg.storage import Stores, keys

log = logging.getLogger(__name__)


@dataclass
class PartOutcome:
    """What became of one table of a filing (a CSV has one; a workbook one per recognised sheet)."""

    filing_type: str
    periods: list[int]
    rows_parsed: int
    rows_accepted: int
    rows_quarantined: int
    status: str  # "accepted" | "rejected"
    rows_flagged: int = 0
    rejection_reasons: list[str] = field(default_factory=list)
    dropped_rows: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # How the table was read, kept as provenance: values the filing left implied (column, value or rule,
    # evidence), header → column, headers the contract does not know (ignored), units and their factors.
    inferences: list[dict] = field(default_factory=list)
    column_mapping: dict[str, str] = field(default_factory=dict)
    unmapped_headers: list[str] = field(default_factory=list)
    unit_conversions: dict[str, list] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    staged: dict[str, dict] = field(default_factory=dict)
    validation: dict = field(default_factory=dict)
    validation_keys: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestResult:
    sha256: str
    original_name: str
    status: str  # "accepted" | "partly_rejected" | "rejected" | "unreadable" | "duplicate"
    message: str
    parts: list[PartOutcome]
    record: dict

    @classmethod
    def from_record(cls, record: dict, *, status: str | None = None) -> IngestResult:
        parts = [PartOutcome(**part) for part in record.get("parts", [])]
        return cls(
            sha256=record["sha256"],
            original_name=record["original_name"],
            status=status or record["status"],
            message=record.get("message", ""),
            parts=parts,
            record=record,
        )


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parquet_bytes(table: pa.Table) -> bytes:
    """Deterministic Parquet bytes: fixed options, no timestamps from the writer.

    Floats are not dictionary-encoded: measured values rarely repeat, and trying costs a third of the write.
    """
    buffer = io.BytesIO()
    dictionary = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    pq.write_table(
        table,
        buffer,
        compression="zstd",
        row_group_size=256_000,
        write_statistics=True,
        use_dictionary=dictionary,
    )
    return buffer.getvalue()


def ingest_bytes(
    stores: Stores,
    data: bytes,
    *,
    original_name: str,
    filing_type: str | None = None,
    allowed_types: tuple[str, ...] = (),
    period: str | None = None,
    landing_key: str | None = None,
    received_at: str | None = None,
    settings: Settings | None = None,
    build_docs: bool = True,
) -> IngestResult:
    """Archive, parse, validate and stage one filing; return what happened to each of its tables.

    `allowed_types` restricts what a detected table may be (a group landing prefix); `period` is the
    sender's word for a file that states no period itself.
    """
    from greenmfg.parsing import parse
    from greenmfg.validation import validate, write_outputs

    settings = settings or get_settings()
    archived = archive.archive_filing(
        stores.raw,
        data,
        original_name=original_name,
        filing_type=filing_type,
        received_at=received_at or utc_now_iso(),
        landing_key=landing_key,
    )
    existing = staging.read_record(stores.staging, archived.sha256)
    if existing is not None:
        return IngestResult.from_record(existing, status="duplicate")
    sidecar = archive.read_sidecar(stores.raw, archived.sha256)
    record = {
        "sha256": archived.sha256,
        "original_name": sidecar.get("original_name", original_name),
        "landing_key": landing_key,
        "received_at": sidecar["received_at"],
        "raw_key": archived.key,
    }
    try:
        parsed = parse(data, original_name, filing_type=filing_type, period=period, settings=settings)
        _check_types(parsed, allowed_types, original_name)
    except FilingError as exc:
        record |= {"status": "unreadable", "message": str(exc), "parts": []}
        return _finish(stores, record)

    chosen = staging.winners(staging.staged_parts(staging.all_records(stores.staging)))
    outcomes = []
    for table in parsed:
        previous = _previous_rows(stores, chosen, table.filing_type, table.periods)
        outcome = validate(
            table.rows,
            table.filing_type,
            cell_errors=table.cell_errors,
            previous=previous,
            source_name=original_name,
        )
        written = write_outputs(
            stores.staging, table.filing_type, archived.sha256, outcome, build_docs=build_docs
        )
        part = PartOutcome(
            filing_type=table.filing_type,
            periods=[int(p) for p in table.periods],
            rows_parsed=len(table.rows),
            rows_accepted=0 if outcome.is_rejected else len(outcome.accepted),
            rows_quarantined=outcome.summary.rows_quarantined,
            rows_flagged=outcome.summary.rows_flagged,
            status="rejected" if outcome.is_rejected else "accepted",
            rejection_reasons=list(outcome.rejection_reasons),
            dropped_rows=[(int(row), reason) for row, reason in table.dropped_rows],
            notes=list(table.notes),
            inferences=[{**i, "value": _jsonable(i["value"])} for i in table.inferences],
            column_mapping=dict(table.column_mapping),
            unmapped_headers=list(table.unmapped_headers),
            unit_conversions={c: [unit, factor] for c, (unit, factor) in table.unit_conversions.items()},
            sheet=table.sheet,
            header_row=table.header_row,
            validation=outcome.summary.to_dict(),
            validation_keys=dict(written),
        )
        if not outcome.is_rejected:
            part.staged = _stage(stores, table.filing_type, archived.sha256, outcome.accepted)
        outcomes.append(part)
    statuses = {p.status for p in outcomes}
    status = (
        "accepted"
        if statuses == {"accepted"}
        else "rejected"
        if statuses == {"rejected"}
        else "partly_rejected"
    )
    record |= {
        "status": status,
        "message": "; ".join(r for p in outcomes for r in p.rejection_reasons),
        "parts": [asdict(p) for p in outcomes],
    }
    return _finish(stores, record)


def _jsonable(value: object) -> object:
    """An inferred value as JSON keeps it (numpy and pandas scalars become plain Python)."""
    return value.item() if hasattr(value, "item") else value


def _check_types(parsed, allowed_types: tuple[str, ...], original_name: str) -> None:
    unexpected = sorted({t.filing_type for t in parsed} - set(allowed_types)) if allowed_types else []
    if unexpected:
        raise FilingError(
            original_name,
            "tables of a type its landing prefix does not allow",
            found=unexpected,
            expected=list(allowed_types),
        )


def _previous_rows(stores: Stores, chosen, filing_type: str, periods: list) -> object:
    """Rows of the filing this one is compared with for drift (bureau filings of a single period only)."""
    if filing_type not in BUREAU_FILING_TYPES or len(periods) != 1:
        return None
    previous = staging.previous_part(chosen, filing_type, int(periods[0]))
    return staging.read_part(stores.staging, previous) if previous else None


def _stage(stores: Stores, filing_type: str, sha256: str, accepted) -> dict[str, dict]:
    contract = get_contract(filing_type)
    schema = contract.arrow_schema()
    staged: dict[str, dict] = {}
    for period, rows in accepted.groupby(contract.period_column, sort=True):
        table = pa.Table.from_pandas(rows[schema.names], schema=schema, preserve_index=False)
        key = keys.staging_canonical(filing_type, int(period), sha256)
        stores.staging.write_bytes(key, parquet_bytes(table))
        staged[str(int(period))] = {"key": key, "rows": table.num_rows}
    return staged


def _finish(stores: Stores, record: dict) -> IngestResult:
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()
    try:
        stores.staging.write_bytes(keys.ingestion_record(record["sha256"]), body, if_absent=True)
    except PreconditionFailedError:
        existing = staging.read_record(stores.staging, record["sha256"])
        return IngestResult.from_record(existing, status="duplicate")
    log.info("ingested %s (%s): %s", record["original_name"], record["sha256"][:12], record["status"])
    return IngestResult.from_record(record)
