"""Build a snapshot's report from the stores and write it beside the data (the only IO of the package).

The report is a separate object (keys.snapshot_report), not listed in the manifest, so rebuilding it never
changes the snapshot's content-derived id; the same snapshot gives the same bytes.
"""

from __future__ import annotations

import posixpath

from greenmfg import staging
from greenmfg.indicators import DATASETS
from greenmfg.publish import read_dataframe, read_manifest
from greenmfg.report.compose import build_model
from greenmfg.report.render import render_html
from greenmfg.storage import ObjectStore, Stores, keys


def _location(store: ObjectStore) -> tuple[str, str]:
    """(scheme, path) of a store's root: local folders as absolute paths, S3 as bucket/prefix."""
    if store.url.startswith("s3://"):
        return "s3", "/" + store.url.removeprefix("s3://").strip("/")
    return "file", store.url.rstrip("/") or "/"


def staging_href_base(published: ObjectStore, staging_store: ObjectStore, snapshot_id: str) -> str | None:
    """Relative href from the report's folder to the staging root, or None when no relative link reaches it.

    Local folders reach each other by path; S3 buckets do when served path-style from one endpoint.
    """
    (scheme, published_root), (staging_scheme, staging_root) = _location(published), _location(staging_store)
    if scheme != staging_scheme:
        return None
    folder = posixpath.join(published_root, keys.snapshot_prefix(snapshot_id))
    return posixpath.relpath(staging_root, folder).rstrip("/") + "/"


def _records(staging_store: ObjectStore, manifest: dict) -> dict[str, dict]:
    """Ingestion records of the filings the manifest names (periods covered, validation output keys)."""
    shas = {f.get("sha256") for f in (manifest.get("validation") or {}).get("filings", [])}
    shas |= {s.get("sha256") for s in manifest.get("sources", [])}
    found = {}
    for sha in sorted(s for s in shas if s):
        record = staging.read_record(staging_store, sha)
        if record is not None:
            found[sha] = record
    return found


def calendar_as_of_commit(published: ObjectStore, snapshot_id: str, records: dict[str, dict]):
    """The filing calendar judged on the date this snapshot was first committed (rows, that date)."""
    from datetime import date

    from greenmfg import filing_calendar
    from greenmfg.publish import list_snapshots
    from greenmfg.settings import get_settings

    committed = [e.committed_at for e in list_snapshots(published) if e.snapshot_id == snapshot_id]
    if not committed:
        return None
    as_of = date.fromisoformat(committed[0][:10])
    rules = filing_calendar.load_rules(get_settings().calendar_file)
    return filing_calendar.check(rules, records.values(), as_of), as_of.isoformat()


def build_report(stores: Stores, snapshot_id: str) -> str:
    """The HTML report of a committed snapshot."""
    manifest = read_manifest(stores.published, snapshot_id)
    frames = {
        name: read_dataframe(stores.published, name, snapshot_id=snapshot_id)
        for name in DATASETS
        if name in manifest.get("datasets", {})
    }
    records = _records(stores.staging, manifest)
    model = build_model(
        frames,
        manifest,
        records,
        staging_href_base(stores.published, stores.staging, snapshot_id),
        data_docs=stores.published.exists(keys.snapshot_data_docs_index(snapshot_id)),
        calendar=calendar_as_of_commit(stores.published, snapshot_id, records),
    )
    return render_html(model)


def publish_report(stores: Stores, snapshot_id: str) -> str:
    """Write the report to snapshots/<id>/report.html in the published area; returns the key."""
    key = keys.snapshot_report(snapshot_id)
    stores.published.write_bytes(key, build_report(stores, snapshot_id).encode("utf-8"))
    return key
