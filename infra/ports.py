"""Free loopback TCP ports for local services, so parallel runs never collide on fixed numbers; health probes.

Ports are drawn below the kernel's ephemeral range: a port from inside it can be taken, between choosing and
binding, by any outgoing connection on the machine (the services' own ones included, as they start up).
"""

from __future__ import annotations

import random
import socket
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

LOOPBACK = "127.0.0.1"
_LOWEST = 10_000
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """`count` distinct ports free on `host` right now, outside the ephemeral range.

    All probe sockets stay open until every port is chosen, so one call never returns a port twice.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    candidates = random.sample(range(_LOWEST, _ephemeral_start()), k=min(2000, _ephemeral_start() - _LOWEST))
    ports: list[int] = []
    with ExitStack() as stack:
        for port in candidates:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if not _bind(sock, host, port):
                sock.close()
                continue
            stack.enter_context(sock)
            ports.append(port)
            if len(ports) == count:
                return ports
    raise OSError(f"found only {len(ports)} of {count} free ports on {host} below the ephemeral range")


def free_port_with_offset(offset: int, exclude: set[int] = frozenset(), host: str = LOOPBACK) -> int:
    """A free port `p` such that `p + offset` is free too (for servers that derive a gRPC port that way)."""
    for _ in range(100):
        (port,) = free_ports(1, host)
        pair = {port, port + offset}
        if port + offset < _ephemeral_start() and not pair & exclude and is_port_free(port + offset, host):
            return port
    raise OSError(f"no free port pair {offset} apart on {host} after 100 tries")


def is_port_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether `port` can be bound on `host` right now (used before a restart on recorded ports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return _bind(sock, host, port)


def _bind(sock: socket.socket, host: str, port: int) -> bool:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no conflict
    try:
        sock.bind((host, port))
    except OSError:
        return False
    return True


def _ephemeral_start() -> int:
    try:
        low = int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    return max(low, _LOWEST + 1000)


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a local service answers 200 on `url` (its health or status URL) right now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
