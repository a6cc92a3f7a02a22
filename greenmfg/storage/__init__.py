"""Storage: the four areas (landing, raw, staging, published) behind one ObjectStore interface."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greenmfg.settings import AREAS, Settings, get_settings
from greenmfg.storage.base import ObjectInfo, ObjectStore
from greenmfg.storage.local import LocalStore

__all__ = ["AREAS", "ObjectInfo", "ObjectStore", "Stores", "local_stores", "open_store", "open_stores"]


# The area whose objects are never replaced nor deleted: on S3 the bucket's Object Lock enforces it
# (infra/seaweedfs.py creates it so), in a local folder the store itself (LocalStore's write_once).
WRITE_ONCE_AREA = "raw"


def open_store(url: str, settings: Settings | None = None, *, area: str | None = None) -> ObjectStore:
    """A store for a local folder or an `s3://bucket/prefix` URL (`area`: the one it holds, if any)."""
    if url.startswith("s3://"):
        from greenmfg.storage.s3 import S3Store

        return S3Store.from_url(url, settings or get_settings())
    return LocalStore(url, write_once=area == WRITE_ONCE_AREA)


@dataclass(frozen=True)
class Stores:
    landing: ObjectStore
    raw: ObjectStore
    staging: ObjectStore
    published: ObjectStore


def open_stores(settings: Settings | None = None) -> Stores:
    settings = settings or get_settings()
    return Stores(**{area: open_store(settings.area_url(area), settings, area=area) for area in AREAS})


def local_stores(root: str | Path) -> Stores:
    """The four areas as folders under `root` (the raw archive write-once), as open_stores makes them."""
    return Stores(**{area: open_store(str(Path(root) / area), area=area) for area in AREAS})
