"""S3 credentials from a Prefect Secret block per role, as an alternative to the environment.

A flow run or task worker whose environment names a block (GREENMFG_S3_CREDENTIALS_BLOCK) and holds no keys
reads the role's keys from that block when it opens the stores; the keys then live in the Prefect server's
block store, not in any process environment or deployment. Values are pydantic SecretStr throughout and are
never logged or returned in a repr.
"""

from __future__ import annotations

from functools import cache

from pydantic import SecretStr

from greenmfg.errors import SettingsError
from greenmfg.settings import Settings, get_settings
from greenmfg.storage import Stores
from greenmfg.storage import open_stores as open_stores_with

CREDENTIALS_BLOCK_ENV = "GREENMFG_S3_CREDENTIALS_BLOCK"
CREDENTIAL_VARIABLES = ("GREENMFG_S3_ACCESS_KEY_ID", "GREENMFG_S3_SECRET_ACCESS_KEY")
_BLOCK_PREFIX = "greenmfg-s3-"
# The block's value: a JSON object with these two members.
_KEYS = ("access_key_id", "secret_access_key")


def credentials_block_name(role: str) -> str:
    """The Secret block of a role's S3 keys (infra/deploy.py writes one per role)."""
    return f"{_BLOCK_PREFIX}{role}"


def save_credentials_block(role: str, access_key_id: str, secret_access_key: str) -> None:
    """Write (or replace) the role's Secret block on the server of the current Prefect settings."""
    from prefect.blocks.system import Secret

    value = dict(zip(_KEYS, (access_key_id, secret_access_key), strict=True))
    Secret(value=value).save(credentials_block_name(role), overwrite=True)


def resolved_settings(settings: Settings | None = None) -> Settings:
    """The settings, with the keys of the named Secret block when the environment holds none."""
    settings = settings or get_settings()
    if settings.s3_credentials_block is None or settings.s3_access_key_id is not None:
        return settings
    access_key_id, secret_access_key = _block_keys(settings.s3_credentials_block)
    return settings.model_copy(
        update={"s3_access_key_id": access_key_id, "s3_secret_access_key": secret_access_key}
    )


def open_stores(settings: Settings | None = None) -> Stores:
    """The four storage areas with the credentials of the environment or of the role's Secret block."""
    return open_stores_with(resolved_settings(settings))


@cache
def _block_keys(name: str) -> tuple[SecretStr, SecretStr]:
    """Read once per process: a task worker opens its stores for every task."""
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(name).get()
    except ValueError:
        raise SettingsError(
            f"Prefect Secret block {name!r} named by {CREDENTIALS_BLOCK_ENV} does not exist on the server; "
            "`greenmfg stack up` writes one per role"
        ) from None
    if not isinstance(value, dict) or set(value) != set(_KEYS):
        raise SettingsError(
            f"Prefect Secret block {name!r}: expected a JSON object with members {list(_KEYS)}"
        )
    return SecretStr(value[_KEYS[0]]), SecretStr(value[_KEYS[1]])
