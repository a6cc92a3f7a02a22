"""Shared fixtures: one real SeaweedFS per test session, the four stores over S3 or a local folder, and one
reference run of the whole pipeline."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from greenmfg import storage
from greenmfg.settings import AREAS
from greenmfg.storage import Stores
from greenmfg.storage.s3 import S3Store
from infra import seaweedfs as seaweedfs_infra
from infra.seaweedfs import SeaweedFS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any test that needs the server is an S3 test, so `-m "not s3"` leaves it out."""
    for item in items:
        if "seaweedfs" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.s3)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A `weed mini` on 127.0.0.1 for the whole session, stopped by PID at the end.

    A missing `weed` binary or a failed start fails the S3 tests loudly; they are never skipped.
    """
    try:
        server = seaweedfs_infra.start(tmp_path_factory.mktemp("seaweedfs"))
    except seaweedfs_infra.SeaweedFSError as exc:
        pytest.fail(f"SeaweedFS could not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running_seaweedfs(seaweedfs: SeaweedFS) -> SeaweedFS:
    """The session's server, started again if an earlier test stopped it and failed before restarting."""
    if not seaweedfs.is_running():
        seaweedfs.start()
    return seaweedfs


@pytest.fixture
def s3_prefix(request: pytest.FixtureRequest) -> str:
    """A prefix unique to this test, so tests sharing the session's buckets never see each other's keys."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:60].strip("-")
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def s3_stores_as(running_seaweedfs: SeaweedFS, s3_prefix: str) -> Callable[[str], Stores]:
    """`s3_stores_as(role)`: the four areas as that identity sees them, under this test's prefix."""

    def build(role: str) -> Stores:
        settings = running_seaweedfs.settings_for(role, s3_prefix)
        return Stores(**{area: S3Store.from_url(settings.area_url(area), settings) for area in AREAS})

    return build


@pytest.fixture
def s3_stores(s3_stores_as: Callable[[str], Stores]) -> Stores:
    """The four areas, one bucket each, with the admin identity, isolated by a per-test prefix."""
    return s3_stores_as("admin")


@pytest.fixture
def local_stores(tmp_path: Path) -> Stores:
    return storage.local_stores(tmp_path / "store")


@pytest.fixture
def set_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`set_env(NAME="value", …)`: environment variables for this test, with the cached settings
    (greenmfg.settings.get_settings) cleared now and after the test, so the next read sees them."""
    from greenmfg.settings import get_settings

    def apply(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def any_stores(request: pytest.FixtureRequest) -> Stores:
    """The same test over a local folder and over real S3."""
    return request.getfixturevalue(f"{request.param}_stores")


MIIT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "miit-green-lists"


@dataclass(frozen=True)
class ReferenceRun:
    """The reference filings and the real MIIT lists landed, ingested and published once per session."""

    reference_dir: Path
    answer_key: dict
    stores: Stores
    results: list
    snapshot_id: str


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> ReferenceRun:
    """Built with the core functions (no Prefect); Data Docs for the first filing only (seconds each).

    Tests may add to these stores but must read the snapshot by `snapshot_id`, never as `latest`.
    """
    from greenmfg import build, landing_copy, miit_landing, sweep
    from greenmfg.policy import Policy
    from greenmfg.reference import generate

    root = tmp_path_factory.mktemp("reference-run")
    generate(root / "reference")
    stores = storage.local_stores(root / "store")
    files = landing_copy.landing_files(root / "reference")
    assert MIIT_DIR.is_dir(), f"the real MIIT lists are expected at {MIIT_DIR}"
    landing_copy.land(stores.landing, files + miit_landing.miit_landing_files(MIIT_DIR))
    results = [
        sweep.ingest_landed(stores, info.key, build_docs=number == 0)
        for number, info in enumerate(sweep.pending_landings(stores))
    ]
    selection = build.select_filings(stores)
    params = Policy()
    published = build.publish(
        stores, build.derive(build.load_inputs(stores, selection), params), selection, params
    )
    answer_key = json.loads((root / "reference" / "answer_key.json").read_text(encoding="utf-8"))
    return ReferenceRun(root / "reference", answer_key, stores, results, published.snapshot_id)
