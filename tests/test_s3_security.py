"""The S3 server is private to this machine and each identity can do only its role's job."""

from __future__ import annotations

import stat
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from helpers.sockets import listening_addresses

from greenmfg.errors import StorageError, TransientStorageError
from greenmfg.storage import Stores
from greenmfg.storage.s3 import S3Store
from infra.ports import free_ports
from infra.seaweedfs import BUCKETS, ROLES, SeaweedFS

pytestmark = pytest.mark.s3


@pytest.fixture
def published_object(s3_stores: Stores) -> str:
    s3_stores.published.write_bytes("snapshots/s1/manifest.json", b"{}")
    s3_stores.raw.write_bytes("filings/ab/x", b"raw")
    return "snapshots/s1/manifest.json"


def test_a_wrong_secret_is_refused_without_echoing_it(running_seaweedfs: SeaweedFS, s3_prefix: str) -> None:
    key_id = running_seaweedfs.credentials["admin"].access_key_id
    store = S3Store(
        BUCKETS["raw"],
        s3_prefix,
        endpoint_url=running_seaweedfs.endpoint,
        access_key_id=key_id,
        secret_access_key="wrong-secret-0123456789",
    )
    with pytest.raises(StorageError, match="access denied") as caught:
        store.write_bytes("filings/ab/x", b"x")
    assert "wrong-secret-0123456789" not in str(caught.value)
    with pytest.raises(StorageError, match="access denied"):
        store.head("filings/ab/x")


def test_anonymous_requests_are_refused(running_seaweedfs: SeaweedFS, published_object: str) -> None:
    url = f"{running_seaweedfs.endpoint}/{BUCKETS['published']}/"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=5)
    assert caught.value.code == 403


def test_the_consumer_reads_published_only(
    s3_stores_as: Callable[[str], Stores], published_object: str
) -> None:
    consumer = s3_stores_as("consumer")
    assert consumer.published.read_bytes(published_object) == b"{}"
    assert [info.key for info in consumer.published.list("snapshots/")] == [published_object]
    with pytest.raises(StorageError, match="access denied"):
        consumer.published.write_bytes("snapshots/s2/manifest.json", b"{}")
    with pytest.raises(StorageError, match="access denied"):
        consumer.published.delete(published_object)
    with pytest.raises(StorageError, match="access denied"):
        consumer.raw.read_bytes("filings/ab/x")
    with pytest.raises(StorageError, match="access denied"):
        consumer.raw.list()


def test_the_publisher_reads_raw_but_cannot_change_it(
    s3_stores_as: Callable[[str], Stores], published_object: str
) -> None:
    publisher = s3_stores_as("publisher")
    assert publisher.raw.read_bytes("filings/ab/x") == b"raw"
    with pytest.raises(StorageError, match="access denied"):
        publisher.raw.write_bytes("filings/ab/y", b"forged")
    with pytest.raises(StorageError, match="access denied"):
        publisher.landing.list()
    publisher.published.write_bytes("snapshots/s2/manifest.json", b"{}")
    publisher.staging.write_bytes("ingested/x.json", b"{}")


def test_the_ingester_cannot_touch_published(
    s3_stores_as: Callable[[str], Stores], published_object: str
) -> None:
    ingester = s3_stores_as("ingester")
    ingester.raw.write_bytes("filings/cd/y", b"raw")
    with pytest.raises(StorageError, match="access denied"):
        ingester.published.read_bytes(published_object)
    with pytest.raises(StorageError, match="access denied"):
        ingester.published.write_bytes(published_object, b"forged")


def test_the_server_listens_on_loopback_only(running_seaweedfs: SeaweedFS) -> None:
    listening = listening_addresses(running_seaweedfs.pid)
    assert ("127.0.0.1", running_seaweedfs.ports["s3"]) in listening
    assert {address for address, _ in listening} == {"127.0.0.1"}
    assert {port for _, port in listening} <= set(running_seaweedfs.ports.values())


def test_secrets_stay_in_private_files_and_out_of_logs_and_reprs(running_seaweedfs: SeaweedFS) -> None:
    state = running_seaweedfs.state_dir
    for name in ("identities.json", "server.json"):
        assert stat.S_IMODE((state / name).stat().st_mode) == 0o600
    secrets = [running_seaweedfs.credentials[role].secret_access_key for role in ROLES]
    assert len(set(secrets)) == len(ROLES)
    logs = b"".join(path.read_bytes() for path in running_seaweedfs.log_dir.iterdir() if path.is_file())
    shown = repr(running_seaweedfs) + repr(
        S3Store.from_url("s3://x", running_seaweedfs.settings_for("admin"))
    )
    for secret in secrets:
        assert secret.encode() not in logs
        assert secret not in shown


def test_an_unreachable_endpoint_is_transient_and_names_endpoint_and_key() -> None:
    (closed_port,) = free_ports(1)
    store = S3Store(
        "greenmfg-raw",
        "p",
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        access_key_id="someone",
        secret_access_key="secret-that-must-not-leak",
    )
    with pytest.raises(TransientStorageError) as caught:
        store.read_bytes("filings/ab/x")
    message = str(caught.value)
    assert f"127.0.0.1:{closed_port}" in message
    assert "s3://greenmfg-raw/p/filings/ab/x" in message
    assert "secret-that-must-not-leak" not in message
