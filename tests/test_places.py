"""Placing MIIT entries in cities by name: the division package, the derived name forms, the rules, and a
hand-checked sample of real entries (precision must be 100 %; recall is measured and printed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from greenmfg import codes
from greenmfg.cities import available_cities, load_profile
from greenmfg.parsing.miit import region_table
from greenmfg.places import DIVISIONS_VINTAGE, place
from greenmfg.places import divisions as division_table
from greenmfg.places.divisions import divisions
from greenmfg.places.names import province_texts, readings, short_form
from greenmfg.places.placer import (
    AMBIGUOUS,
    BRAND,
    CONFLICT,
    ELSEWHERE,
    NO_PLACE,
    NO_PROVINCE,
    REGION_DISAGREES,
    UNIT_ELSEWHERE,
)

FIXTURE = Path(__file__).parent / "fixtures" / "miit_places_checked.csv"
UNPLACED = "unplaced"


def checked_entries() -> list[dict[str, str]]:
    with open(FIXTURE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the division package ----------------------------------------------------------------------------


def test_the_package_still_dates_as_the_recorded_vintage():
    assert division_table.vintage_evidence_holds(), (
        f"the pinned {division_table.PACKAGE} no longer fits DIVISIONS_VINTAGE ({DIVISIONS_VINTAGE}): "
        "update the vintage and its evidence"
    )
    assert division_table.package_version() in DIVISIONS_VINTAGE


def test_every_region_of_the_lists_is_a_province_of_the_package():
    provinces = {row["province"] for row in codes.rows("regions")}
    assert provinces <= set(province_texts())


def test_every_county_has_a_city_to_count_in():
    named = divisions()
    counties = [d for d in named.values() if d.level == "county"]
    assert len(counties) > 2800
    assert all(d.city_code in named for d in counties)
    assert named["330522"].city_code == "330500"  # 长兴县 in 湖州
    assert named["110105"].city_code == "110000"  # 朝阳区 in 北京, a municipality
    assert named["429004"].city_kind == "province-administered"  # 仙桃, under 湖北 itself


@pytest.mark.parametrize(
    ("name", "short"),
    [("长兴县", "长兴"), ("湖州市", "湖州"), ("延边朝鲜族自治州", "延边"), ("景宁畲族自治县", "景宁"),
     ("黔南布依族苗族自治州", "黔南"), ("内蒙古自治区", "内蒙古"), ("广西壮族自治区", "广西"),
     ("大兴安岭地区", "大兴安岭"), ("阿拉善盟", "阿拉善"), ("城区", None), ("萧县", None),
     ("神农架林区", "神农架")],
)  # fmt: skip
def test_short_forms_follow_the_rule(name, short):
    assert short_form(name) == short


def test_profile_places_are_only_what_the_package_does_not_name():
    """A profile adds towns and zones only: its city's, districts' and counties' names are the package's own
    (their short forms derived), so no profile place repeats one of them."""
    for code in available_cities():
        profile = load_profile(code)
        own = {d.code for d in divisions().values() if d.city_code == code}
        derived = {
            text for c in own for text in (divisions()[c].name, short_form(divisions()[c].name)) if text
        }
        assert profile.places and {p.kind for p in profile.places} <= {"town", "functional zone"}
        assert not {p.name for p in profile.places} & derived


def test_a_province_name_never_stands_for_a_city():
    assert {r.division.level for r in readings()["吉林"]} == {"province"}
    assert place("吉林建龙钢铁有限责任公司", "吉林", "吉林").unplaced_reason == NO_PLACE


# --- the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "province", "region", "city", "county"),
    [
        ("浙江长兴金太阳电源有限公司", "浙江", "浙江", "330500", "330522"),  # county after the province
        ("湖州南浔经济开发区", "浙江", "浙江", "330500", "330503"),  # district with its city
        ("浙江南浔经济开发区", "浙江", "浙江", "330500", "330503"),  # district before a park word
        ("湖州南太湖", "浙江", "浙江", "330500", "330502"),  # a town of the city profile
        ("中国石油化工股份有限公司九江分公司", "江西", "江西", "360400", None),  # the branch's own place
        ("新凤鸣集团湖州中石科技有限公司", "浙江", "浙江", "330500", None),  # the subsidiary's own place
        ("腾森橡胶轮胎（威海）有限公司", "山东", "山东", "371000", None),  # bracketed place
        ("青岛啤酒（日照）有限公司", "山东", "山东", "371100", None),  # brackets beat the brand
        ("某某（鼓楼）有限公司", "江苏", "江苏", None, None),  # 鼓楼区 of 南京 and of 徐州
        ("利亚德电视技术有限公司", "北京", "北京", "110000", None),  # municipality by its region
        ("宁波金鸡强磁股份有限公司", "浙江", "宁波", "330200", None),  # separately planned city
        ("深圳安吉尔饮水产业集团有限公司", "广东", "广东", "440300", None),  # 安吉 is of 浙江
        ("景泰某某有限公司", "甘肃", "景泰", "620400", "620423"),  # a county written as the region
    ],
)  # fmt: skip
def test_placement_rules(name, province, region, city, county):
    placed = place(name, province, region)
    assert (placed.city_code, placed.county_code) == (city, county), placed


@pytest.mark.parametrize(
    ("name", "province", "region", "reason"),
    [
        ("某某有限公司", None, None, NO_PROVINCE),
        ("波司登羽绒服装有限公司", "江苏", "江苏", NO_PLACE),
        ("浙江湖州某某有限公司", "江苏", "江苏", ELSEWHERE),
        ("某某（鼓楼）有限公司", "江苏", "江苏", AMBIGUOUS),
        ("宿州马鞍山现代产业园区", "安徽", "安徽", CONFLICT),
        ("湖州老恒和酿造有限公司", "浙江", "宁波", REGION_DISAGREES),
        ("安徽黄山胶囊股份有限公司", "安徽", "安徽", BRAND),
        ("深圳市中金岭南有色金属股份有限公司丹霞冶炼厂", "广东", "广东", UNIT_ELSEWHERE),
        ("山东泰山钢铁集团有限公司", "山东", "山东", NO_PLACE),  # a district's short form as a brand
        ("青海祁连山水泥有限公司", "青海", "青海", NO_PLACE),  # a county's name in a mountain's
        ("合肥京东方光电科技有限公司", "海南", "海南", ELSEWHERE),  # 东方 inside a word does not count
    ],
)  # fmt: skip
def test_unplaced_entries_say_why(name, province, region, reason):
    placed = place(name, province, region)
    assert placed.city_code is None and placed.unplaced_reason == reason, placed


# --- the hand-checked sample ------------------------------------------------------------------------


def test_hand_checked_sample_covers_provinces_and_list_types():
    entries = checked_entries()
    assert len(entries) >= 100
    assert len({e["province"] for e in entries}) >= 20
    assert len({e["filing_type"] for e in entries}) == 4
    assert sum(e["expected_city_code"] == UNPLACED for e in entries) >= 10
    named = divisions()
    assert all(e["expected_city_code"] == UNPLACED or named[e["expected_city_code"]].city_code
               == e["expected_city_code"] for e in entries)  # fmt: skip


def test_placement_is_precise_on_the_hand_checked_sample():
    """Every entry placed is placed in its hand-checked city (100 % precision); recall is printed."""
    entries = checked_entries()
    regions = region_table()["region"]  # what the parser hands the placer, as in production
    results = [
        (e, place(e["entity_name"], e["province"], regions[e["region_raw"]]).city_code) for e in entries
    ]
    wrong = [(e["entity_name"], e["expected_city_code"], got) for e, got in results
             if got is not None and got != e["expected_city_code"]]  # fmt: skip
    assert wrong == []
    placeable = [got for e, got in results if e["expected_city_code"] != UNPLACED]
    recall = sum(got is not None for got in placeable) / len(placeable)
    print(
        f"\nplacement on {len(entries)} hand-checked entries: precision 100 %, recall {recall:.1%} "
        f"({sum(got is not None for got in placeable)} of {len(placeable)} placeable)"
    )
    assert recall >= 0.9
