"""City profiles: a city is configuration (divisions from the package, zones, towns, policy values with the
years they apply), selected by GREENMFG_CITY, recorded in every snapshot, and one store holds one city."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_indicators import canonical, row_of

from greenmfg import build
from greenmfg.cities import DEFAULT_CITY, check_store_city, load_profile, selected
from greenmfg.cities import load as cities_load
from greenmfg.errors import SettingsError
from greenmfg.indicators import derive
from greenmfg.parsing import vocabulary
from greenmfg.places.divisions import divisions
from greenmfg.policy import load_policy
from greenmfg.publish import latest, read_manifest
from greenmfg.settings import Settings
from greenmfg.staging import StagedPart
from greenmfg.storage import Stores

JIAXING = "330400"
# The issue's list of Jiaxing's county-level divisions, checked here against the division package.
JIAXING_DISTRICTS = {
    "330402": "南湖区", "330411": "秀洲区", "330421": "嘉善县", "330424": "海盐县", "330481": "海宁市",
    "330482": "平湖市", "330483": "桐乡市",
}  # fmt: skip


@pytest.fixture
def profiles_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped profiles a test may edit; the profile cache is cleared before and after."""
    folder = tmp_path / "profiles"
    shutil.copytree(cities_load.PROFILES_DIR, folder)
    monkeypatch.setattr(cities_load, "PROFILES_DIR", folder)
    load_profile.cache_clear()
    yield folder
    load_profile.cache_clear()


def test_jiaxing_is_the_packages_city_with_the_issues_districts() -> None:
    jiaxing = load_profile(JIAXING)
    assert (jiaxing.name_zh, jiaxing.short_name, jiaxing.province) == ("嘉兴市", "嘉兴", "浙江")
    assert {d.code: d.name_zh for d in jiaxing.districts} == JIAXING_DISTRICTS
    assert all(divisions()[code].name == name for code, name in JIAXING_DISTRICTS.items())
    assert [d.kind for d in jiaxing.districts][:3] == ["district", "district", "county"]
    assert {d.kind for d in jiaxing.districts if d.code.startswith("33048")} == {"county-level city"}


@pytest.mark.parametrize(
    ("alias", "code"),
    [("德清", "330521"), ("德清县", "330521"), ("湖州市", "330500"), ("市本级", "330500"),
     ("南太湖新区", "330502"), ("330523", "330523")],
)  # fmt: skip
def test_huzhou_district_aliases_are_derived_and_its_zones_mapped(alias: str, code: str) -> None:
    assert load_profile(DEFAULT_CITY).district_aliases()[alias] == code


def test_the_setting_selects_the_city_its_store_and_its_vocabulary(set_env) -> None:
    assert selected().code == DEFAULT_CITY and Settings().store_url == ".greenmfg/store"
    set_env(GREENMFG_CITY=JIAXING)
    assert selected().code == JIAXING
    assert Settings().store_url == ".greenmfg/cities/330400/store"  # never Huzhou's store by accident
    aliases = vocabulary().district_aliases
    assert aliases["海宁"] == "330481" and "德清" not in aliases
    set_env(GREENMFG_CITY="")
    assert selected().code == DEFAULT_CITY


def test_an_unknown_city_is_one_line_naming_the_profiles(set_env) -> None:
    set_env(GREENMFG_CITY="110000")
    with pytest.raises(SettingsError, match=r"no city profile for '110000'.*\['330400', '330500'\]") as err:
        selected()
    assert "\n" not in str(err.value)


def test_a_profile_whose_districts_differ_from_the_package_is_refused(profiles_dir: Path) -> None:
    path = profiles_dir / f"{JIAXING}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('330483 = "Tongxiang"\n', ""), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[districts_en\].*expected exactly the county-level divisions"):
        load_profile(JIAXING)


