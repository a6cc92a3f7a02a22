"""The webhook bridge: with a list sink, then against a real Prefect server, then from a real SeaweedFS."""

from __future__ import annotations

import http.client
import json
import secrets
import stat
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from infra import seaweedfs as seaweedfs_infra
from infra.bridge import (
    FILING_TYPE_LABEL,
    HEALTH_PATH,
    KEY_LABEL,
    LANDED_EVENT,
    REJECTED_EVENT,
    RESOURCE_PREFIX,
    WEBHOOK_PATH,
    BridgeError,
    BridgeProcess,
    BridgeServer,
    handle_landed_key,
    main,
    start_bridge,
    write_notification_toml,
)
from infra.ports import free_ports
from infra.prefect_server import PrefectServer, start_prefect_server

BUCKET = seaweedfs_infra.BUCKETS["landing"]
SECRET = secrets.token_urlsafe(24)
EVENT_WAIT_SECONDS = 60.0


def filer_event(path: str, *, event_type: str = "create", is_directory: bool = False) -> dict[str, Any]:
    """A filer notification shaped like those SeaweedFS 4.48 posts (captured, then trimmed)."""
    parent, _, name = path.rpartition("/")
    entry: dict[str, Any] = {"name": name, "attributes": {"file_size": 8, "mime": "text/csv"}}
    if is_directory:
        entry["is_directory"] = True
    message: dict[str, Any] = {"signatures": [586694843]}
    if event_type == "delete":
        message["old_entry"] = entry
    else:
        message |= {"new_entry": entry, "new_parent_path": parent, "delete_chunks": True}
    return {"event_type": event_type, "key": path, "message": message}


def post(url: str, body: bytes, *, token: str | None = SECRET, path: str = WEBHOOK_PATH) -> tuple[int, dict]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def post_event(url: str, event: dict[str, Any], **kwargs: Any) -> tuple[int, dict]:
    return post(url, json.dumps(event).encode(), **kwargs)


# --- with a list sink -------------------------------------------------------------------------------


class ListSink:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.fail = False

    def __call__(self, event: str, resource: dict[str, str], payload: dict[str, Any]) -> None:
        if self.fail:
            raise ConnectionError("event store unreachable")
        self.events.append((event, resource, payload))


@pytest.fixture(scope="module")
def list_bridge() -> Iterator[tuple[BridgeServer, ListSink]]:
    """One in-process bridge for the list-sink tests (a shutdown waits for the serve loop's poll)."""
    sink = ListSink()
    server = BridgeServer(0, secret=SECRET, landing_bucket=BUCKET, sink=sink, max_body_bytes=4096)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, sink
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sink(list_bridge: tuple[BridgeServer, ListSink]) -> ListSink:
    sink = list_bridge[1]
    sink.events.clear()
    sink.fail = False
    return sink


@pytest.fixture
def bridge_url(list_bridge: tuple[BridgeServer, ListSink], sink: ListSink) -> str:
    return list_bridge[0].url


def test_landed_file_emits_one_landed_event(bridge_url: str, sink: ListSink) -> None:
    status, reply = post_event(bridge_url, filer_event(f"/buckets/{BUCKET}/enterprise_stats/2020.csv"))
    assert (status, reply) == (200, {"outcome": "landed"})
    assert len(sink.events) == 1
    event, resource, payload = sink.events[0]
    assert event == LANDED_EVENT
    assert resource == {
        "prefect.resource.id": f"{RESOURCE_PREFIX}enterprise_stats/2020.csv",
        KEY_LABEL: "enterprise_stats/2020.csv",
        FILING_TYPE_LABEL: "enterprise_stats",
    }
    assert payload["bucket"] == BUCKET


def test_update_of_a_file_is_a_landing_too(bridge_url: str, sink: ListSink) -> None:
    post_event(bridge_url, filer_event(f"/buckets/{BUCKET}/green_loans/2021/q1.xlsx", event_type="update"))
    assert [(e, r[KEY_LABEL]) for e, r, _ in sink.events] == [(LANDED_EVENT, "green_loans/2021/q1.xlsx")]


@pytest.mark.parametrize(
    "token",
    [None, "", "wrong-secret-of-some-length", SECRET + "x", SECRET[:-1]],
    ids=["missing", "empty", "wrong", "longer", "shorter"],
)
def test_bad_or_missing_secret_is_refused(bridge_url: str, sink: ListSink, token: str | None) -> None:
    status, reply = post_event(
        bridge_url, filer_event(f"/buckets/{BUCKET}/enterprise_stats/a.csv"), token=token
    )
    assert status == 401
    assert SECRET not in json.dumps(reply)
    assert sink.events == []


