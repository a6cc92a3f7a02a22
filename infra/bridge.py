"""Turns SeaweedFS filer webhook posts about landed objects into Prefect events (local stack only).

One code path from a landed key to an event: `handle_landed_key(key, sink)`. Here the SeaweedFS filer
webhook calls it through a small loopback HTTP server; on AWS a consumer of S3 event notifications calls
the same function (see `write_notification_toml`).

The filer posts one JSON object per change (measured with SeaweedFS 4.48):
  {"event_type": "create" | "update" | "delete" | "rename",
   "key": "/buckets/<bucket>/<object key>",
   "message": {"new_entry": {"name": …, "is_directory": true?, "attributes": {"file_size": …}, …},
               "old_entry": {…}  (update, delete), "new_parent_path": …, …}}
with the header `Authorization: Bearer <bearer_token from notification.toml>`. Directories (every folder
of a key, in no fixed order relative to the file) and multipart parts under `.uploads/` are posted too.

Events go through `prefect.events.emit_event`, which queues them and sends them in the background: an
event lost while the Prefect server is down is not retried here; the sweep-landing flow catches it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from greenmfg import alerts
from greenmfg.errors import RejectedLandingKeyError
from greenmfg.landing import is_ignorable, parse_landing_key
from infra.ports import LOOPBACK, answers
from infra.processes import terminate

LANDED_EVENT = "greenmfg.filing.landed"
REJECTED_EVENT = alerts.REJECTED_EVENT
RESOURCE_PREFIX = "greenmfg.landing."
KEY_LABEL = "greenmfg.landing.key"
FILING_TYPE_LABEL = "greenmfg.filing.type"
WEBHOOK_PATH = "/seaweedfs/filer"
HEALTH_PATH = "/healthz"
SECRET_ENV = "GREENMFG_BRIDGE_SECRET"
DEFAULT_MAX_BODY_BYTES = 256 * 1024  # a file event is ~1–2 kB; a very fragmented file lists many chunks
MIN_SECRET_CHARS = 16
HANDLED_EVENT_TYPES = frozenset({"create", "update"})

log = logging.getLogger("greenmfg.bridge")

EventSink = Callable[[str, dict[str, str], dict[str, Any]], None]
"""Receives (event name, resource, payload); raises if the event could not be handed on."""


class BridgeError(RuntimeError):
    """The bridge cannot start (missing secret or Prefect API URL) or could not hand an event on."""


def prefect_sink(event: str, resource: dict[str, str], payload: dict[str, Any]) -> None:
    """Emit through Prefect's events client (PREFECT_API_URL and, if set, PREFECT_API_AUTH_STRING)."""
    from prefect.events import emit_event

    if emit_event(event=event, resource=resource, payload=payload) is None:
        raise BridgeError(f"Prefect did not accept event {event}: is PREFECT_API_URL set?")


def handle_landed_key(key: str, sink: EventSink, *, bucket: str = "") -> str | None:
    """Emit `landed` or `rejected` for one object key of the landing area; None when it is ignorable.

    `key` is relative to the landing area and already decoded (on AWS: `unquote_plus` of the S3 event's
    `object.key`). A landed event's resource id is RESOURCE_PREFIX + key (match `greenmfg.landing.*`);
    the bare key is in the KEY_LABEL label for a trigger to pass on as the flow's parameter. A rejected
    event's id is a digest instead, with the key and the reason for the flow that archives it.
    """
    if is_ignorable(key):
        return None
    try:
        landing = parse_landing_key(key)
    except RejectedLandingKeyError as exc:
        # The id of a refused key is its digest: a hostile key never becomes an indexed identifier.
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        resource = {"prefect.resource.id": f"{RESOURCE_PREFIX}rejected.{digest}", KEY_LABEL: key}
        sink(REJECTED_EVENT, resource, {"bucket": bucket, "reason": exc.problem, "message": str(exc)})
        return REJECTED_EVENT
    resource = {
        "prefect.resource.id": f"{RESOURCE_PREFIX}{landing.key}",
        KEY_LABEL: landing.key,
        FILING_TYPE_LABEL: landing.filing_type,
    }
    sink(LANDED_EVENT, resource, {"bucket": bucket, "name": landing.name})
    return LANDED_EVENT


