"""Green accreditation register: factories, parks, supply-chain enterprises and design products, by tier."""

from greenmfg.contracts.fields import CREDIT_CODE, DISTRICT_CODE, YEAR, described
from greenmfg.contracts.model import Column, Contract, Implied

# Titles name the list and the tier of a register that files them once for all its rows.
_LIST_TITLES = (
    ("green_factory", ("绿色工厂",)),
    ("green_park", ("绿色园区", "绿色工业园区")),
    ("green_supply_chain", ("绿色供应链",)),
    ("green_design_product", ("绿色设计产品",)),
)
# Words of a header that may record a removal under a name the vocabulary does not know yet (状态: 有效/撤销):
# while such a header is unread, no removal cannot be implied.
_STATUS_WORDS = ("状态", "撤销", "移出", "调整", "备注", "情况", "有效")
_TIER_TITLES = (("national", ("国家级",)), ("provincial", ("省级",)), ("municipal", ("市级",)))

CONTRACT = Contract(
    filing_type="green_register",
    title="Green accreditation register",
    description=(
        "Accreditations in force or revoked, effective-dated: one row per accredited entity (enterprise, "
        "park or product), list type, tier and period of validity, as registered in the filing year."
    ),
    period_column="year",
    key=("year", "list_type", "tier", "entity_name", "product_model", "valid_from_date"),
    file_stem_hints=("绿色制造", "认定", "名录", "register", "accreditation"),
    columns=(
        described(YEAR, "Year of the register filing (status at that year's end)."),
        Column("entity_type", "string", "What is accredited: enterprise, park or product.",
               codes="entity_types", derived=True),
        Column("list_type", "string", "Green manufacturing list the accreditation belongs to (as filed, or "
               "named once in the title).", codes="list_types",
               implied=tuple(Implied(value, title_words=words) for value, words in _LIST_TITLES)),
        Column("tier", "string", "Accrediting level: national, provincial or municipal (as filed, or named "
               "once in the title).", codes="tiers",
               implied=tuple(Implied(value, title_words=words) for value, words in _TIER_TITLES)),
        Column("stars", "int", "Huzhou star rating of a green factory (3 municipal, 4 provincial, "
               "5 national recommendation); ★★★ and 四星级 are read as 3 and 4.", nullable=True, minimum=1,
               maximum=5, normaliser="stars"),
        described(CREDIT_CODE, "Unified Social Credit Code of the enterprise (none for parks).",
                  nullable=True),
        Column("entity_name", "string", "Name of the enterprise or park."),
        Column("product_name", "string", "Product name (design products only).", nullable=True),
        Column("product_model", "string", "Product model (design products only).", nullable=True),
        DISTRICT_CODE,
        Column("industry_code", "string", "GB/T 4754-2017 industry class, 4 digits.", nullable=True,
               pattern=r"^\d{4}$"),
        Column("batch", "string", "Batch of the list that announced the accreditation.", nullable=True),
        Column("evaluation_standard", "string", "Standard and edition used for the evaluation, e.g. "
               "GB/T 36132-2018.", nullable=True),
        Column("valid_from_date", "date", "First day the accreditation is in force (a month alone stands for "
               "its first day).", month_day="first"),
        Column("valid_to_date", "date", "Last day in force (expiry or revocation); empty while open (a month "
               "alone stands for its last day).", nullable=True, month_day="last"),
        Column("is_revoked", "bool", "Removed from the list (动态调整出) rather than expired; a status "
               "column reads 有效 as no and 撤销 as yes; a register without such a column records no removal "
               "(implied false), unless it carries an unknown header that may say so (状态, 备注…).",
               implied=(Implied(False, unless_headers=_STATUS_WORDS),), normaliser="revocation"),
    ),
)
