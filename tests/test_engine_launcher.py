"""The warm engine launcher: a flow run forked by infra.engine_server gets the client's own environment and
settings, its logs reach the API, a terminated or killed client takes its engine along, and with no server the
client starts the engine itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import engine_flows
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from infra.engine_client import SOCKET_ENV
from infra.engine_server import ping
from infra.ports import free_ports
from infra.prefect_server import PrefectServer, start_prefect_server

pytestmark = [pytest.mark.prefect_server, pytest.mark.slow]

PROJECT_DIR = Path(__file__).resolve().parents[1]
FLOWS_MODULE = "helpers.engine_flows"
AUTH = f"greenmfg:{uuid.uuid4().hex}"
SERVER_BLOCK = "block-of-the-engine-server"
WAIT_SECONDS = 60.0


def _clean_env() -> dict[str, str]:
    """This process's environment without the variables that would point a run elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GREENMFG_", "AWS_"))}
    return {**env, "PYTHONPATH": str(PROJECT_DIR / "tests")}


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real API behind basic auth: a run that kept the engine server's settings could not reach it."""
    started = start_prefect_server(
        tmp_path_factory.mktemp("api"), port=free_ports(1)[0], basic_auth=AUTH, ui=False
    )
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def engine_server(
    tmp_path_factory: pytest.TempPathFactory, prefect_server: PrefectServer
) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A warm server whose own settings are wrong for the runs: another API URL, no auth, another block."""
    state = tmp_path_factory.mktemp("engines")
    socket_path = state / "engines" / "test.sock"
    env = {
        **_clean_env(),
        "PREFECT_API_URL": f"http://127.0.0.1:{free_ports(1)[0]}/api",
        "PREFECT_HOME": str(state / "home"),
        "GREENMFG_S3_CREDENTIALS_BLOCK": SERVER_BLOCK,
    }
    command = [sys.executable, "-m", "infra.engine_server", "--socket", str(socket_path)]
    command += ["--module", FLOWS_MODULE]
    with open(state / "server.log", "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while ping(socket_path) is None:
            assert process.poll() is None, (state / "server.log").read_text()
            assert time.monotonic() < deadline, "the engine server did not answer"
            time.sleep(0.2)
        yield process, socket_path
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def _api(server: PrefectServer) -> Iterator[SyncPrefectClient]:
    settings = {PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: AUTH}
    with temporary_settings(settings), get_client(sync_client=True) as client:
        yield client


def _create_run(server: PrefectServer, flow: Callable, out: Path) -> str:
    with _api(server) as client:
        return str(client.create_flow_run(flow, parameters={"out": str(out)}).id)


def _start_client(server: PrefectServer, run_id: str, flow: str, socket_path: Path, **extra: str):
    env = {
        **_clean_env(),
        **server.env(),
        "PREFECT_HOME": str(socket_path.parent.parent / "client-home"),
        "PREFECT__FLOW_ENTRYPOINT": f"{FLOWS_MODULE}:{flow}",
        "GREENMFG_S3_CREDENTIALS_BLOCK": "block-of-the-run",
        "ENGINE_TEST_MARK": "seen-only-by-the-client",
        SOCKET_ENV: str(socket_path),
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "infra.engine_client", run_id],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_state(server: PrefectServer, run_id: str) -> str:
    with _api(server) as client:
        return client.read_flow_run(uuid.UUID(run_id)).state.type.value


def _run_logs(server: PrefectServer, run_id: str) -> list[str]:
    with _api(server) as client:
        found = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[uuid.UUID(run_id)])))
    return [log.message for log in found]


def _wait_for(path: Path, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists() or not path.read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.1)
    return json.loads(path.read_text())


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_warm_run_has_the_clients_environment_and_settings(
    prefect_server: PrefectServer, engine_server: tuple[subprocess.Popen, Path], tmp_path: Path
) -> None:
    server_process, socket_path = engine_server
    out = tmp_path / "seen.json"
    run_id = _create_run(prefect_server, engine_flows.observe, out)
    client = _start_client(prefect_server, run_id, "observe", socket_path)
    _, stderr = client.communicate(timeout=WAIT_SECONDS)
    assert client.returncode == 0, stderr
    assert "engine_client:" not in stderr  # no fallback
    seen = json.loads(out.read_text())
    assert seen["parent"] == server_process.pid  # forked by the warm server
    assert seen["threads"] >= 1
    assert seen["mark"] == "seen-only-by-the-client"
    assert seen["api_url"] == prefect_server.api_url
    assert seen["credentials_block"] == "block-of-the-run"
    assert seen["cwd"] == str(PROJECT_DIR)
    assert _run_state(prefect_server, run_id) == "COMPLETED"
    assert engine_flows.LOG_LINE in _run_logs(prefect_server, run_id)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_terminated_clients_engine_is_gone(
    prefect_server: PrefectServer,
    engine_server: tuple[subprocess.Popen, Path],
    tmp_path: Path,
    how: signal.Signals,
) -> None:
    server_process, socket_path = engine_server
    out = tmp_path / "where.json"
    run_id = _create_run(prefect_server, engine_flows.linger, out)
    client = _start_client(prefect_server, run_id, "linger", socket_path)
    try:
        engine = _wait_for(out, client)
        assert engine["parent"] == server_process.pid
        client.send_signal(how)
        client.communicate(timeout=WAIT_SECONDS)
        assert _gone(engine["pid"]), f"the engine {engine['pid']} outlived its client"
        assert client.returncode == -how  # dies of the signal, as the engine did
        assert server_process.poll() is None
    finally:
        client.kill()
        client.communicate()


def test_without_a_server_the_client_starts_the_engine_itself(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    out = tmp_path / "seen.json"
    run_id = _create_run(prefect_server, engine_flows.observe, out)
    client = _start_client(prefect_server, run_id, "observe", tmp_path / "engines" / "none.sock")
    _, stderr = client.communicate(timeout=WAIT_SECONDS * 2)
    assert client.returncode == 0, stderr
    assert "no warm engine server answers" in stderr
    seen = json.loads(out.read_text())
    assert seen["pid"] == client.pid  # exec'd in place: the worker's signals reach the engine
    assert seen["credentials_block"] == "block-of-the-run"
    assert _run_state(prefect_server, run_id) == "COMPLETED"
