"""The local Prefect server launcher: loopback, state under one folder, basic auth honoured, stop by PID."""

from __future__ import annotations

import base64
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.ports import free_ports
from infra.prefect_server import PrefectServer, start_prefect_server

pytestmark = [pytest.mark.prefect_server, pytest.mark.slow]

AUTH = f"greenmfg:{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[PrefectServer]:
    """One server for the module (a cold start takes ~8–20 s); the last test stops it, teardown again."""
    started = start_prefect_server(state_dir, port=free_ports(1)[0], basic_auth=AUTH, ui=False)
    try:
        yield started
    finally:
        started.stop()


def status_of(url: str, *, auth: str | None = None, body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_listens_on_loopback_with_health_open_and_api_behind_basic_auth(server: PrefectServer) -> None:
    assert server.api_url.startswith("http://127.0.0.1:")
    assert status_of(f"{server.api_url}/health") == 200
    filter_url = f"{server.api_url}/flows/filter"
    assert status_of(filter_url, body=b"{}") == 401
    assert status_of(filter_url, body=b"{}", auth="greenmfg:wrong") == 401
    assert status_of(filter_url, body=b"{}", auth=AUTH) == 200


def test_env_gives_a_client_what_it_needs(server: PrefectServer) -> None:
    assert server.env() == {"PREFECT_API_URL": server.api_url, "PREFECT_API_AUTH_STRING": AUTH}


def test_cli_with_env_reaches_the_server_and_without_auth_is_refused(
    server: PrefectServer, tmp_path: Path
) -> None:
    prefect = str(Path(server.process.args[0]))
    base = {**os.environ, "PREFECT_HOME": str(tmp_path / "client-home")}
    base.pop("PREFECT_API_AUTH_STRING", None)
    ok = subprocess.run(
        [prefect, "work-pool", "ls"], env={**base, **server.env()}, capture_output=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr.decode()[-500:]
    no_auth = {**base, "PREFECT_API_URL": server.api_url}
    refused = subprocess.run([prefect, "work-pool", "ls"], env=no_auth, capture_output=True, timeout=120)
    assert refused.returncode != 0
    assert b"401" in refused.stdout + refused.stderr


def test_home_database_and_log_stay_under_the_state_dir(server: PrefectServer, state_dir: Path) -> None:
    assert server.home == state_dir.resolve() / "prefect-home"
    assert (server.home / "prefect.db").is_file()
    assert server.log_path.is_relative_to(state_dir.resolve())
    log_text = server.log_path.read_text(errors="replace")
    assert server.api_url.removesuffix("/api") in log_text
    assert AUTH.split(":")[1] not in log_text


def test_basic_auth_must_be_user_and_password(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="user:password"):
        start_prefect_server(tmp_path, basic_auth="no-colon")
    assert not (tmp_path / "prefect-home").exists()


def test_stop_ends_the_process_by_pid(server: PrefectServer) -> None:
    """Runs last in this module: the server is gone afterwards (teardown's second stop is a no-op)."""
    pid = server.pid
    server.stop()
    assert not server.is_running()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not _port_answers(server)


def _port_answers(server: PrefectServer) -> bool:
    try:
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False
