"""Every object key, built in one place from dataset, filing and partition.

Areas (each an ObjectStore, possibly its own bucket):
  landing/    files as dropped by bureaus:             <filing_type>/<file name>
  raw/        immutable archive, content-addressed:    filings/<sha[:2]>/<sha>  + .json sidecar
              refused landings:                        rejected/<sha>  + .json
  staging/    canonical accepted rows:                 canonical/<filing_type>/period=<p>/<sha>.parquet
              ingestion record (one per filing):       ingested/<sha>.json
              quarantined rows and validation output:  validation/<filing_type>/<sha>/...
              review decision on a held filing:        decisions/<sha>.json
  published/  snapshots and their commit log:          snapshots/<id>/..., _commits/<n>.json
"""

from __future__ import annotations

import re

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _sha(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


# raw area
def raw_filing(sha256: str) -> str:
    return f"filings/{_sha(sha256)[:2]}/{sha256}"


def raw_sidecar(sha256: str) -> str:
    return raw_filing(sha256) + ".json"


def raw_rejected(sha256: str) -> str:
    return f"rejected/{_sha(sha256)}"


def raw_rejected_sidecar(sha256: str) -> str:
    return raw_rejected(sha256) + ".json"


# staging area
def staging_canonical(filing_type: str, period: int | str, sha256: str) -> str:
    return f"canonical/{filing_type}/period={period}/{_sha(sha256)}.parquet"


def staging_canonical_prefix(filing_type: str = "") -> str:
    return f"canonical/{filing_type}/" if filing_type else "canonical/"


def ingestion_record(sha256: str) -> str:
    return f"ingested/{_sha(sha256)}.json"


INGESTION_RECORDS_PREFIX = "ingested/"


def validation_prefix(filing_type: str, sha256: str) -> str:
    return f"validation/{filing_type}/{_sha(sha256)}/"


def quarantine(filing_type: str, sha256: str) -> str:
    return validation_prefix(filing_type, sha256) + "quarantine.parquet"


def validation_summary(filing_type: str, sha256: str) -> str:
    return validation_prefix(filing_type, sha256) + "summary.json"


def data_docs_prefix(filing_type: str, sha256: str) -> str:
    return validation_prefix(filing_type, sha256) + "data_docs/"


# published area
COMMITS_PREFIX = "_commits/"


def commit_entry(sequence: int) -> str:
    return f"{COMMITS_PREFIX}{sequence:012d}.json"


def snapshot_prefix(snapshot_id: str) -> str:
    return f"snapshots/{snapshot_id}/"


def snapshot_manifest(snapshot_id: str) -> str:
    return snapshot_prefix(snapshot_id) + "manifest.json"


def snapshot_dataset_prefix(snapshot_id: str, dataset: str) -> str:
    return snapshot_prefix(snapshot_id) + f"{dataset}/"


# landing index (in staging): which landed key, at which ETag, became which archived filing
LANDED_PREFIX = "landed/"


def landed_index(landing_key: str) -> str:
    import hashlib

    return f"{LANDED_PREFIX}{hashlib.sha256(landing_key.encode('utf-8')).hexdigest()}.json"


# published area: files inside a snapshot (appended by the publish engineer)
SNAPSHOTS_PREFIX = "snapshots/"
ATTEMPTS_PREFIX = "_attempts/"


def snapshot_data_file(
    snapshot_id: str, dataset: str, partition: tuple[tuple[str, str], ...], part: int
) -> str:
    """A Parquet file: `<dataset>/<col>=<value>/.../part-00000.parquet` (Hive-style directories)."""
    directories = "".join(f"{column}={value}/" for column, value in partition)
    return snapshot_dataset_prefix(snapshot_id, dataset) + f"{directories}part-{part:05d}.parquet"


def snapshot_dictionary(snapshot_id: str, extension: str) -> str:
    """The data dictionary of a snapshot, `json` for tools or `md` for people."""
    return snapshot_prefix(snapshot_id) + f"data_dictionary.{extension}"


def snapshot_attempt(snapshot_id: str) -> str:
    """Marker of a publish in progress (when it started), so cleanup spares recent uncommitted files."""
    return f"{ATTEMPTS_PREFIX}{snapshot_id}.json"


# published area: the report of a snapshot (appended by the report engineer). Not listed in the manifest,
# so it can be rebuilt without changing the snapshot's content-derived id.
def snapshot_report(snapshot_id: str) -> str:
    """The self-contained HTML report written beside a snapshot's data."""
    return snapshot_prefix(snapshot_id) + "report.html"


def validation_gx_result(filing_type: str, sha256: str) -> str:
    return validation_prefix(filing_type, sha256) + "gx_result.json"


# published area: a snapshot's validation Data Docs, built from the GX results of its source filings and
# readable by the consumer role. Not listed in the manifest, like the report.
def snapshot_data_docs_prefix(snapshot_id: str) -> str:
    return snapshot_prefix(snapshot_id) + "data_docs/"


def snapshot_data_docs_index(snapshot_id: str) -> str:
    return snapshot_data_docs_prefix(snapshot_id) + "index.html"


# staging area: review decisions on held filings (appended for issue 13), one per filing, created once
DECISIONS_PREFIX = "decisions/"


def review_decision(sha256: str) -> str:
    """`decisions/<sha256>.json`: the accept or reject decision on a filing held for review."""
    return f"{DECISIONS_PREFIX}{_sha(sha256)}.json"
