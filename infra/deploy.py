"""Apply infra/prefect.yaml to a Prefect server: create the work pools it names, then `prefect deploy --all`.

Run as `python -m infra.deploy [--seaweedfs-state DIR]` with PREFECT_API_URL (and PREFECT_API_AUTH_STRING)
of the target server; `greenmfg stack up` does so. The YAML stays the declaration; this only adds what it
cannot say: the pools, the global concurrency limit that lets one publication run at a time
(tasks/publication_slot.py), a Secret block per role with the S3 keys of a SeaweedFS state directory
(tasks/credentials.py), and the notification block and automations (infra/automations.py).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PREFECT_FILE = PROJECT_DIR / "infra" / "prefect.yaml"
POOL_TYPE = "process"
# Pool → concurrency limit (None: unlimited). One publish at a time: each commit builds on the previous one.
POOLS: dict[str, int | None] = {"greenmfg-ingest": 2, "greenmfg-publish": 1}


class DeployError(RuntimeError):
    """The deployments could not be applied; the message carries the tail of Prefect's output."""


async def ensure_pools(pools: dict[str, int | None] = POOLS) -> None:
    """Create each `process` pool if missing and set its concurrency limit (idempotent)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        for name, limit in pools.items():
            try:
                await client.read_work_pool(name)
            except ObjectNotFound:
                await client.create_work_pool(
                    WorkPoolCreate(name=name, type=POOL_TYPE, concurrency_limit=limit)
                )
            else:
                await client.update_work_pool(name, WorkPoolUpdate(concurrency_limit=limit))


async def ensure_publication_limit() -> None:
    """Create (or reset to one slot) the limit every publishing flow holds while it commits."""
    from prefect.client.orchestration import get_client

    from tasks.publication_slot import PUBLICATION_LIMIT

    async with get_client() as client:
        await client.upsert_global_concurrency_limit_by_name(PUBLICATION_LIMIT, 1)


def deploy_all(prefect_file: Path = PREFECT_FILE, timeout: float = 300.0) -> str:
    """`prefect deploy --all` from the project folder (entrypoints are relative to it); returns its output."""
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect) if prefect.exists() else "prefect", "--no-prompt", "deploy", "--all"]
    command += ["--prefect-file", str(prefect_file)]
    done = subprocess.run(
        command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise DeployError(f"prefect deploy --all --prefect-file {prefect_file} failed: {output[-2000:]}")
    return output


def save_credential_blocks(seaweedfs_state: Path) -> list[str]:
    """One Secret block per role of the SeaweedFS recorded in `seaweedfs_state` (never the admin's)."""
    from infra import seaweedfs
    from tasks.credentials import credentials_block_name, save_credentials_block

    weed = seaweedfs.load(seaweedfs_state)
    if weed is None:
        raise DeployError(f"no SeaweedFS was ever started in {seaweedfs_state}")
    roles = list(seaweedfs.ROLE_GRANTS)
    for role in roles:
        keys = weed.credentials[role]
        save_credentials_block(role, keys.access_key_id, keys.secret_access_key)
    return [credentials_block_name(role) for role in roles]


async def ensure_notifications() -> list[str]:
    from infra.automations import ensure_automations, ensure_notification_block

    block = await ensure_notification_block()
    return [] if block is None else await ensure_automations(block)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--seaweedfs-state", type=Path, help="write a Secret block per role from its keys")
    args = parser.parse_args(argv)
    asyncio.run(ensure_pools())
    asyncio.run(ensure_publication_limit())
    if args.seaweedfs_state is not None:
        print("credential blocks:", ", ".join(save_credential_blocks(args.seaweedfs_state)))
    automations = asyncio.run(ensure_notifications())
    print(
        "automations:", ", ".join(automations) if automations else "none (no notification block configured)"
    )
    try:
        print(deploy_all())
    except DeployError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
