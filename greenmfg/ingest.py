"""Ingest one filing: archive as received → parse → validate → stage accepted rows, quarantine the rest.

Idempotent by content hash: the ingestion record (staging/ingested/<sha>.json) is written last and once, so
the same bytes landing again are reported as a duplicate, and a run killed midway is redone whole. A
re-validation processes the archived bytes again and swaps the record for its successor (replace_record):
a record is never deleted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from greenmfg import archive, handover, review, staging
from greenmfg.contracts import BUREAU_FILING_TYPES, get_contract
from greenmfg.errors import FilingError, GreenmfgError, PreconditionFailedError
from greenmfg.parquet import parquet_bytes
from greenmfg.settings import Settings, get_settings
from greenmfg.storage import Stores, keys

log = logging.getLogger(__name__)
ACCEPTED, REJECTED = staging.ACCEPTED, "rejected"
# What process_archived adds to a record's head (which filing, received when): the outcome of processing.
OUTCOME_FIELDS = ("status", "message", "parts")


@dataclass
class PartOutcome:
    """What became of one table of a filing (a CSV has one; a workbook one per recognised sheet)."""

    filing_type: str
    periods: list[int]
    rows_parsed: int
    rows_accepted: int
    rows_quarantined: int
    status: str  # "accepted" | "rejected" | "held" (staged, in force only once accepted on review)
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
    # Against the filing in force it would supersede, per period: rows and headline totals before → after;
    # and why the table is held for review (empty when it takes force).
    superseded: dict[str, dict] = field(default_factory=dict)
    hold_reasons: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    sha256: str
    original_name: str
    status: str  # "accepted" | "partly_rejected" | "held" | "rejected" | "unreadable" | "duplicate"
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
    build_docs: bool = False,
) -> IngestResult:
    """Archive one filing, then process the archived bytes (process_archived) and record the outcome once.

    `allowed_types` restricts what a detected table may be (a group landing prefix); `period` is the
    sender's word for a file that states no period itself.
    """
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
    head = {
        "sha256": archived.sha256,
        "original_name": sidecar.get("original_name", original_name),
        "landing_key": landing_key,
        "received_at": sidecar["received_at"],
        "raw_key": archived.key,
    }
    record = process_archived(
        stores,
        data,
        head,
        filing_type=filing_type,
        allowed_types=allowed_types,
        period=period,
        settings=settings,
        build_docs=build_docs,
    )
    return _finish(stores, record)


def process_archived(
    stores: Stores,
    data: bytes,
    head: dict,
    *,
    filing_type: str | None = None,
    allowed_types: tuple[str, ...] = (),
    period: str | None = None,
    settings: Settings | None = None,
    build_docs: bool = False,
) -> dict:
    """Parse, validate and stage archived bytes; return the ingestion record (`head` plus the outcome).

    Writes only to staging (staged Parquet and validation outputs, overwritten in place) and neither reads
    nor writes raw, so the publisher identity can re-validate (greenmfg/reprocess.py: reingest). A table
    that passes validation but looks wrong as a whole is staged as held (greenmfg/review.py).
    """
    from greenmfg.parsing import parse
    from greenmfg.validation import load_config, warm_up_in_background

    settings = settings or get_settings()
    warm_up_in_background()  # Great Expectations loads while the file is read
    try:
        parsed = parse(data, head["original_name"], filing_type=filing_type, period=period, settings=settings)
        _check_types(parsed, allowed_types, head["original_name"])
    except FilingError as exc:
        return head | dict(zip(OUTCOME_FIELDS, ("unreadable", str(exc), []), strict=True))

    config = load_config(settings=settings)
    # The filings in force besides this one (a re-validation compares with the others, never itself).
    records = staging.all_records(stores.staging)
    chosen = staging.winners(p for p in staging.staged_parts(records) if p.sha256 != head["sha256"])
    precedence = (head["received_at"], head["original_name"], head["sha256"])
    outcomes = [
        _process_table(stores, table, head, chosen, precedence, config, build_docs) for table in parsed
    ]
    outcome = (record_status(outcomes), record_message(outcomes), [asdict(p) for p in outcomes])
    return head | dict(zip(OUTCOME_FIELDS, outcome, strict=True))


def record_head(record: dict) -> dict:
    """A record without its outcome: what a re-validation keeps (which filing, received when, from where)."""
    return {name: value for name, value in record.items() if name not in OUTCOME_FIELDS}


def _process_table(
    stores: Stores, table, head: dict, chosen, precedence, config, build_docs: bool
) -> PartOutcome:
    """Validate one parsed table, store its validation outputs, judge it and stage what it accepted."""
    from greenmfg.validation import validate, write_outputs

    sha256 = head["sha256"]
    outcome = validate(
        table.rows,
        table.filing_type,
        cell_errors=table.cell_errors,
        previous=_previous_rows(stores, chosen, table.filing_type, table.periods),
        source_name=head["original_name"],
        config=config,
    )
    written = write_outputs(stores.staging, table.filing_type, sha256, outcome, build_docs=build_docs)
    part = PartOutcome(
        filing_type=table.filing_type,
        periods=[int(p) for p in table.periods],
        rows_parsed=len(table.rows),
        rows_accepted=0 if outcome.is_rejected else len(outcome.accepted),
        rows_quarantined=outcome.summary.rows_quarantined,
        rows_flagged=outcome.summary.rows_flagged,
        status=REJECTED if outcome.is_rejected else ACCEPTED,
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
    if outcome.is_rejected:
        return part
    part.superseded = _superseded(stores, chosen, precedence, table.filing_type, outcome.accepted)
    part.hold_reasons = review.hold_reasons(
        part.rows_parsed, part.rows_quarantined, part.superseded, config.review
    )
    part.staged = _stage(stores, table.filing_type, sha256, outcome.accepted)
    if part.hold_reasons:
        part.status = review.HELD
    return part


def record_status(parts: list[PartOutcome]) -> str:
    """A filing is held when any of its tables is, else accepted, rejected, or partly rejected."""
    statuses = {p.status for p in parts}
    if review.HELD in statuses:
        return review.HELD
    if statuses == {ACCEPTED}:
        return ACCEPTED
    return REJECTED if statuses == {REJECTED} else "partly_rejected"


def record_message(parts: list[PartOutcome]) -> str:
    """Why: one line per held table, then the rejection reasons (on one line, as before holds existed)."""
    rejections = "; ".join(r for p in parts for r in p.rejection_reasons)
    held = review.held_message(asdict(p) for p in parts)
    return "\n".join(line for line in (held, rejections) if line)


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


def _superseded(stores: Stores, chosen, precedence, filing_type: str, accepted) -> dict[str, dict]:
    """Per period this table would take over from the filing in force (received before it): the evidence
    of rows and totals before → after (greenmfg/review.py)."""
    contract = get_contract(filing_type)
    found: dict[str, dict] = {}
    for period, rows in accepted.groupby(contract.period_column, sort=True):
        current = chosen.get((filing_type, int(period)))
        if current is None or current.precedence >= precedence:
            continue
        found[str(int(period))] = review.superseded_evidence(
            contract,
            staging.read_part(stores.staging, current),
            rows,
            sha256=current.sha256,
            original_name=current.original_name,
        )
    return found


def _stage(stores: Stores, filing_type: str, sha256: str, accepted) -> dict[str, dict]:
    contract = get_contract(filing_type)
    schema = contract.arrow_schema()
    staged: dict[str, dict] = {}
    for period, rows in accepted.groupby(contract.period_column, sort=True):
        table = pa.Table.from_pandas(rows[schema.names], schema=schema, preserve_index=False)
        key = keys.staging_canonical(filing_type, int(period), sha256)
        handover.remember(stores.staging, key, stores.staging.write_bytes(key, parquet_bytes(table)), table)
        staged[str(int(period))] = {"key": key, "rows": table.num_rows}
    return staged


def replace_record(stores: Stores, record: dict, etag: str) -> IngestResult:
    """Overwrite the ingestion record read at `etag` with `record`, only if it is still that one."""
    try:
        stores.staging.write_bytes(keys.ingestion_record(record["sha256"]), _body(record), if_match=etag)
    except PreconditionFailedError:
        raise GreenmfgError(
            f"the ingestion record of {record['sha256'][:12]} ({record['original_name']}) changed while it "
            "was re-validated (another reprocess at the same time?); the newer one stands, run again"
        ) from None
    log.info("re-validated %s (%s): %s", record["original_name"], record["sha256"][:12], record["status"])
    return IngestResult.from_record(record)


def _finish(stores: Stores, record: dict) -> IngestResult:
    try:
        stores.staging.write_bytes(keys.ingestion_record(record["sha256"]), _body(record), if_absent=True)
    except PreconditionFailedError:
        existing = staging.read_record(stores.staging, record["sha256"])
        return IngestResult.from_record(existing, status="duplicate")
    log.info("ingested %s (%s): %s", record["original_name"], record["sha256"][:12], record["status"])
    return IngestResult.from_record(record)


def _body(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()
