"""A snapshot's validation Data Docs, published beside its report: readable by the consumer role, offline.

Built from the GX results stored when each source filing was validated (nothing is validated again), as one
site under snapshots/<id>/data_docs/ (greenmfg/validation/docs_site.py ships its assets).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from greenmfg.errors import ObjectNotFoundError
from greenmfg.publish import read_manifest
from greenmfg.storage import Stores, keys


def publish_data_docs(stores: Stores, snapshot_id: str) -> str | None:
    """Write the site of the snapshot's source filings; returns its index key, or None when none has a
    stored GX result (filings validated before results were kept)."""
    from greenmfg.validation.docs_site import build_site, load_results

    manifest = read_manifest(stores.published, snapshot_id)
    texts = {}
    for filing_type, sha256 in sorted({(s["filing_type"], s["sha256"]) for s in manifest.get("sources", [])}):
        try:
            stored = stores.staging.read_bytes(keys.validation_gx_result(filing_type, sha256))
        except ObjectNotFoundError:
            continue
        texts[(filing_type, sha256)] = stored
    if not texts:
        return None
    prefix = keys.snapshot_data_docs_prefix(snapshot_id)
    with tempfile.TemporaryDirectory(prefix="greenmfg-data-docs-") as folder:
        site = Path(folder)
        build_site(load_results(texts), site)
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            stores.published.write_bytes(prefix + path.relative_to(site).as_posix(), path.read_bytes())
    return keys.snapshot_data_docs_index(snapshot_id)
