"""Crash during ingestion: an ingesting process SIGKILLed while archiving, parsing, validating or staging a
real reference filing on SeaweedFS; after the restart the filing is processed exactly once — one archive
object and sidecar, one ingestion record, its rows staged once — and a further delivery is a duplicate.
"""

from __future__ import annotations

import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyarrow.parquet as pq
import pytest
from helpers import kill_switch, reference
from helpers.publishers import worker_pool
from helpers.stores import stores_for
from helpers.worker import KILL_IN

from greenmfg import archive, staging, sweep
from greenmfg.storage import Stores, keys
from infra.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.s3, pytest.mark.slow]

# Where the process dies: (name, GREENMFG_TEST_* switch). Writes are matched by key, in ingestion order.
CRASH_POINTS = {
    "archive: before the raw object": {kill_switch.KILL_BEFORE_WRITE: "filings/"},
    "archive: between object and sidecar": {kill_switch.KILL_BEFORE_WRITE: "filings/#2"},
    "parse: building canonical rows": {KILL_IN: "parse"},
    "validate: entering validation": {KILL_IN: "validate"},
    "stage: before the canonical rows": {kill_switch.KILL_BEFORE_WRITE: "canonical/"},
    "record: before the ingestion record": {kill_switch.KILL_BEFORE_WRITE: "ingested/"},
    "index: before the landing index": {kill_switch.KILL_BEFORE_WRITE: "landed/"},
}
# Only the last dies after the ingestion record exists: its restart finds the filing done.
AFTER_RECORD = {"index: before the landing index"}
# In-process ingestion (the restarts) one at a time: validation is not meant to run in parallel threads.
RESTARTS = threading.Lock()


@pytest.fixture(scope="module")
def filing() -> tuple[str, bytes]:
    key, path = next(
        (k, p) for k, p in reference.landing_files(years=(2019,)) if k.startswith("green_loans/")
    )
    return key, path.read_bytes()


def assert_processed_once(stores: Stores, sha: str) -> dict:
    """One archived object with its sidecar, one ingestion record, each staged period once and complete."""
    assert {i.key for i in stores.raw.list()} == {keys.raw_filing(sha), keys.raw_sidecar(sha)}
    assert archive.read_filing(stores.raw, sha)  # the bytes hash to their name
    records = staging.all_records(stores.staging)
    assert [r["sha256"] for r in records] == [sha]
    record = records[0]
    assert record["status"] == "accepted"
    staged = {s["key"]: s["rows"] for p in record["parts"] for s in p["staged"].values()}
    canonical = {i.key for i in stores.staging.list(keys.staging_canonical_prefix())}
    assert canonical == set(staged)
    filesystem, _ = stores.staging.arrow_filesystem()
    for key, rows in staged.items():
        assert pq.read_metadata(stores.staging.arrow_path(key), filesystem=filesystem).num_rows == rows
    assert sum(staged.values()) == sum(p["rows_accepted"] for p in record["parts"]) > 0
    return record


def test_ingestion_killed_at_each_stage_is_processed_exactly_once(
    seaweedfs: SeaweedFS, filing: tuple[str, bytes]
) -> None:
    key, data = filing
    base = f"ingcrash-{uuid.uuid4().hex[:8]}"
    sha = archive.sha256_hex(data)

    def trial(item: tuple[int, str]) -> str:
        number, name = item
        prefix = f"{base}-{number}"
        stores = stores_for(seaweedfs, "ingester", prefix)
        stores.landing.write_bytes(key, data)
        worker = pool.get()
        try:
            job = worker.job(seaweedfs, "ingester", prefix, {"task": "ingest", "landing_key": key},
                             **CRASH_POINTS[name])  # fmt: skip
            code, _ = worker.run([job])[0]
        finally:
            pool.put(worker)
        assert code == -signal.SIGKILL, name
        had_record = staging.read_record(stores.staging, sha) is not None
        assert had_record == (name in AFTER_RECORD), name
        # The restart: the landing is still pending (its index was never written), and is done once.
        assert [i.key for i in sweep.pending_landings(stores)] == [key]
        with RESTARTS:
            restarted = sweep.ingest_landed(stores, key, build_docs=False)
        assert restarted.status == ("duplicate" if had_record else "accepted"), name
        assert_processed_once(stores, sha)
        assert sweep.pending_landings(stores) == []
        # The same event delivered again changes nothing.
        with RESTARTS:
            assert sweep.ingest_landed(stores, key, build_docs=False).status == "duplicate"
        assert_processed_once(stores, sha)
        return name

    with worker_pool(2, warm_gx=True) as pool, ThreadPoolExecutor(max_workers=2) as threads:
        done = list(threads.map(trial, enumerate(CRASH_POINTS)))
    assert done == list(CRASH_POINTS)
