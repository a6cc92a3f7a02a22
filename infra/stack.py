"""The whole local stack — SeaweedFS, Prefect server, two process workers, two task workers, the bridge —
started and stopped as one, on loopback, with every log, database and data folder under one state directory.

Layout of the state directory (default `<project>/.greenmfg/stack`, or $GREENMFG_STATE_DIR):
  stack.json               PIDs, ports, URLs, pools and the stack's secrets (0600; printed only by
                           `greenmfg stack env`). Ports and secrets are chosen by the first `up` and kept,
                           so exported settings stay valid across restarts.
  seaweedfs/               weed's data, logs, identities and notification.toml (webhook → bridge)
  prefect/                 the server's PREFECT_HOME, SQLite database and log
  prefect-client-home/     PREFECT_HOME of the workers, the bridge and the deploy step
  logs/                    worker-*.log, task-worker-*.log, bridge.log, deploy.log

Role mapping: each work pool has its own worker, whose environment carries one SeaweedFS identity, and the
flows it runs inherit it (GREENMFG_* from `SeaweedFS.env_for`, the keys themselves from the role's Prefect
Secret block, tasks/credentials.py):
  greenmfg-ingest  → ingester  (landing, raw, staging read-write): ingest-filing, sweep-landing
  greenmfg-publish → publisher (raw read, staging and published read-write): publish-indicators
The event path's work runs in two warm task workers (infra/task_worker.py), one per role with the same
identities. So no flow run holds the admin key, and a consumer's read-only identity stays for readers of
snapshots.

`down` signals exactly the PIDs recorded by `up`, each after checking that the process is still the one
started (same start time), then any process left in the process group `up` created for it (a worker's
flow runs). It stops in STOP_ORDER: first what brings work in, last what the others report to.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from greenmfg.commands.stack import ROLES
from greenmfg.errors import GreenmfgError
from greenmfg.publish import commits
from greenmfg.publish.commits import CommitEntry
from greenmfg.publish.reader import load_manifest
from greenmfg.settings import AREAS, pipeline_environment
from greenmfg.storage import ObjectStore, Stores
from greenmfg.storage.s3 import S3Store
from infra import seaweedfs as seaweedfs_infra
from infra.automations import NOTIFY_URL_ENV
from infra.bridge import HEALTH_PATH, WEBHOOK_PATH, start_bridge, write_notification_toml
from infra.engine_client import SOCKET_ENV as ENGINE_SOCKET_ENV
from infra.engine_server import ping as ping_engine_server
from infra.ports import LOOPBACK, answers, free_ports, is_port_free
from infra.prefect_server import start_prefect_server
from infra.task_worker import ROLES as TASK_WORKER_ROLES
from tasks.credentials import CREDENTIAL_VARIABLES, CREDENTIALS_BLOCK_ENV, credentials_block_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
STATE_DIR_ENV = "GREENMFG_STATE_DIR"
DEFAULT_STATE_DIR = PROJECT_DIR / ".greenmfg" / "stack"
STATE_FILE = "stack.json"
POLL_SECONDS = "1"  # worker and runner polling: the default 10 s dominates landing-to-published latency
# Pool → the SeaweedFS role its worker (and every flow run it starts) uses.
POOL_ROLES: dict[str, str] = {"greenmfg-ingest": "ingester", "greenmfg-publish": "publisher"}
COMPONENTS: tuple[str, ...] = (
    "seaweedfs",
    "prefect-server",
    *(f"engine-server:{pool}" for pool in POOL_ROLES),
    *(f"worker:{pool}" for pool in POOL_ROLES),
    *(f"task-worker:{role}" for role in TASK_WORKER_ROLES),
    "bridge",
)
# `down` stops one stage after the other, the components of a stage at once: nothing new comes in (the
# bridge), nothing new starts (the process workers, then the engine servers that forked their runs, then
# the task workers those runs deferred to), then the server every client has flushed its events to, then
# the store.
STOP_ORDER: tuple[tuple[str, ...], ...] = (
    ("bridge",),
    tuple(f"worker:{pool}" for pool in POOL_ROLES),
    tuple(f"engine-server:{pool}" for pool in POOL_ROLES),
    tuple(f"task-worker:{role}" for role in TASK_WORKER_ROLES),
    ("prefect-server",),
    ("seaweedfs",),
)
# Components listening on a port of their own, chosen once per state directory (SeaweedFS keeps its own).
PORT_NAMES: tuple[str, ...] = ("prefect-server", "bridge", *(f"task-worker:{r}" for r in TASK_WORKER_ROLES))
_STOP_SECONDS = 10.0
_WORKER_SECOND_SIGNAL_SECONDS = 1.0  # a process worker ends on the second SIGINT
_WORKER_READY_SECONDS = 90.0
_TASK_WORKER_READY_SECONDS = 120.0  # imports and Great Expectations' context come first
_ENGINE_SERVER_READY_SECONDS = 90.0  # imports of Prefect and a pool's flows
# Caller variables a stack process must not inherit: they would point it at other storage or servers.
_FOREIGN_PREFIXES = ("GREENMFG_", "PREFECT_", "AWS_")


class StackError(GreenmfgError):
    """The stack could not be started, is already running, or a component misbehaved (the log says why)."""


@dataclass(frozen=True)
class ComponentStatus:
    """One line of `stack status`: a component's process, health and URL (never a secret)."""

    name: str
    pid: int | None
    running: bool
    healthy: bool
    url: str
    detail: str = ""


