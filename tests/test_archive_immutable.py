"""The raw archive is immutable by the store: on SeaweedFS the raw bucket's Object Lock keeps every archived
version (an overwrite adds a version, deleting a version is refused even for admin); in a local folder the
store makes archived files read-only and refuses to replace or delete them."""

from __future__ import annotations

import stat
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from greenmfg import archive
from greenmfg.errors import PreconditionFailedError, StorageError
from greenmfg.settings import Settings
from greenmfg.storage import Stores, open_stores
from greenmfg.storage.local import LocalStore
from infra.seaweedfs import BUCKETS, REGION, RETENTION_MODE, SeaweedFS

FILING = "申请企业,申请金额(万元)\n湖州某某新材料有限公司,1200\n".encode()


def _archive(raw) -> archive.ArchiveResult:
    return archive.archive_filing(
        raw, FILING, original_name="贷款.csv", filing_type="green_loans", received_at="2021-01-05T09:00:00Z"
    )


def _admin_client(server: SeaweedFS):
    admin = server.credentials["admin"]
    return boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=REGION,
        aws_access_key_id=admin.access_key_id,
        aws_secret_access_key=admin.secret_access_key,
        config=Config(s3={"addressing_style": "path"}),
    )


def _versions(client, bucket: str, key: str) -> dict[str, list[dict]]:
    """The versions and delete markers of exactly `key` (its sidecar shares the prefix)."""
    listed = client.list_object_versions(Bucket=bucket, Prefix=key)
    return {
        kind: [v for v in listed.get(kind, []) if v["Key"] == key] for kind in ("Versions", "DeleteMarkers")
    }


def _read(client, bucket: str, key: str, version: dict) -> bytes:
    return client.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])["Body"].read()


def test_seaweedfs_keeps_every_archived_version_even_against_admin(
    running_seaweedfs: SeaweedFS, s3_stores_as, s3_prefix: str
) -> None:
    ingester: Stores = s3_stores_as("ingester")
    result = _archive(ingester.raw)
    bucket, key = BUCKETS["raw"], f"{s3_prefix}/{result.key}"
    client = _admin_client(running_seaweedfs)
    rule = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["Rule"]
    assert rule["DefaultRetention"] == {"Mode": RETENTION_MODE, "Days": running_seaweedfs.raw_retention_days}

    ingester.raw.write_bytes(result.key, b"overwritten")  # a plain PUT by the ingester: a second version
    client.put_object(Bucket=bucket, Key=key, Body=b"overwritten by admin")  # and a third by admin
    versions = _versions(client, bucket, key)["Versions"]
    contents = {_read(client, bucket, key, v): v for v in versions}
    assert sorted(contents) == sorted([FILING, b"overwritten", b"overwritten by admin"])
    first = contents[FILING]
    assert client.head_object(Bucket=bucket, Key=key, VersionId=first["VersionId"])["ObjectLockMode"] == (
        RETENTION_MODE
    )
    for version in versions:  # no version can be deleted, not even by admin
        with pytest.raises(ClientError) as refused:
            client.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    client.delete_object(Bucket=bucket, Key=key)  # only hides the key behind a delete marker
    with pytest.raises(StorageError, match="does not exist"):
        archive.read_filing(ingester.raw, result.sha256)
    after = _versions(client, bucket, key)
    assert [v["VersionId"] for v in after["Versions"]] == [v["VersionId"] for v in versions]
    assert len(after["DeleteMarkers"]) == 1
    assert _read(client, bucket, key, first) == FILING


def test_a_create_once_archive_write_still_loses_to_the_first_on_a_locked_bucket(s3_stores: Stores) -> None:
    first = _archive(s3_stores.raw)
    with pytest.raises(PreconditionFailedError):
        s3_stores.raw.write_bytes(first.key, b"second", if_absent=True)
    assert _archive(s3_stores.raw).is_duplicate
    assert archive.read_filing(s3_stores.raw, first.sha256) == FILING


def test_the_local_raw_archive_is_read_only_and_never_replaced_nor_deleted(tmp_path: Path) -> None:
    stores = open_stores(Settings(store_url=str(tmp_path / "store")))
    result = _archive(stores.raw)
    for archived in (result.key, result.sidecar_key):
        mode = stat.S_IMODE((stores.raw.root / archived).stat().st_mode)
        assert mode & 0o222 == 0, oct(mode)  # nobody may write it
    with pytest.raises(StorageError, match="never replaced"):
        stores.raw.write_bytes(result.key, b"overwritten")
    with pytest.raises(StorageError, match="never swapped"):
        stores.raw.write_bytes(result.key, b"overwritten", if_match=stores.raw.head(result.key).etag)
    with pytest.raises(StorageError, match="never deleted"):
        stores.raw.delete(result.key)
    with pytest.raises(PreconditionFailedError):
        stores.raw.write_bytes(result.key, b"overwritten", if_absent=True)
    assert archive.read_filing(stores.raw, result.sha256) == FILING
    assert archive.read_sidecar(stores.raw, result.sha256)["original_name"] == "贷款.csv"
    assert _archive(stores.raw).is_duplicate
    # Only the raw area is write-once: staging and published are rewritten by design.
    assert isinstance(stores.staging, LocalStore) and not stores.staging.write_once
    stores.staging.write_bytes("x.json", b"1")
    stores.staging.write_bytes("x.json", b"2")
    stores.staging.delete("x.json")
    assert not stores.staging.exists("x.json")
