"""Storage: the four areas (landing, raw, staging, published) behind one ObjectStore interface."""

from __future__ import annotations

from dataclasses import dataclass

from greenmfg.settings import AREAS, Settings, get_settings
from greenmfg.storage.base import ObjectInfo, ObjectStore
from greenmfg.storage.local import LocalStore

__all__ = ["AREAS", "ObjectInfo", "ObjectStore", "Stores", "open_store", "open_stores"]


def open_store(url: str, settings: Settings | None = None) -> ObjectStore:
    """A store for a local folder or an `s3://bucket/prefix` URL."""
    if url.startswith("s3://"):
        from greenmfg.storage.s3 import S3Store

        return S3Store.from_url(url, settings or get_settings())
    return LocalStore(url)


@dataclass(frozen=True)
class Stores:
    landing: ObjectStore
    raw: ObjectStore
    staging: ObjectStore
    published: ObjectStore


def open_stores(settings: Settings | None = None) -> Stores:
    settings = settings or get_settings()
    return Stores(**{area: open_store(settings.area_url(area), settings) for area in AREAS})