def state_dir_from_env() -> Path:
    """$GREENMFG_STATE_DIR when set (two stacks side by side), else the project's `.greenmfg/stack`."""
    given = os.environ.get(STATE_DIR_ENV)
    return Path(given).resolve() if given else DEFAULT_STATE_DIR


def load_state(state_dir: Path) -> dict | None:
    """The recorded stack (PIDs, URLs, secrets), or None if `up` never ran there."""
    path = Path(state_dir) / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else None


def prefect_env(state: dict) -> dict[str, str]:
    """Variables a Prefect client needs for this stack's server (the API URL and its basic auth)."""
    return {
        "PREFECT_API_URL": state["urls"]["prefect_api"],
        "PREFECT_API_AUTH_STRING": state["secrets"]["prefect_auth"],
    }


def up(
    state_dir: Path | None = None,
    *,
    log: Callable[[str], None] = lambda _: None,
    notify_url: str | None = None,
) -> dict:
    """Start every component, apply the deployments, wait until the workers are online; returns the state.

    The first `up` of a state directory chooses its ports and secrets; later ones reuse them. `notify_url`
    is the webhook the automations post to (kept for later starts; see infra/automations.py). On any
    failure the components already started are stopped again, so nothing is left half up.
    """
    state_dir = Path(state_dir or state_dir_from_env()).resolve()
    previous = load_state(state_dir)
    if previous is not None and any(_alive(c) for c in previous["components"].values()):
        raise StackError(f"a stack is already running from {state_dir}; run `greenmfg stack down` first")
    for sub in ("logs", "prefect-client-home"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    previous = previous or {}
    ports = stack_ports(previous.get("ports"))
    kept_secrets = previous.get("secrets") or {}
    state = {
        "state_dir": str(state_dir),
        "project_dir": str(PROJECT_DIR),
        "ports": ports,
        "secrets": {
            "prefect_auth": kept_secrets.get("prefect_auth") or f"greenmfg:{secrets.token_urlsafe(24)}",
            "bridge_secret": kept_secrets.get("bridge_secret") or secrets.token_urlsafe(32),
        },
        "urls": {"bridge": f"http://{LOOPBACK}:{ports['bridge']}{WEBHOOK_PATH}"},
        "components": {},
    }
    notify_url = notify_url or kept_secrets.get("notify_url")
    if notify_url:
        state["secrets"]["notify_url"] = notify_url
    _save(state_dir, state)
    try:
        _start_all(state_dir, state, log)
    except BaseException:
        down(state_dir)
        raise
    return state


def stack_ports(recorded: dict[str, int] | None) -> dict[str, int]:
    """The recorded port of each component (all must be free again), or new free ones the first time."""
    if recorded:
        busy = [f"{name} {port}" for name, port in sorted(recorded.items()) if not is_port_free(port)]
        if busy:
            raise StackError(
                f"ports of this stack are taken by another process: {', '.join(busy)}; free them, or use "
                "another state directory (GREENMFG_STATE_DIR)"
            )
        return dict(recorded)
    return dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))


