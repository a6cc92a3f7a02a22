"""Local-folder object store: the embedded default, with the same guarantees as S3 where it matters."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow.fs as pafs

from greenmfg.errors import ObjectNotFoundError, PreconditionFailedError, StorageError
from greenmfg.storage.base import ObjectInfo, ObjectStore

_TMP_PREFIX = ".tmp-"


def _etag(stat: os.stat_result) -> str:
    """Cheap and changes on every write: each write renames a new file (new inode) into place."""
    return f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"


class LocalStore(ObjectStore):
    """Objects are files under `root`. Writes go to a temp file then rename, so they are atomic.

    Create-once uses os.link (fails if the target exists); compare-and-swap holds an exclusive lock
    file while it checks the ETag and renames.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = str(self.root)

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in Path(key).parts:
            raise StorageError(f"invalid object key {key!r}")
        return self.root / key

    def read_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.uri(key)} does not exist") from None

    def write_bytes(
        self, key: str, data: bytes, *, if_absent: bool = False, if_match: str | None = None
    ) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if if_absent:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    raise PreconditionFailedError(f"{self.uri(key)} already exists") from None
            elif if_match is not None:
                self._swap(path, tmp, if_match)
            else:
                os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return _etag(path.stat())

    def _swap(self, path: Path, tmp: str, expected_etag: str) -> None:
        import fcntl

        lock_path = path.with_name(path.name + ".lock")
        with open(lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                current = _etag(path.stat())
            except FileNotFoundError:
                current = None
            if current != expected_etag:
                raise PreconditionFailedError(f"{self.uri(path.relative_to(self.root).as_posix())} changed")
            os.replace(tmp, path)

    def head(self, key: str) -> ObjectInfo | None:
        try:
            stat = self._path(key).stat()
        except FileNotFoundError:
            return None
        if not os.path.isfile(self._path(key)):
            return None
        return ObjectInfo(key, stat.st_size, _etag(stat))

    def list(self, prefix: str = "") -> list[ObjectInfo]:
        base = self.root
        found: list[ObjectInfo] = []
        for dirpath, _, filenames in os.walk(base):
            for name in filenames:
                if name.startswith(_TMP_PREFIX) or name.endswith(".lock"):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(base).as_posix()
                if key.startswith(prefix):
                    stat = full.stat()
                    found.append(ObjectInfo(key, stat.st_size, _etag(stat)))
        return sorted(found, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        return pafs.LocalFileSystem(), str(self.root)