@pytest.mark.parametrize(
    "event",
    [
        filer_event(f"/buckets/{BUCKET}/enterprise_stats", is_directory=True),
        filer_event(f"/buckets/{BUCKET}", is_directory=True),
        filer_event(f"/buckets/{BUCKET}/enterprise_stats/a.csv", event_type="delete"),
        filer_event(f"/buckets/{BUCKET}/enterprise_stats/a.csv", event_type="rename"),
        filer_event("/buckets/greenmfg-raw/enterprise_stats/a.csv"),
        filer_event(f"/buckets/{BUCKET}-old/enterprise_stats/a.csv"),  # same name prefix, other bucket
        filer_event("/etc/enterprise_stats/a.csv"),
        filer_event(f"/buckets/{BUCKET}/.uploads/f2aa66_8b08/0001_0fd3dd32.part"),  # multipart part
        filer_event(f"/buckets/{BUCKET}/enterprise_stats/~$2020.xlsx"),
    ],
    ids=[
        "directory",
        "bucket",
        "delete",
        "rename",
        "other-bucket",
        "bucket-name-prefix",
        "not-a-bucket",
        "multipart-part",
        "excel-owner-file",
    ],
)
def test_not_a_new_landing_file_is_ignored(bridge_url: str, sink: ListSink, event: dict) -> None:
    assert post_event(bridge_url, event) == (200, {"outcome": "ignored"})
    assert sink.events == []


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("enterprise_stats/../../greenmfg-raw/x.csv", "path traversal segment"),
        ("unknown_type/x.csv", "unknown filing type"),
        ("enterprise_stats/x\r\n.csv", "control or invisible character"),
        ("enterprise_stats/x.exe", "unsupported file type"),
    ],
)
def test_unsafe_key_emits_a_rejected_event_with_the_reason(
    bridge_url: str, sink: ListSink, key: str, reason: str
) -> None:
    assert post_event(bridge_url, filer_event(f"/buckets/{BUCKET}/{key}")) == (200, {"outcome": "rejected"})
    [(event, resource, payload)] = sink.events
    assert event == REJECTED_EVENT
    assert resource[KEY_LABEL] == key
    assert resource["prefect.resource.id"].startswith(f"{RESOURCE_PREFIX}rejected.")
    assert key not in resource["prefect.resource.id"]
    assert payload["reason"] == reason


def test_body_over_the_limit_is_refused_unread(bridge_url: str, sink: ListSink) -> None:
    event = filer_event(f"/buckets/{BUCKET}/enterprise_stats/a.csv")
    event["message"]["padding"] = "x" * 5000
    status, _ = post_event(bridge_url, event)
    assert status == 413
    assert sink.events == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"event_type": "create"}', b"\xff\xfe"])
def test_malformed_body_is_a_bad_request(bridge_url: str, sink: ListSink, body: bytes) -> None:
    assert post(bridge_url, body)[0] == 400
    assert sink.events == []


def test_sink_failure_asks_the_filer_to_retry(bridge_url: str, sink: ListSink) -> None:
    sink.fail = True
    status, _ = post_event(bridge_url, filer_event(f"/buckets/{BUCKET}/enterprise_stats/a.csv"))
    assert status == 503


def test_unknown_path_is_not_found_and_health_is_open(bridge_url: str) -> None:
    assert post_event(bridge_url, filer_event(f"/buckets/{BUCKET}/x/a.csv"), path="/other")[0] == 404
    host, port = bridge_url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", HEALTH_PATH)
    assert connection.getresponse().status == 200
    connection.close()


