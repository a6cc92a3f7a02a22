"""Typed settings, validated at start: from the environment (GREENMFG_*), never with secrets in code."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from greenmfg.errors import SettingsError

AREAS: tuple[str, ...] = ("landing", "raw", "staging", "published")


class Settings(BaseSettings):
    """Where the four storage areas live, how to reach S3, and the pipeline's parameters.

    `store_url` is a local folder (the embedded default) or `s3://bucket/prefix`; each area lives under
    it unless its own URL is set (for example one bucket per area, so each role gets least privilege).
    """

    model_config = SettingsConfigDict(env_prefix="GREENMFG_", extra="ignore")

    store_url: str = ".greenmfg/store"
    landing_url: str | None = None
    raw_url: str | None = None
    staging_url: str | None = None
    published_url: str | None = None

    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    # Credentials: GREENMFG_S3_ACCESS_KEY_ID / GREENMFG_S3_SECRET_ACCESS_KEY, else the AWS_* variables
    # boto3 reads itself. Never defaulted to an empty string.
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    # Or the name of a Prefect Secret block holding both (tasks/credentials.py reads it in flow runs).
    s3_credentials_block: str | None = None

    # The filing calendar (expected filings and due dates); None: greenmfg/codes/filing_calendar.toml.
    calendar_file: Path | None = None

    # Parameters of the indicators (documented in the data dictionary).
    star_threshold: int = Field(3, ge=1, le=5, description="Lowest star level counted as a green plant.")

    # Resource limits, enforced before a file is loaded into memory.
    max_file_bytes: int = 512 * 1024**2
    max_rows: int = 20_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_768
    max_xlsx_uncompressed_bytes: int = 1024**3

    @model_validator(mode="after")
    def _credentials_come_in_pairs(self) -> Settings:
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both GREENMFG_S3_ACCESS_KEY_ID and GREENMFG_S3_SECRET_ACCESS_KEY, or neither"
            )
        return self

    def area_url(self, area: str) -> str:
        if area not in AREAS:
            raise SettingsError(f"unknown storage area {area!r}; expected one of {list(AREAS)}")
        explicit = getattr(self, f"{area}_url")
        if explicit:
            return explicit
        if self.store_url.startswith("s3://"):
            return f"{self.store_url.rstrip('/')}/{area}"
        return str(Path(self.store_url) / area)


@cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        raise SettingsError(f"invalid settings: {exc}") from None