def _start_all(state_dir: Path, state: dict, log: Callable[[str], None]) -> None:
    ports = state["ports"]
    weed_dir = state_dir / "seaweedfs"
    write_notification_toml(
        weed_dir / "notification.toml",
        state["urls"]["bridge"],
        bearer_token=state["secrets"]["bridge_secret"],
        landing_bucket=seaweedfs_infra.BUCKETS["landing"],
    )
    log("starting SeaweedFS")
    weed = seaweedfs_infra.start(weed_dir, detach=True)
    state["urls"]["s3"] = weed.endpoint
    _record(state_dir, state, "seaweedfs", weed.pid, url=weed.endpoint, health=f"{weed.endpoint}/healthz")

    log("starting the Prefect server (SQLite)")
    server = start_prefect_server(
        state_dir / "prefect", port=ports["prefect-server"], basic_auth=state["secrets"]["prefect_auth"]
    )
    state["urls"]["prefect_api"] = server.api_url
    state["urls"]["prefect_ui"] = server.ui_url
    _record(
        state_dir, state, "prefect-server", server.pid, url=server.ui_url, health=f"{server.api_url}/health"
    )

    log("applying the deployments of infra/prefect.yaml, the credential blocks and the automations")
    client_env = _client_env(state_dir, state)
    deploy_env = dict(client_env)
    if state["secrets"].get("notify_url"):
        deploy_env[NOTIFY_URL_ENV] = state["secrets"]["notify_url"]
    _run_logged(
        [sys.executable, "-m", "infra.deploy", "--seaweedfs-state", str(weed_dir)],
        deploy_env,
        state_dir / "logs" / "deploy.log",
    )

    for pool, role in POOL_ROLES.items():
        log(f"starting a warm engine server and a worker for {pool} as {role}")
        pool_env = {**client_env, **_role_storage_env(weed, role)}
        socket_path = engine_socket(state_dir, pool)
        pid = _start_engine_server(state_dir, pool, socket_path, pool_env)
        _record(state_dir, state, f"engine-server:{pool}", pid, url=str(socket_path), socket=str(socket_path))
        pid = _start_worker(state_dir, pool, {**pool_env, ENGINE_SOCKET_ENV: str(socket_path)})
        _record(state_dir, state, f"worker:{pool}", pid, url=pool, worker_name=_worker_name(pool))

    for role in TASK_WORKER_ROLES:
        port = ports[f"task-worker:{role}"]
        log(f"starting a task worker as {role}")
        pid = _start_task_worker(state_dir, role, port, {**client_env, **_role_storage_env(weed, role)})
        status_url = f"http://{LOOPBACK}:{port}/status"
        _record(state_dir, state, f"task-worker:{role}", pid, url=status_url, health=status_url)

    log("starting the bridge")
    bridge = start_bridge(
        state_dir,
        port=ports["bridge"],
        landing_bucket=seaweedfs_infra.BUCKETS["landing"],
        secret=state["secrets"]["bridge_secret"],
        prefect_env=prefect_env(state),
    )
    _record(
        state_dir,
        state,
        "bridge",
        bridge.pid,
        url=bridge.url,
        health=f"http://{LOOPBACK}:{ports['bridge']}{HEALTH_PATH}",
    )

    log("waiting for the workers to come online")
    _wait_engine_servers_ready(state)
    _wait_workers_online(state)
    _wait_task_workers_ready(state)


def status(state_dir: Path | None = None) -> list[ComponentStatus]:
    """Each recorded component: is its process the one started, and does it answer its health check."""
    state_dir = Path(state_dir or state_dir_from_env()).resolve()
    state = load_state(state_dir)
    if state is None:
        return [ComponentStatus(name, None, False, False, "", "never started") for name in COMPONENTS]
    found = []
    for name in COMPONENTS:
        component = state["components"].get(name)
        if component is None:
            found.append(ComponentStatus(name, None, False, False, "", "not started"))
            continue
        running = _alive(component)
        healthy, detail = _health(state, component) if running else (False, "stopped")
        found.append(ComponentStatus(name, component["pid"], running, healthy, component["url"], detail))
    return found


def down(state_dir: Path | None = None) -> list[str]:
    """Stop the recorded processes stage by stage (STOP_ORDER); returns the names of those that ran."""
    state_dir = Path(state_dir or state_dir_from_env()).resolve()
    state = load_state(state_dir)
    if state is None:
        return []
    stopped = []
    for stage in STOP_ORDER:
        recorded = {name: state["components"][name] for name in stage if name in state["components"]}
        stopped += _stop_together(recorded)
    weed = seaweedfs_infra.load(state_dir / "seaweedfs")
    if weed is not None:
        weed.stop()  # clears weed's own record of its PID and its sockets
    for component in state["components"].values():
        component["stopped"] = True
    _save(state_dir, state)
    return stopped


