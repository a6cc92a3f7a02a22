"""S3 object store (SeaweedFS in tests, any S3 in production): the only module of the core that uses boto3.

Failures become greenmfg.errors exceptions that name the endpoint and the key, never the credentials:
412 → PreconditionFailedError, 404 → ObjectNotFoundError, 403 → StorageError (access denied),
connection errors, timeouts and 5xx → TransientStorageError (worth a retry by the caller).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from urllib.parse import urlsplit

import boto3
import pyarrow.fs as pafs
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError

from greenmfg.errors import (
    GreenmfgError,
    ObjectNotFoundError,
    PreconditionFailedError,
    SettingsError,
    StorageError,
    TransientStorageError,
)
from greenmfg.settings import Settings
from greenmfg.storage.base import ObjectInfo, ObjectStore, iso_utc

# Few, short retries inside botocore: the pipeline's own retries (Prefect tasks) handle longer outages.
_CLIENT_CONFIG = Config(
    s3={"addressing_style": "path"},
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
    # Checksums only where S3 requires them: S3-compatible servers differ in the newer default ones.
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)
_TRANSIENT_CODES = {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling"}


_SESSION_LOCK = threading.Lock()
_session: boto3.session.Session | None = None


def _new_client(endpoint_url: str | None, region: str, key_id: str | None, secret: str | None):
    """A client from one shared session, which keeps the parsed S3 model (a fresh session costs ~0.3 s).

    Sessions are not thread-safe, so creation is serialised; the clients themselves are thread-safe.
    """
    global _session
    with _SESSION_LOCK:
        if _session is None:
            _session = boto3.session.Session()
        return _session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=_CLIENT_CONFIG,
        )


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` → ("bucket", "some/prefix")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise SettingsError(f"not an S3 URL: {url!r}; expected s3://bucket or s3://bucket/prefix")
    return parts.netloc, parts.path.strip("/")


class S3Store(ObjectStore):
    """Objects under `prefix` in one bucket; conditional writes map to If-None-Match / If-Match."""

    list_page_size = 1000  # keys per ListObjectsV2 request (S3's maximum); tests lower it to page cheaply

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.endpoint_url = endpoint_url
        self.region = region
        self._access_key_id = access_key_id
        self._secret_access_key = secret_access_key
        self._client = _new_client(endpoint_url, region, access_key_id, secret_access_key)
        self._filesystem: pafs.S3FileSystem | None = None

    @classmethod
    def from_url(cls, url: str, settings: Settings) -> S3Store:
        """A store for `s3://bucket/prefix` with the endpoint, region and credentials of `settings`."""
        bucket, prefix = parse_s3_url(url)
        key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
        return cls(
            bucket,
            prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=key_id.get_secret_value() if key_id else None,
            secret_access_key=secret.get_secret_value() if secret else None,
        )

    def __repr__(self) -> str:
        return f"S3Store({self.url!r}, endpoint_url={self.endpoint_url!r})"

    def read_bytes(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._full(key))
            return response["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "read", key) from None

    def write_bytes(
        self, key: str, data: bytes, *, if_absent: bool = False, if_match: str | None = None
    ) -> str:
        if if_absent and if_match is not None:
            raise ValueError("write_bytes takes if_absent or if_match, not both")
        options = {"ContentMD5": _content_md5(data)}
        if if_absent:
            options["IfNoneMatch"] = "*"
        elif if_match is not None:
            options["IfMatch"] = f'"{_unquote(if_match)}"'
        try:
            response = self._client.put_object(
                Bucket=self.bucket, Key=self._full(key), Body=data, **options
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "write", key, if_absent=if_absent) from None
        return _unquote(response["ETag"])

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._client.head_object(Bucket=self.bucket, Key=self._full(key))
        except (ClientError, BotoCoreError) as exc:
            if _status(exc) == 404:
                return None
            raise self._error(exc, "head", key) from None
        return ObjectInfo(
            key, int(response["ContentLength"]), _unquote(response["ETag"]), iso_utc(response["LastModified"])
        )

    def list(self, prefix: str = "") -> list[ObjectInfo]:
        root = f"{self.prefix}/" if self.prefix else ""
        found: list[ObjectInfo] = []
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=root + prefix, PaginationConfig={"PageSize": self.list_page_size}
            )
            for page in pages:
                for item in page.get("Contents", []):
                    if item["Key"].endswith("/"):
                        continue  # directory markers some tools (and SeaweedFS) create
                    found.append(
                        ObjectInfo(
                            item["Key"][len(root) :],
                            int(item["Size"]),
                            _unquote(item["ETag"]),
                            iso_utc(item["LastModified"]),
                        )
                    )
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "list", prefix) from None
        return sorted(found, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except (ClientError, BotoCoreError) as exc:
            if _status(exc) != 404 or _code(exc) == "NoSuchBucket":
                raise self._error(exc, "delete", key) from None

    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        if self._filesystem is None:
            options: dict[str, object] = {"region": self.region, "connect_timeout": 5, "request_timeout": 60}
            if self.endpoint_url:
                endpoint = urlsplit(self.endpoint_url)
                options.update(endpoint_override=endpoint.netloc, scheme=endpoint.scheme or "https")
            if self._access_key_id:
                options.update(access_key=self._access_key_id, secret_key=self._secret_access_key)
            self._filesystem = pafs.S3FileSystem(**options)
        root = f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket
        return self._filesystem, root

    def _full(self, key: str) -> str:
        if not key or key.startswith("/") or key.endswith("/"):
            raise StorageError(f"invalid object key {key!r} in {self.url}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def _error(self, exc: Exception, operation: str, key: str, *, if_absent: bool = False) -> GreenmfgError:
        """The greenmfg exception for a botocore failure; only endpoint, bucket and key are named."""
        where = f"{self.uri(key)} (endpoint {self.endpoint_url or 'AWS default'})"
        if isinstance(exc, NoCredentialsError):
            return SettingsError(
                f"no S3 credentials to {operation} {where}: "
                "set GREENMFG_S3_ACCESS_KEY_ID and GREENMFG_S3_SECRET_ACCESS_KEY"
            )
        if isinstance(exc, (BotoConnectionError, HTTPClientError)):
            return TransientStorageError(f"cannot reach S3 to {operation} {where}: {type(exc).__name__}")
        if not isinstance(exc, ClientError):
            return StorageError(f"cannot {operation} {where}: {type(exc).__name__}")
        status, code = _status(exc), _code(exc)
        if status == 412 or code == "PreconditionFailed":
            problem = "already exists" if if_absent else "changed since its ETag was read"
            return PreconditionFailedError(f"{self.uri(key)} {problem}")
        if code == "NoSuchBucket":
            return StorageError(f"bucket {self.bucket} does not exist at {self.endpoint_url}")
        if status == 404:
            return ObjectNotFoundError(f"{self.uri(key)} does not exist")
        if status == 403:
            return StorageError(f"access denied to {self.uri(key)} ({code or 'Forbidden'}) for {operation}")
        if (status is not None and status >= 500) or code in _TRANSIENT_CODES:
            return TransientStorageError(f"S3 failed to {operation} {where}: HTTP {status} {code}")
        return StorageError(f"S3 refused to {operation} {where}: HTTP {status} {code}")


def _status(exc: Exception) -> int | None:
    if isinstance(exc, ClientError):
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return None


def _code(exc: Exception) -> str:
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


def _content_md5(data: bytes) -> str:
    """The Content-MD5 header: the store refuses a body damaged in transit, and S3 requires a checksum on
    every write into a bucket with Object Lock (the raw archive)."""
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")


def _unquote(etag: str) -> str:
    return etag.strip('"')
