"""Typed settings, validated at start: from the environment (GREENMFG_*), never with secrets in code."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from greenmfg.errors import SettingsError

AREAS: tuple[str, ...] = ("landing", "raw", "staging", "published")
LOCAL_ROOT = Path(".greenmfg")
"""Where the embedded default keeps its store and generated files: the default city's directly, another
city's under cities/<code>/, so two cities never share a store by accident."""


class Settings(BaseSettings):
    """Where the four storage areas live, how to reach S3, and the pipeline's parameters.

    `store_url` is a local folder (the embedded default, `local_root()/store`) or `s3://bucket/prefix`; each
    area lives under it unless its own URL is set (for example one bucket per area, so each role gets least
    privilege).
    """

    model_config = SettingsConfigDict(env_prefix="GREENMFG_", extra="ignore")

    store_url: str | None = None
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
    # How long the raw bucket keeps every archived version, deletion refused even to admin (Object Lock,
    # COMPLIANCE): applied by infra/seaweedfs.py when it creates the bucket; on AWS a bucket setting.
    raw_retention_days: int = Field(3650, gt=0)

    # The city whose profile the pipeline runs (greenmfg/cities/profiles/<code>.toml, a GB/T 2260 code):
    # Huzhou's by default. `greenmfg run --city` sets it for one run.
    city: str = Field("330500", pattern=r"^\d{6}$", description="GREENMFG_CITY: the city profile.")

    # The filing calendar (expected filings and due dates); None: greenmfg/codes/filing_calendar.toml.
    calendar_file: Path | None = None

    # The policy and validation configuration file (TOML: expectations/README.md), and the environment's
    # override of one policy parameter; the parameters themselves are declared in greenmfg/policy.py.
    validation_config: Path | None = None
    star_threshold: int | None = Field(None, description="GREENMFG_STAR_THRESHOLD: overrides the policy's.")

    # A deployment's own header spellings, header words and district aliases (headers.csv, header_words.csv,
    # district_aliases.csv, each extending its built-in namesake): see greenmfg/parsing/vocabulary.py.
    config_dir: str | None = None

    # Resource limits, enforced before a file is loaded into memory.
    max_file_bytes: int = 512 * 1024**2
    max_rows: int = 20_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_768
    max_xlsx_uncompressed_bytes: int = 1024**3

    @field_validator("validation_config", "star_threshold", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("city", mode="before")
    @classmethod
    def _empty_city_is_the_default(cls, value: object) -> object:
        return cls.model_fields["city"].default if value in ("", None) else value

    @model_validator(mode="after")
    def _the_city_has_its_own_local_store(self) -> Settings:
        if not self.store_url:
            self.store_url = str(self.local_root() / "store")
        return self

    def local_root(self) -> Path:
        """.greenmfg for the default city, .greenmfg/cities/<code> for another (LOCAL_ROOT)."""
        default = type(self).model_fields["city"].default
        return LOCAL_ROOT if self.city == default else LOCAL_ROOT / "cities" / self.city

    @model_validator(mode="after")
    def _credentials_come_in_pairs(self) -> Settings:
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both GREENMFG_S3_ACCESS_KEY_ID and GREENMFG_S3_SECRET_ACCESS_KEY, or neither"
            )
        return self

    def config_document(self) -> dict[str, Any]:
        """The configuration file (GREENMFG_VALIDATION_CONFIG) parsed; empty without one."""
        if self.validation_config is None:
            return {}
        try:
            with open(self.validation_config, "rb") as handle:
                return tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(
                f"{self.validation_config}: cannot read the configuration file; {exc}"
            ) from None

    def area_url(self, area: str) -> str:
        if area not in AREAS:
            raise SettingsError(f"unknown storage area {area!r}; expected one of {list(AREAS)}")
        explicit = getattr(self, f"{area}_url")
        if explicit:
            return explicit
        if self.store_url.startswith("s3://"):
            return f"{self.store_url.rstrip('/')}/{area}"
        return str(Path(self.store_url) / area)


# What the pipeline does, as opposed to where it stores and as whom: a service (`greenmfg stack up`) passes
# these from the operator's environment to every process it starts, so a flow run on the server reads the
# same city, policy, spellings and limits as a command run by hand.
PIPELINE_SETTINGS: tuple[str, ...] = (
    "city", "calendar_file", "validation_config", "star_threshold", "config_dir", "max_file_bytes",
    "max_rows", "max_columns", "max_cell_chars", "max_xlsx_uncompressed_bytes",
)  # fmt: skip
_PATH_SETTINGS = ("calendar_file", "validation_config", "config_dir")


def pipeline_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The GREENMFG_* variables of PIPELINE_SETTINGS set in `environ`, file and folder paths made absolute
    (a service runs from its own folder)."""
    passed = {}
    for name in PIPELINE_SETTINGS:
        variable = f"GREENMFG_{name.upper()}"
        value = environ.get(variable)
        if value:
            passed[variable] = str(Path(value).resolve()) if name in _PATH_SETTINGS else value
    return passed


@cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        raise SettingsError(f"invalid settings: {exc}") from None
