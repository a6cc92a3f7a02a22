"""Small hand-made tables: the workbook/CSV comparison and the MIIT cleaner's row rules."""

from __future__ import annotations

import pandas as pd
import pytest

from greenmfg.cities import DEFAULT_CITY
from greenmfg.contracts import check_consistency
from greenmfg.miit_compare import compare_list, edit_distance, header_notes
from greenmfg.parsing.miit import CATEGORY_HEADING, clean


def _names(*names: str, batch: str = "6") -> pd.DataFrame:
    return pd.DataFrame({"entity_name": list(names), "batch": batch})


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [("甲乙丙", "甲乙丙", 2, 0), ("甲?丙", "甲•丙", 2, 1), ("甲乙", "甲乙丙丁", 2, 2),
     ("甲", "乙丙丁戊", 2, 3)],
)
def test_edit_distance_stops_past_its_limit(a, b, limit, expected):
    assert edit_distance(a, b, limit) == expected


def test_a_name_that_lost_a_character_is_a_near_match_not_a_silent_match():
    result = compare_list(
        "miit_green_supply_chain",
        _names("上海三菱电机?上菱空调", "甲公司", "乙公司"),
        pd.concat([_names("上海三菱电机•上菱空调", "甲 公司", "丙公司"), _names("乙公司", batch="5")]),
    )
    assert result.matched == 1  # 甲公司: whitespace is not a difference; 乙公司 is in another batch
    assert [(m.workbook, m.csv, m.distance) for m in result.near_matches] == [
        ("上海三菱电机?上菱空调", "上海三菱电机•上菱空调", 1)
    ]
    assert "differs by one character" in result.near_matches[0].describe()
    assert (result.only_in_workbook, result.only_in_csv, result.agrees) == (["乙公司"], ["丙公司"], False)


def test_products_pair_a_garbled_model_of_the_same_enterprise_and_product():
    workbook = pd.DataFrame({"entity_name": ["甲公司"], "product_name": ["复合肥料"],
                             "product_model": ["2024-06-10 00:00:00"], "batch": "6"})
    csv = workbook.assign(product_model="24-6-10")
    result = compare_list("miit_green_design_products", workbook, csv)
    assert result.agrees and len(result.near_matches) == 1
    assert "date" in result.near_matches[0].describe()


def test_a_header_naming_another_kind_of_entity_is_called_wrong():
    notes = header_notes({"entity_name": "园区名称", "evaluator": "第三方评价机构名称"},
                         {"entity_name": "企业名称", "evaluator": "第三方评价机构"})
    assert len(notes) == 2
    assert notes[0].startswith("wrong header") and "园区名称" in notes[0]
    assert not notes[1].startswith("wrong header")
    assert header_notes({"entity_name": "园区名称"}, {"entity_name": "园区"}) == [
        "header of entity_name: workbook '园区名称', CSV '园区'"
    ]


def test_headers_csv_stays_consistent_with_the_contracts():
    assert check_consistency() == []


def test_workbook_style_headings_fill_the_rows_below_them():
    rows = [
        ("1.洗涤剂（2种）", "1.洗涤剂（2种）", "1.洗涤剂（2种）"),
        ("适用评价标准：《标准甲》", "适用评价标准：《标准甲》", "适用评价标准：《标准甲》"),
        ("绿色设计亮点：", "低磷", "低磷"),
        ("序号", "企业名称", "产品名称"),
        ("1", "甲公司", "洗衣液"),
        ("2", "乙公司 ", "洗洁精nan"),
        ("2.纸（1种）", "2.纸（1种）", "2.纸（1种）"),
        ("1", "丙公司", "纸巾"),
    ]
    frame = pd.DataFrame(rows, columns=["serial_no", "entity_name", "product_name"])
    frame["recommender"] = ["浙江省经济和信息化厅"] * len(frame)
    frame["batch"] = "2021"
    frame["source_row"] = range(1, len(frame) + 1)
    result = clean(frame, "miit_green_design_products", DEFAULT_CITY)
    out = result.frame
    assert out["entity_name"].tolist() == ["甲公司", "乙公司", "丙公司"]
    assert out["product_name"].tolist() == ["洗衣液", "洗洁精", "纸巾"]
    assert out["category"].tolist() == ["1.洗涤剂（2种）", "1.洗涤剂（2种）", "2.纸（1种）"]
    assert out["standard"].tolist() == ["《标准甲》", "《标准甲》", None]  # a new category resets it
    assert out["highlights"].tolist() == ["低磷", "低磷", None]
    assert set(out["batch"]) == {"6"} and set(out["province"]) == {"浙江"}
    assert out["product_model"].tolist() == ["-", "-", "-"]
    assert result.dropped == [(1, CATEGORY_HEADING), (2, CATEGORY_HEADING), (3, CATEGORY_HEADING),
                              (4, "repeated header row"), (7, CATEGORY_HEADING)]


def test_a_word_ending_in_nan_keeps_its_ending():
    frame = pd.DataFrame({"serial_no": ["1", "2"], "region_raw": ["湖南", "湖南"], "batch": ["1", "1"],
                          "entity_name": ["Hunan Steel", "某公司nan"], "source_row": [2, 3]})
    out = clean(frame, "miit_green_factories", DEFAULT_CITY).frame
    assert out["entity_name"].tolist() == ["Hunan Steel", "某公司"]