def landing_key_from_webhook(body: object, landing_bucket: str, landing_prefix: str = "") -> str | None:
    """The landing-area key a filer notification is about, or None when it is not a new or changed file there.

    Raises ValueError when the body is not a filer notification at all.
    """
    if not isinstance(body, dict) or not isinstance(body.get("key"), str):
        raise ValueError("not a SeaweedFS filer notification: expected a JSON object with a string 'key'")
    message = body.get("message")
    entry = message.get("new_entry") if isinstance(message, dict) else None
    if body.get("event_type") not in HANDLED_EVENT_TYPES or not isinstance(entry, dict):
        return None
    if entry.get("is_directory"):
        return None
    prefix = _filer_prefix(landing_bucket, landing_prefix)
    path: str = body["key"]
    return path[len(prefix) :] if path.startswith(prefix) else None


class BridgeServer(ThreadingHTTPServer):
    """Loopback HTTP server holding the bridge's configuration for its request handlers."""

    daemon_threads = True

    def __init__(
        self,
        port: int,
        *,
        secret: str,
        landing_bucket: str,
        sink: EventSink,
        landing_prefix: str = "",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ):
        if len(secret) < MIN_SECRET_CHARS:
            raise BridgeError(f"the bridge secret must have at least {MIN_SECRET_CHARS} characters")
        self.expected_authorization = f"Bearer {secret}".encode()
        self.landing_bucket = landing_bucket
        self.landing_prefix = landing_prefix
        self.sink = sink
        self.max_body_bytes = max_body_bytes
        super().__init__((LOOPBACK, port), _WebhookHandler)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}{WEBHOOK_PATH}"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: BridgeServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == HEALTH_PATH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != WEBHOOK_PATH:
            return self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"}, close=True)
        if not self._authorized():
            return self._reply(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"}, close=True)
        body = self._read_body()
        if body is None:
            return None
        try:
            key = landing_key_from_webhook(
                json.loads(body), self.server.landing_bucket, self.server.landing_prefix
            )
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            return self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)[:200]})
        if key is None:
            return self._reply(HTTPStatus.OK, {"outcome": "ignored"})
        try:
            event = handle_landed_key(key, self.server.sink, bucket=self.server.landing_bucket)
        except Exception:
            log.exception("could not emit the event for landing key %r", key)
            # 503 makes the filer retry (max_retries in notification.toml).
            return self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "event not emitted"})
        outcome = "ignored" if event is None else event.rsplit(".", 1)[-1]
        log.info("landing key %r: %s", key, outcome)
        return self._reply(HTTPStatus.OK, {"outcome": outcome})

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self.server.expected_authorization)

    def _read_body(self) -> bytes | None:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._reply(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"}, close=True)
            return None
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError(length)
        except ValueError:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "invalid Content-Length"}, close=True)
            return None
        if length > self.server.max_body_bytes:
            limit = self.server.max_body_bytes
            self._reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {limit} bytes"}, close=True
            )
            return None
        return self.rfile.read(length)

    def _reply(self, status: HTTPStatus, document: dict[str, str], *, close: bool = False) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_header("WWW-Authenticate", 'Bearer realm="greenmfg-bridge"')
        if close:  # the unread body would otherwise be taken for the next request
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        # Request line and status only: headers (the bearer token) are never logged.
        log.debug("%s %s", self.address_string(), format % args)


def write_notification_toml(
    path: Path,
    endpoint_url: str,
    *,
    bearer_token: str,
    landing_bucket: str,
    landing_prefix: str = "",
    event_types: tuple[str, ...] = ("create", "update"),
    max_retries: int = 3,
) -> Path:
    """Write the filer's notification.toml (in weed's working directory) posting to the bridge.

    Only the landing bucket's files are posted (path_prefixes), only creations and updates, to a loopback
    endpoint with the shared secret as a bearer token; the file is private (0600) since it holds the secret.

    On AWS the same event comes from S3 instead: an event notification on the landing bucket for
    `s3:ObjectCreated:*` goes to SQS directly or through EventBridge, and a small consumer (a Lambda or a
    polling process) calls `handle_landed_key(unquote_plus(record["s3"]["object"]["key"]), prefect_sink)`
    for each record: the same validation and the same Prefect events, so one code path serves both.
    """
    host = urlsplit(endpoint_url).hostname
    if host not in (LOOPBACK, "localhost", "::1"):
        raise ValueError(f"the webhook endpoint must be on loopback, got host {host!r}")
    lines = [
        "# Written by infra/bridge.py: filer events of the landing bucket → the greenmfg bridge.",
        "[notification.webhook]",
        "enabled = true",
        f"endpoint = {json.dumps(endpoint_url)}",
        f"bearer_token = {json.dumps(bearer_token)}",
        f"event_types = {json.dumps(list(event_types))}",
        f"path_prefixes = {json.dumps([_filer_prefix(landing_bucket, landing_prefix)])}",
        "timeout_seconds = 10",
        f"max_retries = {max_retries}",
        "backoff_seconds = 1",
        "",
    ]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return path