def role_env(state_dir: Path, role: str) -> dict[str, str]:
    """The settings a person or a tool needs to act as `role` on this stack (secrets included: print them
    only to the terminal that asked, never to a log).

    ingester, publisher: the S3 settings of the role and the Prefect API (so a publication holds the slot);
    consumer: the published area only, read-only; operator: the Prefect API, its login and the UI.
    """
    if role not in ROLES:
        raise StackError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    state = load_state(Path(state_dir))
    weed = seaweedfs_infra.load(Path(state_dir) / "seaweedfs")
    if state is None or weed is None or "prefect_api" not in state["urls"]:
        raise StackError(f"no stack was ever started in {state_dir}; run `greenmfg stack up` first")
    if role == "operator":
        return {
            **prefect_env(state),
            "GREENMFG_PREFECT_UI_URL": state["urls"]["prefect_ui"],
            STATE_DIR_ENV: str(Path(state_dir).resolve()),
        }
    storage = weed.env_for(role)
    if role == "consumer":
        unused = {f"GREENMFG_{area.upper()}_URL" for area in AREAS if area != "published"}
        return {name: value for name, value in storage.items() if name not in unused}
    return {**storage, **prefect_env(state)}


def _role_storage_env(weed: seaweedfs_infra.SeaweedFS, role: str) -> dict[str, str]:
    """A long-running process's storage settings: where the areas are, and the name of the Secret block
    holding the role's keys (written by infra/deploy.py), instead of the keys themselves."""
    env = {name: value for name, value in weed.env_for(role).items() if name not in CREDENTIAL_VARIABLES}
    env[CREDENTIALS_BLOCK_ENV] = credentials_block_name(role)
    return env


def recorded_pids(state_dir: Path) -> list[int]:
    """Every PID `up` recorded, for callers that check nothing is left running after `down`."""
    state = load_state(state_dir) or {"components": {}}
    return [component["pid"] for component in state["components"].values()]


def is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie is not)."""
    return _proc_stat(pid) is not None


# ---------------------------------------------------------------- processes


def _client_env(state_dir: Path, state: dict) -> dict[str, str]:
    """Environment of the deploy step and the workers (and so of every flow run they start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_PREFIXES)}
    env.update(pipeline_environment(os.environ))  # the operator's city, policy, spellings and limits
    env.update(prefect_env(state))
    env.update(
        PREFECT_HOME=str(state_dir / "prefect-client-home"),
        PREFECT_WORKER_QUERY_SECONDS=POLL_SECONDS,
        PREFECT_RUNNER_POLL_FREQUENCY=POLL_SECONDS,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        GREENMFG_PROJECT_DIR=str(PROJECT_DIR),  # where the pull step of infra/prefect.yaml runs flows from
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]),
        GX_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    return env


def _run_logged(command: list[str], env: dict[str, str], log_path: Path, timeout: float = 300.0) -> None:
    with open(log_path, "ab") as log_file:
        done = subprocess.run(
            command, env=env, cwd=PROJECT_DIR, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, timeout=timeout,
        )  # fmt: skip
    if done.returncode != 0:
        raise StackError(f"{' '.join(command[1:])} failed with exit code {done.returncode}; see {log_path}")


def _worker_name(pool: str) -> str:
    return f"{pool}-worker"


def _start_worker(state_dir: Path, pool: str, env: dict[str, str]) -> int:
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect) if prefect.exists() else "prefect", "worker", "start", "--pool", pool]
    command += ["--type", "process", "--name", _worker_name(pool)]
    return _spawn_logged(command, env, state_dir / "logs" / f"worker-{pool}.log")


def engine_socket(state_dir: Path, pool: str) -> Path:
    """Where the pool's warm engine server listens (infra/engine_server.py); its runs find it by
    GREENMFG_ENGINE_SOCKET."""
    return state_dir / "engines" / f"{pool}.sock"


def _start_engine_server(state_dir: Path, pool: str, socket_path: Path, env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "infra.engine_server", "--socket", str(socket_path), "--pool", pool]
    return _spawn_logged(command, env, state_dir / "logs" / f"engine-server-{pool}.log")


def _start_task_worker(state_dir: Path, role: str, port: int, env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "infra.task_worker", role, "--status-port", str(port)]
    return _spawn_logged(command, env, state_dir / "logs" / f"task-worker-{role}.log")


def _spawn_logged(command: list[str], env: dict[str, str], log_path: Path) -> int:
    """Start a long-running component in a session of its own, its output appended to `log_path`."""
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT_DIR, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return process.pid


