"""Object store outage: SeaweedFS stops in the middle of a `greenmfg reprocess` run (a Prefect flow run from
the command line). The publish task retries with backoff, then the run fails with one clear line and no
traceback; readers still see the previous complete snapshot; after a restart the next run finishes the work.

This module runs its own SeaweedFS, since it stops it; the session's server stays up for the other tests.
"""

from __future__ import annotations

import itertools
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import kill_switch, reference
from helpers.cli_under_outage import ATTEMPTS
from helpers.snapshots import verify_history, verify_latest
from helpers.stores import HELPERS, PYTHON, stores_for, worker_env
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from greenmfg import build
from infra import seaweedfs as seaweedfs_infra
from infra.seaweedfs import BUCKETS, SeaweedFS
from tasks.retry import RETRIES, RETRY_DELAYS, RETRY_JITTER

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CLI = HELPERS / "cli_under_outage.py"
ARGS = ["reprocess", "--from", "2019", "--to", "2020"]
PAUSE_AT_WRITE = 3  # the attempt marker and one data file are written when the store goes away
TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def own_seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    server = seaweedfs_infra.start(tmp_path_factory.mktemp("outage-seaweedfs"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


def cli(server: SeaweedFS, prefix: str, api_url: str, **switch: str) -> subprocess.Popen[str]:
    env = worker_env(server, "publisher", prefix, PREFECT_API_URL=api_url, **switch)
    return subprocess.Popen(
        [PYTHON, str(CLI), *ARGS], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def test_outage_mid_run_retries_then_fails_clearly_and_the_next_run_finishes(
    own_seaweedfs: SeaweedFS, prefect_api: str, tmp_path: Path
) -> None:
    prefix = f"outage-{uuid.uuid4().hex[:8]}"
    ingester = stores_for(own_seaweedfs, "ingester", prefix)
    publisher = stores_for(own_seaweedfs, "publisher", prefix)
    reference.land_and_ingest(ingester, reference.landing_files(years=(2019,)))
    old_id = build.publish(publisher, *reference.derive(publisher)).snapshot_id
    reference.land_and_ingest(ingester, reference.landing_files(years=(2020,)))  # the work of the run

    attempts = tmp_path / "attempts"
    run = cli(
        own_seaweedfs, prefix, prefect_api,
        **{kill_switch.BUCKETS: BUCKETS["published"], kill_switch.PAUSE_AT: str(PAUSE_AT_WRITE),
           kill_switch.PAUSE_DIR: str(tmp_path), ATTEMPTS: str(attempts)},
    )  # fmt: skip
    wait_for(tmp_path / "paused", run)
    own_seaweedfs.stop()
    (tmp_path / "resume").touch()
    stdout, stderr = run.communicate(timeout=TIMEOUT_SECONDS)

    # Retried with backoff: RETRIES more attempts, each after at least the jitter-reduced delay.
    starts = [float(line) for line in attempts.read_text().split()]
    assert len(starts) == RETRIES + 1
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= delay * (1 - RETRY_JITTER) for gap, delay in zip(gaps, RETRY_DELAYS, strict=True)), gaps
    # Then a clear failure: one line naming the cause, no traceback.
    assert run.returncode == 2, (stdout, stderr)
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("greenmfg reprocess: error: cannot reach S3"), lines[0]
    assert own_seaweedfs.endpoint.removeprefix("http://") in lines[0]

    # Nothing partial is visible: after the restart readers see the previous snapshot, whole.
    own_seaweedfs.start()
    consumer = stores_for(own_seaweedfs, "consumer", prefix).published
    assert verify_latest(consumer) == old_id
    assert len(verify_history(consumer)) == 1
    # The next run finishes the work.
    rerun = cli(own_seaweedfs, prefix, prefect_api)
    stdout, stderr = rerun.communicate(timeout=TIMEOUT_SECONDS)
    assert rerun.returncode == 0, stderr[-3000:]
    entries = verify_history(consumer)
    assert [e.snapshot_id for e in entries][:1] == [old_id] and len(entries) == 2
    assert verify_latest(consumer) == entries[-1].snapshot_id != old_id
