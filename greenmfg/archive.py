"""The raw archive: every filing stored once, as filed, under its SHA-256, with a provenance sidecar.

Create-once writes make it safe under concurrency: whoever loses the race (or arrives later with the same
bytes) is told the filing is a duplicate and nothing is overwritten. Refused landings are kept apart,
under rejected/, with the reason, so a refusal can be audited and the file replayed after a fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass

from greenmfg.errors import PreconditionFailedError, StorageError
from greenmfg.storage import keys
from greenmfg.storage.base import ObjectStore

SIDECAR_VERSION = 1
# The folder of archived filings, derived from keys.py so the layout is still declared in one place.
_FILINGS_PREFIX = keys.raw_filing("0" * 64).split("/", 1)[0] + "/"


@dataclass(frozen=True)
class ArchiveResult:
    sha256: str
    key: str
    sidecar_key: str
    is_duplicate: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_filing(
    raw: ObjectStore,
    data: bytes,
    *,
    original_name: str,
    filing_type: str | None,
    received_at: str,
    landing_key: str | None = None,
) -> ArchiveResult:
    """Store `data` once under its SHA-256; the same bytes again are a duplicate and change nothing.

    `received_at` comes from the caller (the landing event), so the sidecar holds no clock of ours.
    """
    sha = sha256_hex(data)
    sidecar = {
        "filing_type": filing_type,
        "landing_key": landing_key,
        "original_name": original_name,
        "received_at": received_at,
    }
    return _store_once(raw, data, sha, keys.raw_filing(sha), keys.raw_sidecar(sha), sidecar)


def archive_rejected(
    raw: ObjectStore, data: bytes, *, original_name: str, reason: str, received_at: str
) -> ArchiveResult:
    """Keep a refused landing under rejected/<sha> with the reason; the first refusal's reason is kept."""
    sha = sha256_hex(data)
    sidecar = {"original_name": original_name, "reason": reason, "received_at": received_at}
    return _store_once(raw, data, sha, keys.raw_rejected(sha), keys.raw_rejected_sidecar(sha), sidecar)


def read_sidecar(raw: ObjectStore, sha256: str) -> dict:
    """The provenance of an archived filing; ObjectNotFoundError if it was never archived."""
    return _parse_sidecar(raw, keys.raw_sidecar(sha256))


def read_rejected_sidecar(raw: ObjectStore, sha256: str) -> dict:
    return _parse_sidecar(raw, keys.raw_rejected_sidecar(sha256))


def read_filing(raw: ObjectStore, sha256: str) -> bytes:
    """The archived bytes, checked against their SHA-256 so silent corruption is caught on read."""
    data = raw.read_bytes(keys.raw_filing(sha256))
    found = sha256_hex(data)
    if found != sha256:
        raise StorageError(f"{raw.uri(keys.raw_filing(sha256))} is corrupt: its content hashes to {found}")
    return data


def list_archived(raw: ObjectStore) -> list[str]:
    """SHA-256s of every archived filing (not rejected ones), sorted."""
    shas = []
    for info in raw.list(_FILINGS_PREFIX):
        candidate = info.key.rsplit("/", 1)[-1]
        if _is_sha(candidate) and keys.raw_filing(candidate) == info.key:
            shas.append(candidate)
    return sorted(shas)


def _store_once(
    raw: ObjectStore, data: bytes, sha: str, key: str, sidecar_key: str, fields: dict
) -> ArchiveResult:
    """Write the object then its sidecar, each create-once.

    A duplicate whose sidecar is missing (a writer that stopped between the two writes) gets one, so the
    archive heals itself; a racing writer's sidecar wins over ours, never the other way round.
    """
    try:
        raw.write_bytes(key, data, if_absent=True)
        is_duplicate = False
    except PreconditionFailedError:
        is_duplicate = True
    if not is_duplicate or not raw.exists(sidecar_key):
        sidecar = {**fields, "sha256": sha, "sidecar_version": SIDECAR_VERSION, "size_bytes": len(data)}
        body = json.dumps(sidecar, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
        with contextlib.suppress(PreconditionFailedError):  # a racing writer's sidecar is already there
            raw.write_bytes(sidecar_key, body.encode("utf-8"), if_absent=True)
    return ArchiveResult(sha, key, sidecar_key, is_duplicate)


def _parse_sidecar(raw: ObjectStore, key: str) -> dict:
    body = raw.read_bytes(key)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise StorageError(f"{raw.uri(key)} is not valid JSON: {exc}") from None


def _is_sha(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