def _record(state_dir: Path, state: dict, name: str, pid: int | None, **fields: str) -> None:
    """Write a component to the state file as soon as it runs, so `down` finds it even if `up` fails later."""
    if pid is None:
        raise StackError(f"{name} did not start")
    stat = _proc_stat(pid)
    state["components"][name] = {"pid": pid, "start_time": stat[1] if stat else None, **fields}
    _save(state_dir, state)


def _save(state_dir: Path, state: dict) -> None:
    path = state_dir / STATE_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2, sort_keys=True)


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) of a live process, None if gone or a zombie (reaped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        with contextlib.suppress(ChildProcessError):  # our own child (`up` called in-process): reap it
            os.waitpid(pid, os.WNOHANG)
        return None
    return fields[0], int(fields[19])


def _alive(component: dict) -> bool:
    """The recorded process still runs and is the same one (a reused PID has another start time)."""
    if component.get("stopped"):
        return False
    stat = _proc_stat(component["pid"])
    return stat is not None and stat[1] == component.get("start_time")


def _first_signals(name: str) -> tuple[int, ...]:
    """A process worker ignores the first SIGTERM and ends on a second SIGINT; the others end on SIGTERM."""
    return (signal.SIGINT, signal.SIGINT) if name.startswith("worker:") else (signal.SIGTERM,)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _wait_all_gone(components: Iterable[dict], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(c) for c in components):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stop_together(components: dict[str, dict]) -> list[str]:
    """Stop these components at once, then whatever they had started and left behind; returns the names of
    those that were running. SIGKILL only for one still running after its signals and _STOP_SECONDS.

    A worker starts each flow run in a session of its own, so its children are found by parentage (taken
    before the stop), and the rest of the component's own session by process group.
    """
    running = {name: c for name, c in components.items() if _alive(c)}
    children = [child for c in running.values() for child in descendants(c["pid"])]
    rounds = max((len(_first_signals(name)) for name in running), default=0)
    for number in range(rounds):
        for name, component in running.items():
            signals = _first_signals(name)
            if number < len(signals) and _alive(component):
                _signal(component["pid"], signals[number])
        last = number == rounds - 1
        if _wait_all_gone(running.values(), _STOP_SECONDS if last else _WORKER_SECOND_SIGNAL_SECONDS):
            break
    for component in running.values():
        if _alive(component):
            _signal(component["pid"], signal.SIGKILL)
    _wait_all_gone(running.values(), 5.0)
    leftovers = [(pid, start) for pid, start in children if _start_time(pid) == start]
    for component in components.values():
        leftovers += [
            (pid, _start_time(pid)) for pid in group_members(component["pid"]) if pid != os.getpid()
        ]
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid, start in leftovers:
            if start is not None and _start_time(pid) == start:
                _signal(pid, signum)
        deadline = time.monotonic() + 5.0
        while any(_start_time(pid) == start for pid, start in leftovers) and time.monotonic() < deadline:
            time.sleep(0.05)
    return list(running)


def _process_table() -> dict[int, tuple[int, int, int]]:
    """pid → (parent pid, process group, start time) of every live process (zombies left out)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if fields[0] not in ("Z", "X"):
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[19]))
    return table


def descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live process below `pid`: children, their children, and so on."""
    table = _process_table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _, start) in table.items():
            if ppid == parent:
                found.append((child, start))
                frontier.append(child)
    return found


def group_members(pgid: int) -> list[int]:
    """Live processes of the process group `pgid` (a component's session: the leader and its children)."""
    return [pid for pid, (_, group, _) in _process_table().items() if group == pgid]


def _start_time(pid: int) -> int | None:
    stat = _proc_stat(pid)
    return stat[1] if stat else None


# ---------------------------------------------------------------- health


def _health(state: dict, component: dict) -> tuple[bool, str]:
    if "worker_name" in component:
        return _worker_online(state, component["url"], component["worker_name"])
    if "socket" in component:
        return _engine_server_serving(Path(component["socket"]))
    return (True, "ok") if answers(component["health"]) else (False, "no answer on its health URL")


def api_get(state: dict, path: str, timeout: float = 10.0) -> object:
    """GET from the stack's Prefect REST API with its basic auth; returns the decoded JSON reply."""
    return _api(state, urllib.request.Request(state["urls"]["prefect_api"] + path), timeout)