def test_the_profiles_policy_values_apply_with_their_years_and_reach_the_manifest(
    profiles_dir: Path, local_stores: Stores
) -> None:
    """Jiaxing's profile raising the star threshold and lowering the award cap from 2020: 2019 is derived
    with the values before, 2020 with the new ones, and the snapshot's manifest records all of it."""
    path = profiles_dir / f"{JIAXING}.toml"
    change = "\n[[policy.changes]]\nfrom_year = 2020\nstar_threshold = 4\nmodel_award_cap_10k_yuan = 800.0\n"
    text = path.read_text(encoding="utf-8").replace("\n[reference]", change + "\n[reference]")
    path.write_text(text, encoding="utf-8")
    policy = load_policy(Settings(city=JIAXING))
    assert (policy.city_code, policy.in_year(2019).star_threshold, policy.in_year(2020).star_threshold) == (
        JIAXING, 3, 4,
    )  # fmt: skip

    factory = {"list_type": "green_factory", "tier": "municipal", "stars": 3, "credit_code": "A",
               "valid_from_date": "2018-03-01", "is_revoked": False}  # fmt: skip
    stats = [{"year": y, "credit_code": "A", "district_code": "330402", "industry_division": "26",
              "is_above_size": True} for y in (2019, 2020)]  # fmt: skip
    award = {"district_code": "330402", "incentive_kind": "model_award", "amount_10k_yuan": 900.0}
    inputs = {
        "enterprise_stats": canonical("enterprise_stats", stats, "stats"),
        "green_register": canonical("green_register", [{**factory, "year": y} for y in (2019, 2020)], "reg"),
        "incentives": canonical("incentives", [{**award, "year": y} for y in (2019, 2020)], "inc"),
    }
    coverage = derive("green_coverage", inputs, policy)
    incentives = derive("incentives", inputs, policy)
    for year, (stars, plants, cap, above) in {2019: (3, 1, 1000.0, 0), 2020: (4, 0, 800.0, 1)}.items():
        city = row_of(coverage, year=year, region_code=JIAXING, industry_division="ALL")
        assert (city["star_threshold"], city["green_plants"]) == (stars, plants)
        grants = row_of(incentives, year=year, region_code=JIAXING, incentive_kind="model_award")
        assert (grants["model_award_cap_10k_yuan"], grants["above_cap_grants"]) == (cap, above)

    datasets = {"green_coverage": coverage, "incentives": incentives}
    shas = {"enterprise_stats": "stats", "green_register": "reg", "incentives": "inc"}
    in_force = {
        (filing_type, year): StagedPart(sha, filing_type, year, f"{sha}.csv", "2021-01-01", f"k/{sha}", 1)
        for filing_type, sha in shas.items()
        for year in (2019, 2020)
    }
    published = build.publish(local_stores, datasets, build.Selection(in_force, []), policy)
    manifest = read_manifest(local_stores.published, published.snapshot_id)
    parameters = manifest["parameters"]
    recorded = (parameters["city_code"], parameters["star_threshold"], parameters["model_award_cap_10k_yuan"])
    assert recorded == (JIAXING, 3, 1000.0)
    assert parameters["changes"] == [
        {"from_year": 2020, "values": {"star_threshold": 4, "model_award_cap_10k_yuan": 800.0}}
    ]
    assert manifest["dictionary"]["city"]["code"] == JIAXING
    assert {row["district_code"] for row in manifest["dictionary"]["code_lists"]["districts"]} == {
        JIAXING, *JIAXING_DISTRICTS,
    }  # fmt: skip


def test_a_store_of_one_city_refuses_another(local_stores: Stores) -> None:
    huzhou = load_policy(Settings())
    coverage = derive("green_coverage", {}, huzhou)
    build.publish(local_stores, {"green_coverage": coverage}, build.Selection({}, []), huzhou)
    assert latest(local_stores.published) is not None
    check_store_city(local_stores.published, DEFAULT_CITY)  # its own city: fine
    with pytest.raises(
        SettingsError, match=r"holds the snapshots of 湖州市 \(330500\); expected a store of 嘉兴市"
    ):
        check_store_city(local_stores.published, JIAXING)
