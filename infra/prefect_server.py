"""A local Prefect server on loopback, with its home, SQLite database and log under one state folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from infra.ports import LOOPBACK, answers, free_ports
from infra.processes import terminate

HEALTH_TIMEOUT_SECONDS = 120.0  # ~8 s alone on a fresh database; 70 s seen on a loaded 2-core box
STOP_TIMEOUT_SECONDS = 15.0
_POLL_SECONDS = 0.25

# Variables of the caller that must not leak into the server: it would talk to another server or cloud.
_CLIENT_ONLY_VARIABLES = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_API_AUTH_STRING", "PREFECT_PROFILE")


class PrefectServerError(RuntimeError):
    """The server did not become healthy in time, or exited while starting (the log path says why)."""


@dataclass
class PrefectServer:
    """A running `prefect server start`, owned by this process: stop it by PID with `stop()`."""

    api_url: str
    home: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    auth_string: str | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")

    def env(self) -> dict[str, str]:
        """Variables a client (CLI, flow, worker, bridge) needs to talk to this server."""
        variables = {"PREFECT_API_URL": self.api_url}
        if self.auth_string is not None:
            variables["PREFECT_API_AUTH_STRING"] = self.auth_string
        return variables

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds; returns the exit code."""
        return terminate(self.process, timeout)


def start_prefect_server(
    state_dir: Path,
    *,
    port: int | None = None,
    basic_auth: str | None = None,
    ui: bool = True,
    timeout: float = HEALTH_TIMEOUT_SECONDS,
) -> PrefectServer:
    """Start a server on 127.0.0.1 (a free port unless given) and wait until /api/health answers.

    PREFECT_HOME, the SQLite database and the log file all live under `state_dir`, so two stacks can run
    side by side and `~/.prefect` is never touched. `basic_auth` ("user:password") turns on the server's
    own HTTP basic authentication (PREFECT_SERVER_API_AUTH_STRING); clients then need `env()`'s
    PREFECT_API_AUTH_STRING. The health endpoint stays open without credentials, by Prefect's design.
    """
    if basic_auth is not None and ":" not in basic_auth:
        raise ValueError("basic_auth must have the form 'user:password'")
    state_dir = Path(state_dir).resolve()
    home = state_dir / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "logs" / "prefect-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = port if port is not None else free_ports(1)[0]
    api_url = f"http://{LOOPBACK}:{port}/api"

    command = [_prefect_executable(), "server", "start", "--host", LOOPBACK, "--port", str(port)]
    command += ["--analytics-off", "--ui" if ui else "--no-ui"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            env=_server_env(home, basic_auth, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=state_dir,
            start_new_session=True,  # a Ctrl-C in the caller's terminal does not reach it; stop() does
        )
    server = PrefectServer(api_url, home, log_path, process, basic_auth)
    try:
        _wait_healthy(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _prefect_executable() -> str:
    """The `prefect` script of this interpreter's environment, so the venv need not be on PATH."""
    candidate = Path(sys.executable).with_name("prefect")
    return str(candidate) if candidate.exists() else "prefect"


def _server_env(home: Path, basic_auth: str | None, port: int) -> dict[str, str]:
    """The server's environment: its own home and database, and its own address for the UI.

    The UI asks `/ui-settings` where the API is; the server answers from PREFECT_SERVER_API_HOST and
    PREFECT_SERVER_API_PORT (`--port` alone leaves it at the default 4200, and the UI cannot connect).
    The V1 UI is the default: the V2 UI fetches a configuration from an analytics host at every load
    (seen in Prefect 3.9.1), and the stack sends nothing off the machine. V2 stays at `/v2`.
    """
    env = {k: v for k, v in os.environ.items() if k not in _CLIENT_ONLY_VARIABLES}
    env.pop("PREFECT_SERVER_API_AUTH_STRING", None)
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_API_HOST=LOOPBACK,
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_UI_V2_ENABLED="false",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    if basic_auth is not None:
        env["PREFECT_SERVER_API_AUTH_STRING"] = basic_auth
    return env


def _wait_healthy(server: PrefectServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    health_url = f"{server.api_url}/health"
    while time.monotonic() < deadline:
        if not server.is_running():
            raise PrefectServerError(
                f"prefect server exited with code {server.process.returncode} while starting; "
                f"see {server.log_path}"
            )
        if answers(health_url):
            return
        time.sleep(_POLL_SECONDS)
    raise PrefectServerError(
        f"prefect server at {server.api_url} not healthy after {timeout:.0f} s; see {server.log_path}"
    )
