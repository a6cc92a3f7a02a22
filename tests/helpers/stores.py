"""Stores and subprocess environments for one SeaweedFS identity under one key prefix."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from greenmfg.settings import AREAS
from greenmfg.storage import Stores
from greenmfg.storage.s3 import S3Store
from infra.seaweedfs import SeaweedFS

PYTHON = sys.executable
HELPERS = Path(__file__).resolve().parent


def stores_for(server: SeaweedFS, role: str, prefix: str) -> Stores:
    """The four areas as `role` sees them, every key under `prefix`."""
    settings = server.settings_for(role, prefix)
    return Stores(**{area: S3Store.from_url(settings.area_url(area), settings) for area in AREAS})


def worker_env(server: SeaweedFS, role: str, prefix: str, **extra: str) -> dict[str, str]:
    """This process's environment without any GREENMFG_* setting, plus `role`'s and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    env.update(server.env_for(role, prefix))
    env.update(extra)
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    return env
