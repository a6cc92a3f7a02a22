"""A flow run's command: the pool's warm engine server forks its engine, or it starts here if none answers.

Prefect's process worker runs a deployment's `command` in a new process for every flow run
(infra/prefect.yaml). Started as `python -m prefect.engine`, that process pays a Python start and
`import prefect` (1.4–2.5 s on 2 cores) before the flow begins. This client imports only the standard
library: it hands its environment, working directory, arguments and stdio to the server named by
GREENMFG_ENGINE_SOCKET (infra/engine_server.py), which forks a process that has imported Prefect and the
pool's flows already; it waits for that process's exit status and exits with it. SIGTERM and SIGINT (a
cancellation, `stack down`) are passed on to the forked engine; if this client is killed, the server kills
the engine.

When no server is named, none answers, or it declines, the client says so on stderr and execs
`python -m prefect.engine` itself, so a pool without a warm server still runs its flows.

    python -m infra.engine_client [FLOW_RUN_ID]
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

SOCKET_ENV = "GREENMFG_ENGINE_SOCKET"
ENGINE_MODULE = "prefect.engine"
RELAYED_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STDIO = (0, 1, 2)
CONNECT_SECONDS = 2.0
_CHUNK = 65536


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return engine_here(args, f"{SOCKET_ENV} is not set")
    try:
        connection = connect(Path(path))
    except OSError as exc:
        return engine_here(args, f"no warm engine server answers at {path} ({exc.strerror or exc})")
    with connection:
        relay = _Relay(connection)
        try:
            send_message(connection, {"argv": args, "cwd": os.getcwd(), "env": dict(os.environ)}, fds=STDIO)
            messages = read_messages(connection)
            first = next(messages, {"error": "it closed the connection"})
        except (OSError, ValueError) as exc:
            first = {"error": f"it failed ({exc})"}
        if "pid" not in first:
            relay.stop()
            return engine_here(args, f"the warm engine server at {path} declined: {first['error']}")
        relay.start()
        try:
            for message in messages:
                if "exit" in message:
                    return _exit_like(message["exit"])
        except (OSError, ValueError):
            pass
    print(
        f"engine_client: the warm engine server at {path} closed the connection before the run ended",
        file=sys.stderr,
        flush=True,
    )
    return 1


def engine_here(args: list[str], reason: str) -> int:
    """Become `python -m prefect.engine ARGS` (exec: same PID, so the worker's signals reach the engine)."""
    print(f"engine_client: {reason}; starting the engine in this process", file=sys.stderr, flush=True)
    for signum in RELAYED_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    os.execv(sys.executable, [sys.executable, "-m", ENGINE_MODULE, *args])
    return 1  # not reached


class _Relay:
    """Pass SIGTERM and SIGINT on to the forked engine; those that arrive before it exists wait for it."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._pending: list[int] = []
        self._ready = False
        for signum in RELAYED_SIGNALS:
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self._ready:
            self._send(signum)
        else:
            self._pending.append(signum)

    def start(self) -> None:
        self._ready = True
        for signum in self._pending:
            self._send(signum)

    def stop(self) -> None:
        """No engine was forked: restore the default handlers, and die of a signal that came meanwhile."""
        for signum in RELAYED_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        if self._pending:
            _exit_like(-self._pending[0])

    def _send(self, signum: int) -> None:
        with contextlib.suppress(OSError):  # the server is gone: it killed the engine on its way out
            send_message(self._connection, {"signal": signum})


def _exit_like(code: int) -> int:
    """The engine's exit status as ours; killed by a signal, die of the same signal (as the engine did)."""
    if code >= 0:
        return code
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
    return 128 - code


# ------------------------------------------------------------ protocol, shared with infra/engine_server.py


@contextlib.contextmanager
def socket_directory(path: Path) -> Iterator[str]:
    """The socket's name, valid while the working directory is its folder: an AF_UNIX address holds at most
    107 bytes, and a stack's state folder may be deeper than that."""
    here = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.chdir(path.parent)
        yield path.name
    finally:
        os.fchdir(here)
        os.close(here)


def connect(path: Path, timeout: float = CONNECT_SECONDS) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        with socket_directory(path) as name:
            sock.connect(name)
        sock.settimeout(None)
    except BaseException:
        sock.close()
        raise
    return sock


def send_message(sock: socket.socket, message: dict, fds: Iterable[int] = ()) -> None:
    """One JSON object on one line; file descriptors travel with its first bytes (SCM_RIGHTS)."""
    data = json.dumps(message).encode() + b"\n"
    fds = list(fds)
    sent = socket.send_fds(sock, [data], fds) if fds else 0
    sock.sendall(data[sent:])


def read_messages(sock: socket.socket, buffer: bytes = b"") -> Iterator[dict]:
    """The JSON objects that arrive, one per line, until the other side closes."""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)
        chunk = sock.recv(_CHUNK)
        if not chunk:
            return
        buffer += chunk


if __name__ == "__main__":
    sys.exit(main())
