"""A warm engine per work pool: each flow run's engine is forked from a process that imported Prefect already.

Every flow run of a `process` pool starts in a new process (infra/prefect.yaml), and starting Python and
importing Prefect, the engine and the flow's module took 1.4–2.5 s of each run on 2 cores. This server pays
that once: it imports them, listens on a unix socket (mode 0600, in the stack's state folder), and for each
`infra.engine_client` that connects it forks a child that adopts the client's environment, working directory,
arguments and stdio, then runs `prefect.engine` as `python -m prefect.engine` would. The client relays SIGTERM
and SIGINT; the child's exit status goes back to it. A client that disappears (SIGKILL) takes its child along.

    python -m infra.engine_server --socket PATH [--pool POOL] [--module MODULE ...]

With --pool, the modules of that pool's flows (the entrypoints of its deployments in infra/prefect.yaml) are
imported too, and so is each --module. Forking is safe only from a single-threaded process, so the server
starts no thread, keeps OpenBLAS and Arrow's jemalloc from starting theirs when numpy and pyarrow load (a
warm-started run therefore has single-threaded BLAS and no jemalloc background purging), and checks before
every fork that it still has one thread; if not, it declines and the client starts the engine itself.

What the child re-reads from the run's environment: Prefect's settings (API URL, logging) and greenmfg's.
Values a module computed when it was imported (for example a task's default retries) come from the server's
environment, which is the pool's own, the same the worker gives its runs.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import random
import runpy
import selectors
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from infra.engine_client import (
    ENGINE_MODULE,
    RELAYED_SIGNALS,
    STDIO,
    connect,
    read_messages,
    send_message,
    socket_directory,
)

PREFECT_FILE = Path(__file__).with_name("prefect.yaml")
# What `python -m prefect.engine` imports before the flow's own module (measured with -X importtime).
ENGINE_IMPORTS = (
    "prefect",
    "prefect.engine",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.deployments.steps",
    "prefect.flows",
)
# Set before the imports: these libraries would otherwise start threads as they load.
NO_LIBRARY_THREADS = {"OPENBLAS_NUM_THREADS": "1", "JE_ARROW_MALLOC_CONF": "background_thread:false"}
REQUEST_SECONDS = 10.0  # a client sends its request at once; one that stalls is dropped
STOP_SECONDS = 10.0  # on SIGTERM, children get this long to end before SIGKILL
_CHUNK = 65536
_SERVER_SIGNALS = (signal.SIGCHLD, *RELAYED_SIGNALS)  # what the server handles itself


@dataclass
class Request:
    """What a forked child becomes: an engine with the client's arguments, folder, environment and stdio."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    fds: list[int]


@dataclass
class _Child:
    connection: socket.socket
    buffer: bytes = b""
    client_gone: bool = False


@dataclass
class _Server:
    path: Path
    preloaded: list[str]
    children: dict[int, _Child] = field(default_factory=dict)
    selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    stop_requested: bool = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", type=Path, required=True, help="the unix socket to listen on")
    parser.add_argument(
        "--pool", help="also import the flows of this pool's deployments (infra/prefect.yaml)"
    )
    parser.add_argument("--module", action="append", default=[], help="also import this module (repeatable)")
    args = parser.parse_args(argv)
    preloaded = warm_up([*(pool_flow_modules(args.pool) if args.pool else []), *args.module])
    request = serve(args.socket.resolve(), preloaded)
    if request is None:
        return 0
    become_engine(request)
    return 0


def pool_flow_modules(pool: str) -> list[str]:
    """The modules of the flows the pool's deployments run (from their entrypoints in infra/prefect.yaml)."""
    import yaml

    declaration = yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8"))
    found = [
        d["entrypoint"].split(":")[0] for d in declaration["deployments"] if d["work_pool"]["name"] == pool
    ]
    if not found:
        raise SystemExit(f"engine_server: no deployment of {PREFECT_FILE} runs on pool {pool!r}")
    return sorted(set(found))


def warm_up(modules: list[str]) -> list[str]:
    """Import the engine and `modules` once, here, instead of in every flow run."""
    os.environ.update(NO_LIBRARY_THREADS)
    for name in (*ENGINE_IMPORTS, *modules):
        importlib.import_module(name)
    return list(modules)


