"""The object-store interface every stage uses: one set of methods for a local folder and for S3."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow.fs as pafs


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    modified_at: str | None = None  # ISO 8601 UTC, when the store recorded the last write


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class ObjectStore(ABC):
    """A flat key space under one root (a folder, or an S3 bucket and prefix).

    Conditional writes are the only concurrency primitive the pipeline relies on:
    `if_absent=True` creates once (HTTP If-None-Match: *), `if_match=etag` swaps only if unchanged.
    Both raise PreconditionFailedError when they lose.
    """

    url: str

    @abstractmethod
    def read_bytes(self, key: str) -> bytes:
        """Raise ObjectNotFoundError when the key is absent."""

    @abstractmethod
    def write_bytes(
        self, key: str, data: bytes, *, if_absent: bool = False, if_match: str | None = None
    ) -> str:
        """Write atomically (a reader never sees part of an object) and return the new ETag."""

    @abstractmethod
    def head(self, key: str) -> ObjectInfo | None:
        """Size and ETag of the key, or None when absent."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[ObjectInfo]:
        """Objects whose key starts with `prefix`, sorted by key, with the same ETags head() gives."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the key; absent keys are not an error."""

    @abstractmethod
    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        """A pyarrow filesystem and the root path inside it, for Parquet reads and writes."""

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def uri(self, key: str = "") -> str:
        """Full address of a key, for people and for tools such as DuckDB."""
        return f"{self.url.rstrip('/')}/{key}" if key else self.url

    def arrow_path(self, key: str) -> str:
        _, root = self.arrow_filesystem()
        return f"{root.rstrip('/')}/{key}" if root else key