def test_landing_prefix_inside_the_bucket() -> None:
    sink = ListSink()
    server = BridgeServer(0, secret=SECRET, landing_bucket="shared", landing_prefix="/landing/", sink=sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        post_event(server.url, filer_event("/buckets/shared/landing/incentives/a.csv"))
        post_event(server.url, filer_event("/buckets/shared/raw/incentives/a.csv"))
    finally:
        server.shutdown()
        server.server_close()
    assert [r[KEY_LABEL] for _, r, _ in sink.events] == ["incentives/a.csv"]


def test_short_secret_is_refused() -> None:
    with pytest.raises(BridgeError, match="at least"):
        BridgeServer(0, secret="short", landing_bucket=BUCKET, sink=ListSink())


def test_handle_landed_key_is_the_same_path_without_http() -> None:
    sink = ListSink()
    assert handle_landed_key("incentives/2020.csv", sink, bucket=BUCKET) == LANDED_EVENT
    assert handle_landed_key(".uploads/x/0001.part", sink) is None
    assert handle_landed_key("/incentives/2020.csv", sink) == REJECTED_EVENT
    assert [e for e, _, _ in sink.events] == [LANDED_EVENT, REJECTED_EVENT]


def test_notification_toml_targets_the_landing_bucket_privately(tmp_path: Path) -> None:
    path = write_notification_toml(
        tmp_path / "weed" / "notification.toml",
        "http://127.0.0.1:9/x",
        bearer_token='se"cr\\et',
        landing_bucket=BUCKET,
    )
    webhook = tomllib.loads(path.read_text())["notification"]["webhook"]
    assert webhook["enabled"] is True
    assert webhook["endpoint"] == "http://127.0.0.1:9/x"
    assert webhook["bearer_token"] == 'se"cr\\et'
    assert webhook["path_prefixes"] == [f"/buckets/{BUCKET}/"]
    assert webhook["event_types"] == ["create", "update"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="loopback"):
        write_notification_toml(
            tmp_path / "n.toml", "http://10.0.0.5:9/x", bearer_token="t", landing_bucket=BUCKET
        )


@pytest.mark.parametrize(
    ("env", "message"),
    [({}, "GREENMFG_BRIDGE_SECRET is not set"), ({"GREENMFG_BRIDGE_SECRET": SECRET}, "PREFECT_API_URL")],
    ids=["no-secret", "no-prefect-api"],
)
def test_cli_refuses_to_start_without_its_secret_or_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], message: str
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("GREENMFG_BRIDGE_SECRET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with temporary_settings(updates={PREFECT_API_URL: None}):
        assert main(["--port", "0", "--landing-bucket", BUCKET]) == 2
    assert message in capsys.readouterr().err


# --- against a real Prefect server (and a real SeaweedFS) -----------------------------------------------


@pytest.fixture(scope="module")
def prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One server for this module, with basic auth on, so the bridge must send PREFECT_API_AUTH_STRING."""
    server = start_prefect_server(
        tmp_path_factory.mktemp("prefect"), basic_auth=f"greenmfg:{uuid.uuid4().hex}", ui=False
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def bridge(prefect: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BridgeProcess]:
    process = start_bridge(
        tmp_path_factory.mktemp("bridge"),
        port=free_ports(1)[0],
        landing_bucket=BUCKET,
        secret=SECRET,
        prefect_env=prefect.env(),
    )
    try:
        yield process
    finally:
        process.stop()


def wait_for_events(server: PrefectServer, name: str, key: str) -> list[Any]:
    """Events `name` whose landing-key label is `key`, polling the server until one is stored."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    wanted = EventFilter(event=EventNameFilter(name=[name]))
    settings = {PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: server.auth_string}
    deadline = time.monotonic() + EVENT_WAIT_SECONDS
    with temporary_settings(updates=settings), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            found = [
                e
                for e in client.read_events(filter=wanted, limit=50).events
                if e.resource.get(KEY_LABEL) == key
            ]
            if found:
                return found
            time.sleep(0.5)
    pytest.fail(f"no {name} event for {key!r} on the server within {EVENT_WAIT_SECONDS:.0f} s")


@pytest.mark.prefect_server
@pytest.mark.slow
def test_webhook_post_becomes_events_on_the_server(prefect: PrefectServer, bridge: BridgeProcess) -> None:
    key = f"green_register/{uuid.uuid4().hex}.xlsx"
    bad_key = f"green_register/../{uuid.uuid4().hex}.xlsx"
    assert post_event(bridge.url, filer_event(f"/buckets/{BUCKET}/{key}")) == (200, {"outcome": "landed"})
    assert post_event(bridge.url, filer_event(f"/buckets/{BUCKET}/{bad_key}")) == (
        200,
        {"outcome": "rejected"},
    )

    [landed] = wait_for_events(prefect, LANDED_EVENT, key)
    assert landed.resource.id == f"{RESOURCE_PREFIX}{key}"
    assert landed.resource[FILING_TYPE_LABEL] == "green_register"
    [rejected] = wait_for_events(prefect, REJECTED_EVENT, bad_key)
    assert rejected.payload["reason"] == "path traversal segment"
    log_text = bridge.log_path.read_text(errors="replace")
    assert f"landing key {key!r}: landed" in log_text
    assert SECRET not in log_text
    assert prefect.auth_string is not None and prefect.auth_string.split(":")[1] not in log_text


@pytest.fixture(scope="module")
def weed_with_webhook(bridge: BridgeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A SeaweedFS of this module whose filer posts landing-bucket changes to the bridge."""
    state_dir = tmp_path_factory.mktemp("weed")
    write_notification_toml(
        state_dir / "notification.toml", bridge.url, bearer_token=SECRET, landing_bucket=BUCKET
    )
    server = seaweedfs_infra.start(state_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.prefect_server
@pytest.mark.s3
@pytest.mark.slow
def test_upload_to_seaweedfs_reaches_prefect_as_events(
    prefect: PrefectServer, weed_with_webhook: Any
) -> None:
    creds = weed_with_webhook.credentials["ingester"]
    s3 = boto3.client(
        "s3",
        endpoint_url=weed_with_webhook.endpoint,
        region_name=seaweedfs_infra.REGION,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        config=Config(s3={"addressing_style": "path"}),
    )
    key = f"enterprise_stats/{uuid.uuid4().hex}/2020年报.csv"
    unknown = f"energy_audits/{uuid.uuid4().hex}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"a,b\n1,2\n")
    s3.put_object(Bucket=BUCKET, Key=unknown, Body=b"a\n")
    s3.put_object(Bucket=seaweedfs_infra.BUCKETS["raw"], Key=key, Body=b"not a landing")

    [landed] = wait_for_events(prefect, LANDED_EVENT, key)
    assert landed.resource[FILING_TYPE_LABEL] == "enterprise_stats"
    [rejected] = wait_for_events(prefect, REJECTED_EVENT, unknown)
    assert rejected.payload["reason"] == "unknown filing type"
