"""A loopback HTTP receiver for the notifications the stack's automations send (a stand-in for a chat or
mail webhook): it records every JSON body posted to it, for tests to wait on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(ThreadingHTTPServer):
    """Serves on 127.0.0.1 (a free port) in a daemon thread; `messages` holds each posted JSON body."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, name="notification-receiver", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/notify"

    def record(self, message: dict) -> None:
        with self._lock:
            self.messages.append(message)

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        """The first message `predicate` accepts within `timeout` s; else AssertionError naming what came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found[0]
            time.sleep(0.2)
        with self._lock:
            subjects = [m.get("subject") for m in self.messages]
        raise AssertionError(f"no matching notification within {timeout:.0f} s; received: {subjects}")

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self.server.record(json.loads(body))
        except ValueError:
            self.server.record({"unparsed": body.decode("utf-8", "replace")})
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass
