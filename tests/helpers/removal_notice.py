"""A removal notice (绿色制造名单动态调整) in the ministry's shape, from fixtures/miit_removal_notice.csv.

The entries are real entries of the lists in ../shared/data (so they match), the notice is not: MIIT's batch-7
notice removed 41 factories, 72 products, 3 parks and 5 supply-chain enterprises (DOMAIN.md); this one has
the same four lists with a few entries each, and its title says it is a test sample. The shape of the
ministry's list attachments: a title with the notice's date, then 序号, 名单类型, 地区, 单位名称, 产品名称,
产品型号 and 入选批次 (the batch the entry was listed in, as the lists write it: 第三批, 2021年度).
"""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "miit_removal_notice.csv"
NOTICE_DATE = "2023年3月23日"  # batch 7's publication date: MIIT announced its removals with that batch
NOTICE_ISO = "2023-03-23"
LIST_NAMES = {  # as the notice names each list (greenmfg/codes/list_types.csv reads them)
    "green_factory": "绿色工厂",
    "green_design_product": "绿色设计产品",
    "green_park": "绿色工业园区",
    "green_supply_chain": "绿色供应链管理企业",
}
FILE_NAME = "2023年绿色制造名单动态调整名单.xlsx"
HEADER = ("序号", "名单类型", "地区", "单位名称", "产品名称", "产品型号", "入选批次")


def entries() -> list[dict[str, str]]:
    with open(FIXTURE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_notice(folder: Path) -> Path:
    """The notice as an XLSX workbook in `folder`; returns its path."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "动态调整名单"
    sheet.append(["附件"])
    sheet.append(["绿色制造名单动态调整名单"])
    sheet.append([f"（{NOTICE_DATE}；测试用样例，按工业和信息化部名单格式编制，所列调整并非真实）"])
    sheet.append(list(HEADER))
    for serial, e in enumerate(entries(), start=1):
        sheet.append([serial, LIST_NAMES[e["list_type"]], e["region"], e["entity_name"],
                      e["product_name"] or None, e["product_model"] or None, e["batch_listed"]])  # fmt: skip
    path = folder / FILE_NAME
    book.save(path)
    return path
