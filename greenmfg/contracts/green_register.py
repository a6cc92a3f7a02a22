"""Green accreditation register: factories, parks, supply-chain enterprises and design products, by tier."""

from greenmfg.contracts.enterprise_stats import USCC_PATTERN
from greenmfg.contracts.model import Column, Contract

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
        Column("year", "int", "Year of the register filing (status at that year's end).", minimum=1990,
               maximum=2100),
        Column("entity_type", "string", "What is accredited: enterprise, park or product.",
               codes="entity_types", derived=True),
        Column("list_type", "string", "Green manufacturing list the accreditation belongs to.",
               codes="list_types"),
        Column("tier", "string", "Accrediting level: national, provincial or municipal.", codes="tiers"),
        Column("stars", "int", "Huzhou star rating of a green factory (3 municipal, 4 provincial, "
               "5 national recommendation).", nullable=True, minimum=1, maximum=5),
        Column("credit_code", "string", "Unified Social Credit Code of the enterprise (none for parks).",
               nullable=True, pattern=USCC_PATTERN),
        Column("entity_name", "string", "Name of the enterprise or park."),
        Column("product_name", "string", "Product name (design products only).", nullable=True),
        Column("product_model", "string", "Product model (design products only).", nullable=True),
        Column("district_code", "string", "GB/T 2260 district or county code.", codes="districts"),
        Column("industry_code", "string", "GB/T 4754-2017 industry class, 4 digits.", nullable=True,
               pattern=r"^\d{4}$"),
        Column("batch", "string", "Batch of the list that announced the accreditation.", nullable=True),
        Column("evaluation_standard", "string", "Standard and edition used for the evaluation, e.g. "
               "GB/T 36132-2018.", nullable=True),
        Column("valid_from_date", "date", "First day the accreditation is in force."),
        Column("valid_to_date", "date", "Last day in force (expiry or revocation); empty while open.",
               nullable=True),
        Column("is_revoked", "bool", "Removed from the list (动态调整出) rather than expired."),
    ),
)
