"""The Prefect flows load and run in-process against a real (temporary) Prefect API; fanning out on a
two-worker Dask cluster gives the same snapshot, byte for byte, as the default runner."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from prefect import Flow
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