def ping(path: Path, timeout: float = 2.0) -> dict | None:
    """The server's status (pid, threads, whether it forks, flow modules imported); None if none answers."""
    try:
        with connect(path, timeout) as connection:
            connection.settimeout(timeout)
            send_message(connection, {"ping": True})
            return next(read_messages(connection), None)
    except (OSError, ValueError):
        return None


def thread_count() -> int:
    """Threads of this process as the kernel sees them (native ones included, which `threading` misses)."""
    return len(os.listdir("/proc/self/task"))


def serve(path: Path, preloaded: list[str]) -> Request | None:
    """Answer clients until SIGTERM or SIGINT (then returns None), or return a client's request in the child
    forked for it."""
    server = _Server(path, preloaded)
    wakeup_read, wakeup_write = socket.socketpair()
    wakeup_read.setblocking(False)
    wakeup_write.setblocking(False)
    signal.set_wakeup_fd(wakeup_write.fileno())
    for signum in _SERVER_SIGNALS:
        signal.signal(signum, lambda number, _frame: _note_signal(server, number))
    with _listening(path) as listener, wakeup_read, wakeup_write:
        server.selector.register(listener, selectors.EVENT_READ, "listener")
        server.selector.register(wakeup_read, selectors.EVENT_READ, "wakeup")
        print(f"engine_server: ready on {path}, {len(preloaded)} flow module(s) imported", flush=True)
        deadline = None
        while not (server.stop_requested and not server.children):
            if server.stop_requested and deadline is None:
                server.selector.unregister(listener)
                deadline = time.monotonic() + STOP_SECONDS
                _signal_children(server, signal.SIGTERM)
            if deadline is not None and time.monotonic() > deadline:
                _signal_children(server, signal.SIGKILL)
            for key, _ in server.selector.select(timeout=0.5):
                if key.data == "listener":
                    request = _accept(server, listener)
                    if request is not None:
                        return request  # in the forked child
                elif key.data == "wakeup":
                    wakeup_read.recv(_CHUNK)
                else:
                    _from_client(server, key.data)
            _reap(server)
    return None


def _note_signal(server: _Server, signum: int) -> None:
    if signum in RELAYED_SIGNALS:
        server.stop_requested = True


@contextmanager
def _listening(path: Path) -> Iterator[socket.socket]:
    """A unix socket only this user can connect to (created 0600, in a folder the stack keeps 0700)."""
    owner = os.getpid()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)  # mkdir leaves an existing folder's mode as it was
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous_umask = os.umask(0o177)
    try:
        with socket_directory(path) as name:
            if os.path.exists(name):
                os.unlink(name)  # left by a server that was killed
            listener.bind(name)
    finally:
        os.umask(previous_umask)
    listener.listen(16)
    try:
        yield listener
    finally:
        listener.close()
        if os.getpid() == owner:  # a forked child leaves the server's socket alone
            with socket_directory(path) as name, suppress(FileNotFoundError):
                os.unlink(name)


def _accept(server: _Server, listener: socket.socket) -> Request | None:
    """Read one client's request and fork its engine; returns the request in the child, None in the server."""
    try:
        connection, _ = listener.accept()
    except OSError:
        return None
    fds: list[int] = []
    try:
        connection.settimeout(REQUEST_SECONDS)
        message, fds, rest = _read_request(connection)
        if "ping" in message:
            send_message(connection, _status(server))
            connection.close()
            return None
        if thread_count() != 1:
            raise _Declined(f"the server has {thread_count()} threads; forking it is unsafe")
        if len(fds) != len(STDIO):
            raise _Declined(f"expected {len(STDIO)} file descriptors (stdin, stdout, stderr), got {len(fds)}")
        request = Request(list(message["argv"]), str(message["cwd"]), dict(message["env"]), fds)
    except (OSError, ValueError, KeyError, TypeError, _Declined) as exc:
        _decline(connection, fds, exc)
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    # Held back across the fork: a signal the client relays at once must reach the child's own handlers,
    # not the server's, which the child inherits until _leave_server replaces them.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _SERVER_SIGNALS)
    server_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        _leave_server(server, listener, connection, server_pid)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return request
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    for fd in fds:
        os.close(fd)
    connection.settimeout(None)
    server.children[pid] = _Child(connection, rest)
    server.selector.register(connection, selectors.EVENT_READ, pid)
    try:
        send_message(connection, {"pid": pid})
    except OSError:
        server.children[pid].client_gone = True
        _kill(pid, signal.SIGKILL)
    _handle_lines(server, pid)
    return None