def _filer_prefix(landing_bucket: str, landing_prefix: str) -> str:
    """Filer path under which the landing area's objects live (SeaweedFS keeps buckets in /buckets)."""
    prefix = landing_prefix.strip("/")
    return f"/buckets/{landing_bucket}/" + (f"{prefix}/" if prefix else "")


@dataclass
class BridgeProcess:
    """A `python -m infra.bridge` child started by `start_bridge`: stop it by PID with `stop()`."""

    url: str
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (the bridge then flushes queued events), SIGKILL after `timeout`; returns the exit code."""
        return terminate(self.process, timeout)


def start_bridge(
    state_dir: Path,
    *,
    port: int,
    landing_bucket: str,
    secret: str,
    prefect_env: Mapping[str, str],
    landing_prefix: str = "",
    timeout: float = 30.0,
) -> BridgeProcess:
    """Run the bridge as a child process emitting to the server of `prefect_env` (PrefectServer.env()).

    The secret reaches the child through its environment only; the log goes to state_dir/logs/bridge.log.
    """
    log_path = Path(state_dir) / "logs" / "bridge.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(Path(state_dir) / "prefect-client-home"), **prefect_env}
    env[SECRET_ENV] = secret
    command = [sys.executable, "-m", "infra.bridge", "--port", str(port), "--secret-env", SECRET_ENV]
    command += ["--landing-bucket", landing_bucket, "--landing-prefix", landing_prefix]
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
            start_new_session=True,
        )
    bridge = BridgeProcess(f"http://{LOOPBACK}:{port}{WEBHOOK_PATH}", log_path, process)
    deadline = time.monotonic() + timeout
    while not answers(f"http://{LOOPBACK}:{port}{HEALTH_PATH}"):
        if not bridge.is_running() or time.monotonic() > deadline:
            bridge.stop()
            raise BridgeError(f"the bridge did not start on port {port}; see {log_path}")
        time.sleep(0.1)
    return bridge


def main(argv: list[str] | None = None) -> int:
    """`python -m infra.bridge`: serve until SIGTERM or SIGINT, then flush queued events."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    secret = os.environ.get(args.secret_env)
    if not secret:
        print(f"bridge: environment variable {args.secret_env} is not set", file=sys.stderr)
        return 2
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        print("bridge: PREFECT_API_URL is not set: the bridge emits to a running server", file=sys.stderr)
        return 2
    try:
        server = BridgeServer(
            args.port,
            secret=secret,
            landing_bucket=args.landing_bucket,
            landing_prefix=args.landing_prefix,
            sink=prefect_sink,
            max_body_bytes=args.max_body_bytes,
        )
    except (BridgeError, OSError) as exc:
        print(f"bridge: {exc}", file=sys.stderr)
        return 2
    _serve_until_signalled(server)
    return 0


def _serve_until_signalled(server: BridgeServer) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="bridge-http", daemon=True)
    thread.start()
    log.info("bridge listening on %s for bucket %s", server.url, server.landing_bucket)
    stop.wait()
    server.shutdown()
    server.server_close()
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=10)
    log.info("bridge stopped")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.bridge", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="loopback port (0: any free port)")
    parser.add_argument(
        "--secret-env",
        default="GREENMFG_BRIDGE_SECRET",
        help="environment variable holding the shared secret",
    )
    parser.add_argument("--landing-bucket", required=True)
    parser.add_argument("--landing-prefix", default="", help="folder of the landing area inside the bucket")
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
