"""MIIT removal notices (绿色制造名单动态调整): entries taken off the national green lists, and when."""

from dataclasses import replace

from greenmfg import codes
from greenmfg.contracts.miit_lists import CITY_DISTRICT, COMMON_HEAD
from greenmfg.contracts.model import Column, Contract, Implied

FILING_TYPE = "miit_removals"
_BATCH_LISTED = replace(
    next(c for c in COMMON_HEAD if c.name == "batch"),
    description="Batch the entry was listed in (第三批 → 3; the lists' '2021' → 6).",
)


def _list_type_words() -> tuple[Implied, ...]:
    """A sheet or title naming a list (绿色工厂, 绿色设计产品…) implies the list type of its rows, from the
    list's names in codes/list_types.csv (those that say 绿色, so 工厂 alone never decides)."""
    return tuple(
        Implied(value=row["list_type"], title_words=tuple(
            w for w in (row["name_zh"], *row["aliases_zh"].split("|")) if "绿色" in w))
        for row in codes.rows("list_types")
    )  # fmt: skip


CONTRACT = Contract(
    filing_type=FILING_TYPE,
    title="MIIT removals from the national green lists",
    description="A removal notice (动态调整): one row per entry taken off a list, with the batch it was "
    "listed in and the notice's date; the entry is in force until the day before that date.",
    period_column="notice_year",
    key=("notice_year", "list_type", "batch", "entity_name", "product_name", "product_model"),
    file_stem_hints=("动态调整", "撤销名单", "移出名单"),
    columns=(
        Column(
            "notice_year",
            "int",
            "Year of notice_date: the period a notice is filed under (a later notice of "
            "the same year supersedes it).",
            derived=True,
            minimum=2017,
            maximum=2100,
        ),
        Column(
            "notice_date",
            "date",
            "Date of the removal notice: the entries leave the lists on it.",
            implied=(Implied(rule="date_in_title"),),
        ),
        Column(
            "list_type",
            "string",
            "List the entry is removed from.",
            codes="list_types",
            implied=_list_type_words(),
        ),
        *(_BATCH_LISTED if c.name == "batch" else c for c in COMMON_HEAD),
        Column("entity_name", "string", "Enterprise or park name as the notice writes it."),
        Column("product_name", "string", "Design products: product name.", nullable=True),
        Column(
            "product_model",
            "string",
            "Design products: product model; empty removes every model of the product listed in that batch.",
            nullable=True,
        ),
        CITY_DISTRICT,
    ),
)
