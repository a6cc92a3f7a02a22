"""MIIT removal notices (动态调整): a filing type in the ministry's shape, and effective-dated membership —
in-force counts drop by the removed entries at the notice's date while per-batch entries stay as listed."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from helpers.removal_notice import FILE_NAME, NOTICE_ISO, entries, write_notice
from test_indicators import MIIT_FACTORIES, canonical, row_of
from test_miit_cities import HUZHOU, inputs  # noqa: F401 - the real lists, parsed once per module

from greenmfg import sweep
from greenmfg.contracts import MIIT_REMOVALS
from greenmfg.indicators import derive, membership
from greenmfg.indicators.miit_cities import ALL, rows_in_force
from greenmfg.parsing import parse_one
from greenmfg.policy import Policy
from greenmfg.storage import Stores

NOTICE = pd.Timestamp(NOTICE_ISO)


@pytest.fixture(scope="module")
def notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_notice(tmp_path_factory.mktemp("notice"))


@pytest.fixture(scope="module")
def notice_rows(notice: Path) -> pd.DataFrame:
    return parse_one(notice.read_bytes(), notice.name).rows.assign(source_sha256="n" * 64)


# --- the filing type ----------------------------------------------------------------------------------


def test_the_notice_is_read_as_a_removal_notice(notice: Path, notice_rows: pd.DataFrame) -> None:
    parsed = parse_one(notice.read_bytes(), notice.name)
    assert parsed.filing_type == MIIT_REMOVALS and parsed.periods == [2023]
    assert {i["column"]: i["evidence"] for i in parsed.inferences} == {
        "notice_date": f"the title states {NOTICE_ISO}"
    }
    rows = notice_rows
    assert len(rows) == len(entries()) and set(rows["notice_date"]) == {NOTICE}
    assert Counter(rows["list_type"]) == Counter(e["list_type"] for e in entries())
    by_name = rows.set_index("entity_name")
    assert by_name.loc["富鼎电子科技（嘉善）有限公司", "batch"] == 3  # 第三批
    assert by_name.loc["宁波大发化纤有限公司", ["batch", "region", "province"]].tolist() == [
        6,
        "宁波",
        "浙江",
    ]
    assert by_name.loc["湖州老恒和酿造有限公司", "district_code"] == HUZHOU.code  # placed in the city
    assert by_name.loc["安吉正源塑木装饰材料有限公司", "district_code"] == "330523"
    assert pd.isna(by_name.loc["湖州珍贝羊绒制品有限公司", "product_model"])  # every model of the product


def test_the_notice_lands_validates_and_stages(local_stores: Stores, notice: Path) -> None:
    key = f"auto/{FILE_NAME}"
    local_stores.landing.write_bytes(key, notice.read_bytes())
    result = sweep.ingest_landed(local_stores, key, build_docs=False)
    assert result.status == "accepted", result.message
    (part,) = result.parts
    assert (part.filing_type, part.periods, part.rows_accepted, part.rows_quarantined) == (
        MIIT_REMOVALS, [2023], len(entries()), 0,
    )  # fmt: skip
    assert list(part.staged) == ["2023"]


# --- effective-dated membership, on hand-made lists -------------------------------------------------------


def removal(batch: int, name: str, day: str, list_type: str = "green_factory", **product: str) -> dict:
    return {"notice_year": int(day[:4]), "notice_date": day, "list_type": list_type, "batch": batch,
            "entity_name": name, **product}  # fmt: skip


def test_a_removal_lowers_the_counts_in_force_from_its_date_and_keeps_the_batches_as_listed() -> None:
    lists = canonical("miit_green_factories", MIIT_FACTORIES, "miit")
    notices = [
        removal(1, "浙一", "2017-12-01"),
        removal(2, "苏三", NOTICE_ISO),
        removal(2, "无此厂", NOTICE_ISO),
    ]
    plain = derive("green_list_counts", {"miit_green_factories": lists}, Policy())
    removed = derive(
        "green_list_counts",
        {"miit_green_factories": lists, MIIT_REMOVALS: canonical(MIIT_REMOVALS, notices, "notice")},
        Policy(),
    )
    batch_rows = removed[removed["entries"].notna()].drop(columns=["removed_entities", "in_force_entities",
                                                                    "source_sha256s"])  # fmt: skip
    kept = plain.drop(columns=["removed_entities", "in_force_entities", "source_sha256s"])
    pd.testing.assert_frame_equal(batch_rows.reset_index(drop=True), kept)  # per batch: as listed
    assert sorted(removed["as_of_date"].dropna().unique()) == [
        pd.Timestamp("2017-08-23"), pd.Timestamp("2017-12-01"), pd.Timestamp("2018-02-11"), NOTICE,
    ]  # fmt: skip
    expected = {  # (as of, region) → (batch, cumulative, removed, in force)
        ("2017-08-23", "浙江"): (1, 3, 0, 3),
        ("2017-12-01", "浙江"): (1, 3, 1, 2),  # 浙一 is off the list from the notice's date
        ("2018-02-11", "浙江"): (2, 4, 1, 3),
        ("2017-12-01", "330500"): (1, 2, 1, 1),
        ("2017-12-01", "330502"): (1, 1, 1, 0),
        (NOTICE_ISO, "全国"): (2, 11, 2, 9),  # 浙一 and 苏三; the unknown 无此厂 removes nothing
        (NOTICE_ISO, "江苏"): (2, 3, 1, 2),
    }
    for (day, region), (batch, cumulative, gone, live) in expected.items():
        row = row_of(removed, source_list="miit", as_of_date=pd.Timestamp(day), region_code=region)
        got = (row["batch"], row["cumulative_entities"], row["removed_entities"], row["in_force_entities"])
        assert got == (batch, cumulative, gone, live), (day, region)
    notice_row = row_of(removed, source_list="miit", as_of_date=NOTICE, region_code="全国")
    assert pd.isna(notice_row["entities"]) and pd.isna(notice_row["entries"])
    assert "notice" in notice_row["source_sha256s"].split(";")


def test_a_notice_without_a_model_removes_every_model_and_a_wrong_name_is_unmatched() -> None:
    products = [
        {"batch": 4, "entity_name": "甲公司", "product_name": "电机", "product_model": m, "province": "浙江"}
        for m in ("A-1", "A-2")
    ] + [
        {
            "batch": 4,
            "entity_name": "乙公司",
            "product_name": "电机",
            "product_model": "B",
            "province": "浙江",
        }
    ]
    notices = canonical(
        MIIT_REMOVALS,
        [removal(4, "甲 公司", NOTICE_ISO, "green_design_product", product_name="电机"),  # spaces as written
         removal(4, "丙公司", NOTICE_ISO, "green_design_product", product_name="电机", product_model="C")],
        "notice",
    )  # fmt: skip
    listed = canonical("miit_green_design_products", products, "miit").assign(
        list_type="green_design_product"
    )
    dates = membership.removed(listed, notices)["removed_date"]
    assert dates.tolist()[:2] == [NOTICE, NOTICE] and pd.isna(dates.iloc[2])
    assert membership.unmatched(listed, notices)["entity_name"].tolist() == ["丙公司"]


# --- the real lists and the fixture notice ------------------------------------------------------------


@pytest.fixture(scope="module")
def with_notice(inputs, notice_rows) -> dict[str, pd.DataFrame]:  # noqa: F811 - the imported fixture
    return {**inputs, MIIT_REMOVALS: notice_rows}


def test_the_notice_lowers_the_national_counts_in_force_by_the_removed_entries(inputs, with_notice) -> None:  # noqa: F811
    before = derive("green_list_counts", inputs, Policy())
    after = derive("green_list_counts", with_notice, Policy())
    listed = ["batch", "region_code", "list_type", "entities", "entries", "cumulative_entities"]
    batch_rows = after[after["entries"].notna()]
    pd.testing.assert_frame_equal(
        batch_rows[listed].reset_index(drop=True), before[listed].reset_index(drop=True)
    )  # entries as published, batch by batch
    national = after[(after["region_code"] == "全国") & (after["as_of_date"] == NOTICE)].set_index(
        "list_type"
    )
    removed = Counter(e["list_type"] for e in entries())
    assert national["removed_entities"].to_dict() == dict(removed)
    assert (
        national["in_force_entities"] == national["cumulative_entities"] - national["removed_entities"]
    ).all()


def test_rankings_count_the_entries_in_force_at_the_date(with_notice) -> None:
    counts = derive("miit_city_counts", with_notice, Policy())
    huzhou_removed = sum(1 for e in entries() if e["entity_name"].startswith(("湖州", "安吉")))
    city = counts[(counts["region_code"] == HUZHOU.code) & (counts["list_type"] == ALL)]
    at_notice = city[city["as_of_date"] == NOTICE].iloc[0]
    assert at_notice["removed_entities"] == huzhou_removed == 3
    assert at_notice["in_force_entities"] == at_notice["cumulative_entities"] - 3
    in_force = rows_in_force(counts, NOTICE_ISO)
    ranked = in_force[(in_force["list_type"] == ALL) & (in_force["city_kind"] == "prefecture")]
    ahead = int((ranked["in_force_entities"] > at_notice["in_force_entities"]).sum())
    assert at_notice["rank_among_cities"] == ahead + 1
    assert (
        rows_in_force(counts, "2020-12-31")
        .query("region_code == @HUZHOU.code and list_type == @ALL")["rank_among_cities"]
        .item()
        == 18
    )  # the 2020 rank is untouched by a notice of 2023
    places = derive("miit_entry_places", with_notice, Policy())
    gone = places[places["removed_date"].notna()]
    assert set(gone["removed_date"]) == {NOTICE}
    assert gone["source_sha256s"].str.endswith("n" * 64).all()
    assert len(gone.drop_duplicates(["list_type", "batch", "entity_name", "product_name"])) == len(entries())


# --- a notice row that names nothing: said, never silent --------------------------------------------------


def test_a_notice_row_naming_no_listed_entry_is_reported_by_publish_and_in_the_manifest(
    tmp_path: Path,
) -> None:
    from helpers.removal_notice import HEADER, LIST_NAMES, NOTICE_DATE
    from openpyxl import Workbook
    from test_cli_ingest_publish import greenmfg

    from greenmfg.demonstration import MIIT_DIR

    store = tmp_path / "store"
    parks = [e for e in entries() if e["list_type"] == "green_park"]
    book = Workbook()
    sheet = book.active
    sheet.append(["绿色制造名单动态调整名单"])
    sheet.append([f"（{NOTICE_DATE}；测试用样例）"])
    sheet.append(list(HEADER))
    real, misspelt = parks[0], {**parks[0], "entity_name": parks[0]["entity_name"] + "管委会"}
    for serial, e in enumerate((real, misspelt), start=1):
        sheet.append(
            [serial, LIST_NAMES["green_park"], e["region"], e["entity_name"], None, None, e["batch_listed"]]
        )
    notice = tmp_path / FILE_NAME
    book.save(notice)
    landed = greenmfg("ingest", str(MIIT_DIR / "绿色工业园区名单.csv"), str(notice), store=store)
    assert landed.returncode == 0, landed.stderr
    shown = greenmfg("publish", store=store)
    assert shown.returncode == 0, shown.stderr
    warned = [line for line in shown.stdout.splitlines() if "names no entry" in line]
    assert len(warned) == 1 and misspelt["entity_name"] in warned[0] and "row 5" in warned[0], shown.stdout
    manifest = sorted((store / "published" / "snapshots").glob("*/manifest.json"))
    unmatched = json.loads(manifest[0].read_text(encoding="utf-8"))["validation"]["unmatched_removals"]
    assert [(u["entity_name"], u["source_row"], u["list_type"]) for u in unmatched] == [
        (misspelt["entity_name"], 5, "green_park")
    ]
    parks_in_force = greenmfg(
        "read",
        "green_list_counts",
        "--where",
        "list_type=green_park",
        "--where",
        "region_level=national",
        "--format",
        "csv",
        store=store,
    )
    assert parks_in_force.returncode == 0, parks_in_force.stderr
    counts = pd.read_csv(io.StringIO(parks_in_force.stdout))
    after = counts[counts["as_of_date"] == NOTICE_ISO]
    assert after["removed_entities"].tolist() == [
        1
    ]  # the real row removed its park, the misspelt one nothing
