"""The demonstration lands in an empty landing area only: reference filings and MIIT lists, else nothing."""

from __future__ import annotations

from pathlib import Path

from greenmfg.demonstration import MIIT_DIR, land_demonstration
from greenmfg.storage import Stores


def test_empty_landing_area_gets_the_reference_filings_and_the_miit_lists(
    local_stores: Stores, tmp_path: Path
) -> None:
    seeded = land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    keys = [info.key for info in local_stores.landing.list()]
    assert seeded.landed == len(keys) and seeded.miit_lists_found and seeded.skipped_because is None
    prefixes = {key.split("/")[0] for key in keys}
    assert {"enterprise_stats", "green_register", "incentives", "green_loans", "miit_lists"} <= prefixes
    assert any(key.startswith("miit_green_factories/") for key in keys)


def test_a_landing_area_holding_anything_gets_nothing(local_stores: Stores, tmp_path: Path) -> None:
    local_stores.landing.write_bytes("auto/2020年贷款.csv", b"a user's filing")
    seeded = land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    assert seeded.landed == 0 and "already holds files" in seeded.skipped_because
    assert [info.key for info in local_stores.landing.list()] == ["auto/2020年贷款.csv"]
    assert not (tmp_path / "reference").exists()


def test_without_the_miit_lists_the_reference_filings_still_land(
    local_stores: Stores, tmp_path: Path
) -> None:
    seeded = land_demonstration(local_stores, tmp_path / "reference", tmp_path / "no-such-folder")
    assert seeded.landed > 0 and not seeded.miit_lists_found
    assert not any(info.key.startswith("miit") for info in local_stores.landing.list())
