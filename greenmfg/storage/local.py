"""Local-folder object store: the embedded default, with the same guarantees as S3 where it matters."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.fs as pafs

from greenmfg.errors import ObjectNotFoundError, PreconditionFailedError, StorageError
from greenmfg.storage.base import ObjectInfo, ObjectStore, iso_utc

_TMP_PREFIX = ".tmp-"
_READ_ONLY = 0o444


def _modified(stat: os.stat_result) -> str:
    return iso_utc(datetime.fromtimestamp(stat.st_mtime_ns / 1e9, UTC))


def _refused(where: str, change: str) -> StorageError:
    return StorageError(f"{where}: refused, an archived object is never {change} (a write-once store)")


def _etag(stat: os.stat_result) -> str:
    """Cheap and changes on every write: each write renames a new file (new inode) into place."""
    return f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"


class LocalStore(ObjectStore):
    """Objects are files under `root`. Writes go to a temp file then rename, so they are atomic.

    Create-once uses os.link (fails if the target exists); compare-and-swap holds an exclusive lock
    file while it checks the ETag and renames.

    `write_once` is the local counterpart of an S3 bucket with Object Lock, for the raw archive: every
    object is created once and made read-only, and replacing or deleting one is refused.
    """

    def __init__(self, root: str | Path, *, write_once: bool = False):
        # The folder is created by the first write, so a reader (`greenmfg read` with only the published
        # area set) leaves no empty area folders behind in the working directory.
        self.root = Path(root).resolve()
        self.url = str(self.root)
        self.write_once = write_once

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
        if self.write_once and if_match is not None:
            raise _refused(self.uri(key), "swapped")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                if self.write_once:
                    os.fchmod(handle.fileno(), _READ_ONLY)
            if if_absent or self.write_once:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    if not if_absent:
                        raise _refused(self.uri(key), "replaced") from None
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
        return ObjectInfo(key, stat.st_size, _etag(stat), _modified(stat))

    def list(self, prefix: str = "") -> list[ObjectInfo]:
        base = self.root
        found: list[ObjectInfo] = []
        if not base.is_dir():
            return found
        for dirpath, _, filenames in os.walk(base):
            for name in filenames:
                if name.startswith(_TMP_PREFIX) or name.endswith(".lock"):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(base).as_posix()
                if key.startswith(prefix):
                    stat = full.stat()
                    found.append(ObjectInfo(key, stat.st_size, _etag(stat), _modified(stat)))
        return sorted(found, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if self.write_once and path.exists():
            raise _refused(self.uri(key), "deleted")
        path.unlink(missing_ok=True)

    def arrow_filesystem(self) -> tuple[pafs.FileSystem, str]:
        return pafs.PyFileSystem(_ParentsCreatingHandler()), str(self.root)


class _ParentsCreatingHandler(pafs.FileSystemHandler):
    """The local filesystem, except that writing a file creates its folder, as writing to S3 needs none.

    Without it `pq.write_table(..., store.arrow_path(key))` works on S3 and fails locally.
    """

    def __init__(self) -> None:
        self._fs = pafs.LocalFileSystem()

    def _parent(self, path: str) -> None:
        self._fs.create_dir(os.path.dirname(path) or ".", recursive=True)

    def open_output_stream(self, path, metadata):
        self._parent(path)
        return self._fs.open_output_stream(path, metadata=metadata)

    def open_append_stream(self, path, metadata):
        self._parent(path)
        return self._fs.open_append_stream(path, metadata=metadata)

    def move(self, src, dest):
        self._parent(dest)
        self._fs.move(src, dest)

    def copy_file(self, src, dest):
        self._parent(dest)
        self._fs.copy_file(src, dest)

    def get_type_name(self):
        return "greenmfg-local"

    def normalize_path(self, path):
        return self._fs.normalize_path(path)

    def get_file_info(self, paths):
        return self._fs.get_file_info(paths)

    def get_file_info_selector(self, selector):
        return self._fs.get_file_info(selector)

    def create_dir(self, path, recursive):
        self._fs.create_dir(path, recursive=recursive)

    def delete_dir(self, path):
        self._fs.delete_dir(path)

    def delete_dir_contents(self, path, missing_dir_ok=False):
        self._fs.delete_dir_contents(path, missing_dir_ok=missing_dir_ok)

    def delete_root_dir_contents(self):
        raise StorageError("refusing to delete the contents of the local filesystem root")

    def delete_file(self, path):
        self._fs.delete_file(path)

    def open_input_stream(self, path):
        return self._fs.open_input_stream(path)

    def open_input_file(self, path):
        return self._fs.open_input_file(path)
