"""The manifest of a snapshot and its content-derived id.

The id hashes what defines the content (every file's partition and SHA-256, the schemas, the data
dictionary, the parameters and the source filings), so the same input and parameters always give the same
id, and two objects under one id always have the same bytes. Only the manifest itself may differ between
two publishes of one id (code version, validation summary), which is why it is created once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from greenmfg.publish.tables import DataFile
from greenmfg.storage import keys

MANIFEST_FORMAT = "greenmfg-snapshot/1"
SNAPSHOT_ID_CHARS = 24


def canonical_json(value: object) -> bytes:
    """JSON with sorted keys and fixed separators: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PreparedDataset:
    """One dataset ready to write: its files in memory and what the manifest says about it."""

    name: str
    files: list[DataFile]
    schema_json: dict
    key: list[str]
    period_column: str | None
    partition_by: list[str]
    rows: int
    rows_per_period: dict[str, int]


def snapshot_id(
    datasets: list[PreparedDataset], documents: dict[str, bytes], parameters: dict, sources: list[dict]
) -> str:
    content = {
        "format": MANIFEST_FORMAT,
        "datasets": {
            d.name: {
                "schema": d.schema_json["arrow_ipc_base64"],
                "files": [[list(f.partition), sha256_hex(f.data)] for f in d.files],
            }
            for d in datasets
        },
        "documents": {name: sha256_hex(data) for name, data in sorted(documents.items())},
        "parameters": parameters,
        "sources": sources,
    }
    return sha256_hex(canonical_json(content))[:SNAPSHOT_ID_CHARS]


def build_manifest(
    snapshot: str,
    datasets: list[PreparedDataset],
    *,
    sources: list[dict],
    parameters: dict,
    validation: dict,
    dictionary_json: dict,
    documents: dict[str, dict],
    code_version: str,
    missing_inputs: list[dict] | None = None,
) -> dict:
    """Everything a consumer needs to pin and check a snapshot; no wall-clock value (the commit has it).

    `missing_inputs`: per dataset and period, the filing types it needed and did not have, and what was
    published instead (null values or no rows, never zeros). `accepted_blocks` and `accepted_by` stay empty
    unless a publisher accepted what the diff gate would have blocked (greenmfg.publish.writer records them).
    """
    return {
        "format": MANIFEST_FORMAT,
        "snapshot_id": snapshot,
        "code_version": code_version,
        "parameters": parameters,
        "sources": sources,
        "missing_inputs": sorted(missing_inputs or [], key=lambda g: (g["dataset"], str(g["period"]))),
        "accepted_blocks": [],
        "accepted_by": None,
        "validation": validation,
        "datasets": {d.name: _dataset_entry(snapshot, d) for d in datasets},
        "documents": documents,
        "dictionary": dictionary_json,
    }


def _dataset_entry(snapshot: str, dataset: PreparedDataset) -> dict:
    return {
        "prefix": keys.snapshot_dataset_prefix(snapshot, dataset.name),
        "rows": dataset.rows,
        "rows_per_period": dataset.rows_per_period,
        "period_column": dataset.period_column,
        "key": dataset.key,
        "partition_by": dataset.partition_by,
        "schema": dataset.schema_json,
        "files": [
            {
                "key": keys.snapshot_data_file(snapshot, dataset.name, f.partition, i),
                "partition": dict(f.partition),
                "sha256": sha256_hex(f.data),
                "size": len(f.data),
                "rows": f.rows,
            }
            for i, f in enumerate(dataset.files)
        ],
    }


def manifest_files(manifest: dict) -> list[dict]:
    """Every file a snapshot lists (data and documents), each with key, size and sha256."""
    files = [f for d in manifest["datasets"].values() for f in d["files"]]
    return files + list(manifest["documents"].values())
