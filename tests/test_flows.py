"""The Prefect flows load and run in-process against a real (temporary) Prefect API; fanning out on a
two-worker Dask cluster gives the same snapshot, byte for byte, as the default runner; `greenmfg run` (the
main-job flow) on a store holding a user's filing publishes it and never lands the demonstration."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import reference as small_reference
from prefect import Flow
from prefect.settings import get_current_settings
from prefect.testing.utilities import prefect_test_harness

from greenmfg import landing_copy
from greenmfg.publish import latest
from greenmfg.reference import generate
from greenmfg.settings import get_settings
from greenmfg.storage import open_stores
from tasks.runners import make_task_runner

FLOW_MODULES = (
    "flows.ingest_filing",
    "flows.sweep_landing",
    "flows.publish_indicators",
    "flows.reprocess",
    "flows.main_job",
    "flows.check_filing_calendar",
    "flows.prune_snapshots",
)
BACKFILL_TYPES = ("green_loans", "incentives")


@pytest.fixture(scope="module")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    generate(out, years=(2019, 2021))
    return out


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the settings (read by every task, also in Dask workers) at a fresh local store."""

    def use(name: str) -> Path:
        root = tmp_path / name
        monkeypatch.setenv("GREENMFG_STORE_URL", str(root))
        get_settings.cache_clear()
        return root

    yield use
    get_settings.cache_clear()


@pytest.mark.parametrize("module", FLOW_MODULES)
def test_every_flow_loads(module: str) -> None:
    name = module.split(".")[1].replace("_", "-")
    flows = [
        v for v in vars(importlib.import_module(module)).values() if isinstance(v, Flow) and v.name == name
    ]
    assert len(flows) == 1 and flows[0].__module__ == module


def _land_backfill(reference: Path) -> None:
    files = [(k, p) for k, p in landing_copy.landing_files(reference) if k.split("/")[0] in BACKFILL_TYPES]
    landing_copy.land(open_stores().landing, files)


def _snapshot_files(root: Path, snapshot_id: str) -> dict[str, bytes]:
    folder = root / "published" / "snapshots" / snapshot_id
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


@pytest.mark.slow
def test_ingest_filing_then_publish_and_repeat_event(prefect_api, reference, store_env) -> None:
    from flows.ingest_filing import ingest_filing
    from flows.publish_indicators import publish_indicators

    store_env("single")
    _land_backfill(reference)
    key = next(k for k, _ in landing_copy.landing_files(reference) if k.startswith("green_loans/"))
    first = ingest_filing(key, build_docs=False)
    assert first["status"] == "accepted"
    again = ingest_filing(key, build_docs=False)
    assert again["status"] == "duplicate" and again["sha256"] == first["sha256"]
    published = publish_indicators()
    assert published["is_new"] and latest(open_stores().published).snapshot_id == published["snapshot_id"]
    assert not publish_indicators()["is_new"]


@pytest.mark.slow
def test_dask_backfill_gives_the_same_snapshot_bytes(prefect_api, reference, store_env) -> None:
    from flows.publish_indicators import publish_indicators
    from flows.sweep_landing import sweep_landing

    snapshots = {}
    for runner in ("default", "dask"):
        root = store_env(runner)
        _land_backfill(reference)
        results = sweep_landing.with_options(task_runner=make_task_runner(runner))(build_docs=False)
        assert {r["status"] for r in results} == {"accepted"}
        snapshot_id = publish_indicators()["snapshot_id"]
        snapshots[runner] = (snapshot_id, _snapshot_files(root, snapshot_id))
        shutil.rmtree(root / "landing")
    assert snapshots["default"][0] == snapshots["dask"][0]
    assert snapshots["default"][1] == snapshots["dask"][1] and snapshots["default"][1]


def _greenmfg_run(store: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`greenmfg run` as a process, on the module's Prefect API (a user's own server, not a temporary one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREENMFG_", "PREFECT_"))}
    env |= {"GREENMFG_STORE_URL": str(store), "GX_ANALYTICS_ENABLED": "false"}
    env |= {"PREFECT_API_URL": get_current_settings().api.url, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    command = [
        "run",
        "--reference-dir",
        str(tmp_path / "reference"),
        "--miit-dir",
        str(tmp_path),
    ]
    return subprocess.run(
        [sys.executable, "-m", "greenmfg.cli", *command], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.mark.slow
def test_run_on_a_users_store_lands_no_reference_data_and_reruns_unchanged(
    prefect_api, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    loans = next(
        p for k, p in small_reference.landing_files() if k.startswith("green_loans/") and "2020" in k
    )
    user_key = f"green_loans/{loans.name}"
    (store / "landing" / "green_loans").mkdir(parents=True)
    shutil.copy(loans, store / "landing" / user_key)

    first = _greenmfg_run(store, tmp_path)
    assert first.returncode == 0, first.stderr
    landed = sorted(p.relative_to(store / "landing").as_posix() for p in (store / "landing").rglob("*.*"))
    assert landed == [user_key]
    assert not (tmp_path / "reference").exists()  # the reference filings were not even generated
    assert "already holds files" in first.stdout and user_key in first.stdout
    assert "(new snapshot)" in first.stdout and "green-loan applicants            148" in first.stdout
    assert "accredited green plants" not in first.stdout and "national green parks" not in first.stdout

    second = _greenmfg_run(store, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "nothing new landed since the last run" in second.stdout
    assert "(unchanged: nothing new published)" in second.stdout
    assert len(list((store / "published" / "_commits").glob("*.json"))) == 1


def test_the_wait_for_deferred_work_outlasts_a_run_the_api_has_not_recorded_yet(prefect_api) -> None:
    """An event-driven run failed with Prefect's "has no state which means it hasn't started yet" when its
    deferred task run was not yet recorded; the wait polls such a run until it is, then until it ends."""
    import threading
    import time
    import uuid

    from prefect import task
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.futures import PrefectDistributedFuture
    from prefect.states import Completed

    from tasks.deferred import recorded_state, wait_until_final

    @task
    def deferred_work() -> None: ...

    run_id = uuid.uuid4()
    future = PrefectDistributedFuture(run_id)
    with pytest.raises(ObjectNotFound):  # Prefect's own wait gives up on it at once
        future.wait(timeout=0.5)
    assert recorded_state(run_id) is None

    def record_later() -> None:
        time.sleep(1.5)
        with get_client(sync_client=True) as client:
            client.create_task_run(deferred_work, None, "0", id=run_id, state=Completed())

    recorder = threading.Thread(target=record_later)
    recorder.start()
    try:
        assert wait_until_final(PrefectDistributedFuture(run_id), wait_seconds=60)
    finally:
        recorder.join()
    assert recorded_state(run_id).is_completed()
    assert not wait_until_final(PrefectDistributedFuture(uuid.uuid4()), wait_seconds=0.6)
