"""Issue 13, scenario 3: `reprocess --reparse` cannot lose a filing. The ingestion record is swapped for its
successor, never deleted first, so a correction never lets the filing it superseded win again; and the
publisher identity, which may only read raw, can run it."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.corrections import loans_2020, with_first_amount_raised
from helpers.stores import stores_for

from greenmfg import archive, reprocess, staging, sweep
from greenmfg.errors import GreenmfgError
from greenmfg.settings import AREAS
from greenmfg.storage import ObjectStore, Stores, keys
from greenmfg.storage.local import LocalStore
from infra.seaweedfs import SeaweedFS

CORRECTION = "green_loans/2020年绿色贷款申请_更正.csv"


class WatchedStore(ObjectStore):
    """A store that runs `watch()` before every change (write or delete): what a reader, or the next run
    after the process died right there, would find. Local writes are atomic, so these are all the states."""

    def __init__(self, inner: ObjectStore, watch: Callable[[str], None]) -> None:
        self.inner, self.watch, self.changes = inner, watch, []
        self.url = inner.url

    def read_bytes(self, key):
        return self.inner.read_bytes(key)

    def write_bytes(self, key, data, *, if_absent=False, if_match=None):
        self.watch(f"before writing {key}")
        self.changes.append(("write", key))
        return self.inner.write_bytes(key, data, if_absent=if_absent, if_match=if_match)

    def head(self, key):
        return self.inner.head(key)

    def list(self, prefix=""):
        return self.inner.list(prefix)

    def delete(self, key):
        self.watch(f"before deleting {key}")
        self.changes.append(("delete", key))
        return self.inner.delete(key)

    def arrow_filesystem(self):
        return self.inner.arrow_filesystem()


def land_original_and_correction(stores: Stores, folder: Path) -> tuple[str, str]:
    """The 2020 loans filing, then its correction (+8,000 万元 on one application); both accepted."""
    original = loans_2020()
    corrected = with_first_amount_raised(original, 0.8, folder / "correction.csv")
    shas = []
    for key, path in ((f"green_loans/{original.name}", original), (CORRECTION, corrected)):
        stores.landing.write_bytes(key, path.read_bytes())
        result = sweep.ingest_landed(stores, key, build_docs=False)
        assert result.status == "accepted", result.message
        shas.append(result.sha256)
    return shas[0], shas[1]


def reingest(stores: Stores, sha256: str) -> None:
    reprocess.reingest(stores, sha256, build_docs=False)  # as the filings were ingested: no Data Docs


def in_force(stores: Stores) -> str:
    chosen = staging.winners(staging.staged_parts(staging.all_records(stores.staging)))
    return chosen[("green_loans", 2020)].sha256


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A local store holding the original and its correction (copied by each test that changes it)."""
    root = tmp_path_factory.mktemp("landed")
    stores = Stores(**{area: LocalStore(root / "store" / area) for area in AREAS})
    original, correction = land_original_and_correction(stores, root)
    return root / "store", original, correction


def local_copy(landed: tuple[Path, str, str], tmp_path: Path) -> Stores:
    shutil.copytree(landed[0], tmp_path / "store")
    return Stores(**{area: LocalStore(tmp_path / "store" / area) for area in AREAS})


def test_at_every_change_of_a_reparse_the_correction_is_recorded_and_in_force(
    landed: tuple[Path, str, str], tmp_path: Path
) -> None:
    stores = local_copy(landed, tmp_path)
    _, original, correction = landed
    before = stores.staging.read_bytes(keys.ingestion_record(correction))

    def correction_in_force(moment: str) -> None:
        record = staging.read_record(stores.staging, correction)
        assert record is not None and record["status"] == "accepted", f"{moment}: no record"
        assert in_force(stores) == correction, f"{moment}: the original is in force again"

    watched = WatchedStore(stores.staging, correction_in_force)
    reingest(Stores(stores.landing, stores.raw, watched, stores.published), correction)
    correction_in_force("after the reparse")
    assert [kind for kind, _ in watched.changes] == ["write"] * len(watched.changes)  # nothing deleted
    written = [key for _, key in watched.changes]
    assert written[-1] == keys.ingestion_record(correction) and len(written) >= 4  # outputs, rows, record
    # the same bytes, rules and parser give the same record, byte for byte
    assert stores.staging.read_bytes(keys.ingestion_record(correction)) == before
    assert correction != original


def test_a_record_changed_during_a_reparse_is_not_overwritten(
    landed: tuple[Path, str, str], tmp_path: Path
) -> None:
    """Two re-validations of one filing at once: the one whose record moved under it refuses to swap."""
    stores = local_copy(landed, tmp_path)
    key = keys.ingestion_record(landed[2])

    def another_reprocess_swaps_it_first(moment: str) -> None:
        if moment == f"before writing {key}":
            stores.staging.write_bytes(key, stores.staging.read_bytes(key))

    racing = WatchedStore(stores.staging, another_reprocess_swaps_it_first)
    with pytest.raises(GreenmfgError, match=r"changed while it was re-validated .* run again"):
        reingest(Stores(stores.landing, stores.raw, racing, stores.published), landed[2])
    assert json.loads(stores.staging.read_bytes(key))["status"] == "accepted"


# --- on SeaweedFS, as the publisher, through the CLI ------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.mark.slow
def test_the_publisher_reparses_on_seaweedfs_and_the_record_is_never_absent(
    prefect_api, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path, set_env, capsys
) -> None:
    """`greenmfg reprocess --reparse` with the publisher's credentials (raw read-only): it re-validates both
    filings, a watcher polling the correction's record never finds it absent, and the snapshot holds the
    correction."""
    from greenmfg.cli import main
    from greenmfg.publish import latest, read_dataframe

    ingester = stores_for(seaweedfs, "ingester", s3_prefix)
    original, correction = land_original_and_correction(ingester, tmp_path)
    raw_before = {info.key: info.etag for info in ingester.raw.list()}
    publisher = stores_for(seaweedfs, "publisher", s3_prefix)
    with pytest.raises(Exception, match=r"AccessDenied|403|Forbidden"):  # the premise: raw is read-only
        publisher.raw.write_bytes(keys.raw_filing(correction) + ".probe", b"x")

    absent, stop = [], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if publisher.staging.head(keys.ingestion_record(correction)) is None:
                absent.append(True)
            stop.wait(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    set_env(**seaweedfs.env_for("publisher", s3_prefix))
    try:
        code = main(
            ["reprocess", "--from", "2020", "--to", "2020", "--filing-type", "green_loans", "--reparse"]
        )
    finally:
        stop.set()
        watcher.join()
    out = capsys.readouterr()
    assert code == 0, out.err
    assert absent == [], "the correction's ingestion record was absent during the reparse"
    assert {info.key: info.etag for info in ingester.raw.list()} == raw_before  # raw untouched
    for sha in (original, correction):
        assert archive.read_filing(publisher.raw, sha)  # both archived, intact (checked against the SHA)
        assert staging.read_record(publisher.staging, sha)["status"] == "accepted"
    assert in_force(publisher) == correction
    snapshot = latest(publisher.published).snapshot_id
    finance = read_dataframe(publisher.published, "green_finance", snapshot_id=snapshot)
    city = finance[(finance["year"] == 2020) & (finance["region_code"] == "330500")].iloc[0]
    assert city["loan_total_10k_yuan"] == pytest.approx(338_000.0)  # 330,000 + the correction's 8,000