def api_post(state: dict, path: str, body: dict, timeout: float = 10.0) -> object:
    """POST to the stack's Prefect REST API with its basic auth; returns the decoded JSON reply."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(state["urls"]["prefect_api"] + path, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    return _api(state, request, timeout)


_API_ATTEMPTS = 5  # a busy SQLite-backed server answers 503 while its database is locked


def _api(state: dict, request: urllib.request.Request, timeout: float) -> object:
    token = base64.b64encode(state["secrets"]["prefect_auth"].encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    for attempt in range(1, _API_ATTEMPTS):
        try:
            return _call(request, timeout)
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
            time.sleep(attempt)
    return _call(request, timeout)


def _call(request: urllib.request.Request, timeout: float) -> object:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = response.read()
    return json.loads(payload) if payload else None


def _worker_online(state: dict, pool: str, worker_name: str) -> tuple[bool, str]:
    try:
        workers = api_post(state, f"/work_pools/{pool}/workers/filter", {})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"Prefect API unreachable ({type(exc).__name__})"
    statuses = {worker["name"]: worker.get("status") for worker in workers or []}
    online = statuses.get(worker_name) == "ONLINE"
    return online, f"{worker_name} {statuses.get(worker_name, 'not registered')}".lower()


def _wait_workers_online(state: dict, timeout: float = _WORKER_READY_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    for name, component in state["components"].items():
        if "worker_name" not in component:
            continue
        while not _worker_online(state, component["url"], component["worker_name"])[0]:
            if not _alive(component) or time.monotonic() > deadline:
                log_path = Path(state["state_dir"]) / "logs" / f"worker-{component['url']}.log"
                raise StackError(f"{name} did not come online; see {log_path}")
            time.sleep(0.5)


def _engine_server_serving(socket_path: Path) -> tuple[bool, str]:
    answer = ping_engine_server(socket_path)
    if answer is None:
        return False, "no answer on its socket"
    if not answer["serving"]:
        return False, f"{answer['threads']} threads: runs start cold (see its log)"
    return True, f"warm, {len(answer['preloaded'])} flow modules"


def _wait_engine_servers_ready(state: dict) -> None:
    """Each engine server answers on its socket once it has imported Prefect and its pool's flows."""
    _wait_answering(
        state,
        "engine-server:",
        lambda c: ping_engine_server(Path(c["socket"])) is not None,
        _ENGINE_SERVER_READY_SECONDS,
    )


def _wait_task_workers_ready(state: dict) -> None:
    """Each task worker answers on its status URL once it has warmed up and subscribed."""
    _wait_answering(state, "task-worker:", lambda c: answers(c["health"]), _TASK_WORKER_READY_SECONDS)


def _wait_answering(state: dict, prefix: str, answering: Callable[[dict], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for name, component in state["components"].items():
        if not name.startswith(prefix):
            continue
        while not answering(component):
            if not _alive(component) or time.monotonic() > deadline:
                log_path = Path(state["state_dir"]) / "logs" / f"{name.replace(':', '-')}.log"
                raise StackError(f"{name} did not come up; see {log_path}")
            time.sleep(0.2)


# ---------------------------------------------------------------- clients of a running stack


def stores_for(state_dir: Path, role: str) -> Stores:
    """The four storage areas of the stack's SeaweedFS as `role` sees them (consumer: read-only published)."""
    weed = seaweedfs_infra.load(Path(state_dir) / "seaweedfs")
    if weed is None:
        raise StackError(f"no SeaweedFS was ever started in {state_dir}")
    settings = weed.settings_for(role)
    return Stores(**{area: S3Store.from_url(settings.area_url(area), settings) for area in AREAS})


def wait_until_published(published: ObjectStore, sha256: str, timeout: float = 120.0) -> CommitEntry:
    """The first commit whose snapshot lists the filing `sha256` among its sources, polled for `timeout` s."""
    deadline = time.monotonic() + timeout
    seen: int | None = None
    while time.monotonic() < deadline:
        head = commits.latest(published)
        if head is not None and head.sequence != seen:
            seen = head.sequence
            if any(source["sha256"] == sha256 for source in load_manifest(published, head)["sources"]):
                return head
        time.sleep(0.2)
    raise StackError(f"{published.uri()}: no snapshot lists filing {sha256[:12]} after {timeout:.0f} s")


def stop_component(state_dir: Path, name: str) -> bool:
    """Stop one recorded component by PID (for example the bridge, to rehearse lost events)."""
    state = load_state(Path(state_dir))
    component = (state or {"components": {}})["components"].get(name)
    if component is None or not _stop_together({name: component}):
        return False
    component["stopped"] = True
    _save(Path(state_dir), state)
    return True
