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


def test_a_seeding_cut_short_is_completed_and_a_complete_one_lands_nothing(
    local_stores: Stores, tmp_path: Path
) -> None:
    land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    keys = sorted(info.key for info in local_stores.landing.list())
    for key in keys[len(keys) // 2 :]:  # the run was interrupted halfway through landing
        local_stores.landing.delete(key)
    resumed = land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    assert resumed.landed == len(keys) - len(keys) // 2
    assert sorted(info.key for info in local_stores.landing.list()) == keys
    again = land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    assert again.landed == 0 and again.skipped_because == "the demonstration is landed already"


def test_a_users_file_under_a_filing_type_folder_stops_the_demonstration(
    local_stores: Stores, tmp_path: Path
) -> None:
    local_stores.landing.write_bytes("green_loans/my-loans-2020.csv", b"a user's filing")
    seeded = land_demonstration(local_stores, tmp_path / "reference", MIIT_DIR)
    assert seeded.landed == 0 and "already holds files" in seeded.skipped_because
    assert [info.key for info in local_stores.landing.list()] == ["green_loans/my-loans-2020.csv"]
