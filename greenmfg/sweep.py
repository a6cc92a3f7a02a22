"""Landed objects → ingestion: the landing index, the sweep for objects never ingested, refused keys."""

from __future__ import annotations

import json
import logging

from greenmfg import archive
from greenmfg.errors import FilingError, ObjectNotFoundError, StorageError, TransientStorageError
from greenmfg.ingest import IngestResult, ingest_bytes, utc_now_iso
from greenmfg.settings import Settings
from greenmfg.storage import ObjectInfo, Stores, keys

log = logging.getLogger(__name__)


def _index_entry(stores: Stores, landing_key: str) -> dict | None:
    try:
        return json.loads(stores.staging.read_bytes(keys.landed_index(landing_key)))
    except ObjectNotFoundError:
        return None


def pending_landings(stores: Stores) -> list[ObjectInfo]:
    """Landed objects not yet ingested at their current ETag (new, or replaced since)."""
    pending = []
    for info in stores.landing.list():
        entry = _index_entry(stores, info.key)
        if entry is None or entry.get("etag") != info.etag:
            pending.append(info)
    return pending


def ingest_landed(
    stores: Stores, landing_key: str, *, settings: Settings | None = None, build_docs: bool = False
) -> IngestResult:
    """Ingest the object at `landing_key`, or archive it as rejected when the key itself is refused."""
    from greenmfg.landing import is_ignorable, parse_landing_key

    try:
        info = stores.landing.head(landing_key)
    except StorageError as exc:
        refusal = _refusal(landing_key)
        if refusal is None or isinstance(exc, TransientStorageError):
            raise
        # A key no store can address (`..`, an absolute path): nothing landed there, so nothing to archive.
        return IngestResult("", landing_key, "refused", f"{refusal} (the store cannot address it)", [], {})
    if info is None:
        raise ObjectNotFoundError(f"{stores.landing.uri(landing_key)} does not exist")
    data = stores.landing.read_bytes(landing_key)
    # Landing time, not ingestion time: corrections win by when they arrived, whatever order the
    # ingestions run in (the sweep may fan out in parallel).
    received_at = info.modified_at or utc_now_iso()
    if is_ignorable(landing_key):
        result = IngestResult("", landing_key, "ignored", "temporary or hidden object", [], {})
        _write_index(stores, landing_key, info, result)
        return result
    try:
        landed = parse_landing_key(landing_key)
    except FilingError as exc:
        archived = archive.archive_rejected(
            stores.raw, data, original_name=landing_key, reason=str(exc), received_at=received_at
        )
        result = IngestResult(archived.sha256, landing_key, "refused", str(exc), [], {})
        _write_index(stores, landing_key, info, result)
        return result
    result = ingest_bytes(
        stores,
        data,
        original_name=landed.name,
        filing_type=landed.filing_type,
        allowed_types=landed.filing_types,
        period=landed.period,
        landing_key=landing_key,
        received_at=received_at,
        settings=settings,
        build_docs=build_docs,
    )
    _write_index(stores, landing_key, info, result)
    return result


def _refusal(landing_key: str) -> FilingError | None:
    from greenmfg.landing import parse_landing_key

    try:
        parse_landing_key(landing_key)
    except FilingError as exc:
        return exc
    return None


def _write_index(stores: Stores, landing_key: str, info: ObjectInfo, result: IngestResult) -> None:
    entry = {
        "landing_key": landing_key,
        "etag": info.etag,
        "size": info.size,
        "sha256": result.sha256,
        "status": result.status,
    }
    stores.staging.write_bytes(
        keys.landed_index(landing_key), json.dumps(entry, ensure_ascii=False, sort_keys=True).encode()
    )
