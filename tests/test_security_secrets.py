"""Credentials come from the environment and never leak: real flow runs (sweep-landing as the ingester,
publish-indicators as the publisher, a refused run as the consumer) against SeaweedFS, with every log line
captured down to boto's DEBUG, and no secret in any log line, Prefect log or artifact (read back through
the Prefect API), manifest, console output or exception message."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
import uuid
from collections.abc import Iterator

import pytest
from helpers import reference
from helpers.stores import stores_for
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

from greenmfg import archive
from greenmfg.errors import StorageError
from greenmfg.settings import get_settings
from infra.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.s3, pytest.mark.slow]

PAGE = 200


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=180):
        yield


class EveryRecord:
    """A log-record factory keeping every record any logger creates, whatever handlers Prefect installs."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self.previous = logging.getLogRecordFactory()

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        self.records.append(record)
        return record

    def texts(self) -> list[str]:
        found = []
        for record in self.records:
            try:
                found.append(f"{record.name} {record.getMessage()}")
            except (TypeError, ValueError):
                found.append(f"{record.name} {record.msg} {record.args}")
            if record.exc_info and record.exc_info[1] is not None:
                found.append("".join(traceback.format_exception(record.exc_info[1])))
        return found


@pytest.fixture
def every_record() -> Iterator[EveryRecord]:
    recorder = EveryRecord()
    loggers = [logging.getLogger(n) for n in ("botocore", "boto3", "urllib3", "greenmfg", "flows", "tasks")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)  # boto's request logs included
    logging.setLogRecordFactory(recorder)
    try:
        yield recorder
    finally:
        logging.setLogRecordFactory(recorder.previous)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


async def _read_back() -> tuple[list[str], list[str]]:
    """Every log message and artifact the Prefect API holds."""
    logs, artifacts = [], []
    async with get_client() as client:
        while batch := await client.read_logs(limit=PAGE, offset=len(logs)):
            logs += batch
        artifacts = await client.read_artifacts()
    return [log.message for log in logs], [
        json.dumps(a.data, default=str) + (a.description or "") + (a.key or "") for a in artifacts
    ]


def test_no_secret_in_logs_artifacts_manifest_output_or_errors(
    seaweedfs: SeaweedFS, prefect_api, every_record: EveryRecord, capfd, monkeypatch
) -> None:
    from flows.publish_indicators import publish_indicators
    from flows.sweep_landing import sweep_landing

    prefix = f"secrets-{uuid.uuid4().hex[:8]}"
    secrets = [creds.secret_access_key for creds in seaweedfs.credentials.values()]
    files = [
        f for f in reference.landing_files(years=(2020,)) if f[0].startswith(("green_loans/", "enterprise"))
    ]
    landing = stores_for(seaweedfs, "ingester", prefix).landing
    for key, path in files:
        landing.write_bytes(key, path.read_bytes())

    def run_as(role: str) -> None:
        """Credentials only from the environment, as a deployment's process would get them."""
        for name, value in seaweedfs.env_for(role, prefix).items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    try:
        run_as("ingester")
        ingested = sweep_landing(build_docs=False)
        run_as("publisher")
        published = publish_indicators()
        run_as("consumer")  # may read published data only: listing the landing area is refused
        with pytest.raises(StorageError, match="access denied") as refused:
            sweep_landing(build_docs=False)
    finally:
        get_settings.cache_clear()
    assert {r["status"] for r in ingested} == {"accepted"} and published["is_new"]

    logged = every_record.texts()
    api_logs, artifacts = asyncio.run(_read_back())
    manifest = (
        stores_for(seaweedfs, "consumer", prefix).published.read_bytes(published["manifest_key"]).decode()
    )
    output = capfd.readouterr()
    error = "".join(traceback.format_exception(refused.value))
    # The capture worked: it holds what the runs did (so a leak would have been seen).
    digest = archive.sha256_hex(files[0][1].read_bytes())[:12]
    assert any(digest in text for text in artifacts) and api_logs and logged
    assert any("ingestion-summary" in a for a in artifacts) and any("snapshot" in a for a in artifacts)
    assert any(text.startswith("botocore") for text in logged)
    for secret in secrets:
        for text in (*logged, *api_logs, *artifacts, manifest, output.out, output.err, error):
            assert secret not in text