class _Declined(Exception):
    """The server will not fork for this request (the client then starts the engine itself)."""


def _read_request(connection: socket.socket) -> tuple[dict, list[int], bytes]:
    data, fds, _, _ = socket.recv_fds(connection, _CHUNK, len(STDIO))
    while b"\n" not in data:
        chunk = connection.recv(_CHUNK)
        if not chunk:
            for fd in fds:
                os.close(fd)
            raise _Declined("the request ended early")
        data += chunk
    line, rest = data.split(b"\n", 1)
    return json.loads(line), list(fds), rest


def _decline(connection: socket.socket, fds: list[int], reason: Exception) -> None:
    for fd in fds:
        os.close(fd)
    with suppress(OSError):
        send_message(connection, {"error": str(reason)})
    connection.close()


def _status(server: _Server) -> dict:
    """The answer to a ping: whether it forks, and what it imported (for `stack status` and tests)."""
    threads = thread_count()
    return {"pid": os.getpid(), "threads": threads, "serving": threads == 1, "preloaded": server.preloaded}


def _leave_server(
    server: _Server, listener: socket.socket, connection: socket.socket, server_pid: int
) -> None:
    """In the forked child: drop every socket of the server and its signal handling."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _die_with_server(server_pid)
    for child in server.children.values():
        child.connection.close()
    server.selector.close()
    listener.close()
    connection.close()


def _die_with_server(server_pid: int) -> None:
    """SIGTERM to this child if the server dies first (Linux's PR_SET_PDEATHSIG), so no engine is orphaned."""
    import ctypes

    pr_set_pdeathsig = 1
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != server_pid:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _from_client(server: _Server, pid: int) -> None:
    child = server.children.get(pid)
    if child is None:
        return
    try:
        chunk = child.connection.recv(_CHUNK)
    except OSError:
        chunk = b""
    if not chunk:  # the client is gone (killed): its engine goes too, as it would have with it
        server.selector.unregister(child.connection)
        child.client_gone = True
        _kill(pid, signal.SIGKILL)
        return
    child.buffer += chunk
    _handle_lines(server, pid)


def _handle_lines(server: _Server, pid: int) -> None:
    """Relay the signals the client passed on (only those it may relay)."""
    child = server.children[pid]
    while b"\n" in child.buffer:
        line, child.buffer = child.buffer.split(b"\n", 1)
        try:
            signum = int(json.loads(line).get("signal"))
        except (ValueError, TypeError, AttributeError):
            continue
        if signum in RELAYED_SIGNALS:
            _kill(pid, signum)


def _reap(server: _Server) -> None:
    """Collect ended children and tell each one's client its exit status."""
    while server.children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        child = server.children.pop(pid, None)
        if child is None:
            continue
        if not child.client_gone:
            server.selector.unregister(child.connection)
            with suppress(OSError):
                send_message(child.connection, {"exit": os.waitstatus_to_exitcode(status)})
        child.connection.close()


def _signal_children(server: _Server, signum: int) -> None:
    for pid in server.children:
        _kill(pid, signum)


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError as exc:
        if exc.errno != errno.ESRCH:
            raise


def become_engine(request: Request) -> None:
    """In the forked child: take on the client's stdio, folder and environment, then run the engine module as
    `python -m prefect.engine ARGS` does (its exit status ends this process)."""
    for target, fd in zip(STDIO, request.fds, strict=True):
        os.dup2(fd, target)
    for fd in request.fds:
        if fd not in STDIO:
            os.close(fd)
    os.chdir(request.cwd)
    sys.path[0] = request.cwd  # `python -m` puts the working folder first
    os.environ.clear()
    os.environ.update(request.env)
    random.seed()  # not the server's sequence, nor a sibling's
    _reread_settings()
    sys.argv = [ENGINE_MODULE, *request.argv]
    sys.modules.pop(ENGINE_MODULE, None)  # run as __main__, as `-m` does, not as the module imported
    runpy.run_module(ENGINE_MODULE, run_name="__main__", alter_sys=True)


def _reread_settings() -> None:
    """Settings read when the server imported Prefect and greenmfg, read again from the run's environment."""
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging(incremental=False)
    greenmfg_settings = sys.modules.get("greenmfg.settings")
    if greenmfg_settings is not None:
        greenmfg_settings.get_settings.cache_clear()


if __name__ == "__main__":
    sys.exit(main())
