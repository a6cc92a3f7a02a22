"""The MIIT national green manufacturing lists (绿色制造名单), one contract per list type."""

from greenmfg.contracts.model import Column, Contract

COMMON_HEAD = (  # shared with the removal notices (miit_removals)
    Column("batch", "int", "Batch number (1–7; the file's '2021' is batch 6).", minimum=1, maximum=20),
    Column("serial_no", "int", "Serial number within the batch as published (restarts per section).",
           nullable=True),
    Column("region_raw", "string", "Region as written in the list.", nullable=True),
    Column("region", "string", "Region normalised (province, or separately planned city).",
           derived=True, nullable=True),
    Column("province", "string", "Province the region belongs to.", derived=True, nullable=True),
)
_EVALUATOR = Column("evaluator", "string", "Third-party evaluation body.", nullable=True)
CITY_DISTRICT = Column(
    "district_code", "string",
    "District of the pipeline's city (its profile) the entity is placed in by a place name in its name; the "
    "city's own code when the name places it in the city but no district; empty when not placed in the city.",
    derived=True, nullable=True, codes="districts",
)

FACTORIES = Contract(
    filing_type="miit_green_factories",
    title="MIIT national green factories",
    description="National green factory list, one row per factory and batch.",
    period_column="batch",
    key=("batch", "entity_name"),
    file_stem_hints=("绿色工厂",),
    columns=(*COMMON_HEAD, Column("entity_name", "string", "Factory (enterprise) name."),
             Column("industry", "string", "Industry as listed (batches 1–2 only).", nullable=True),
             _EVALUATOR, CITY_DISTRICT),
)

PARKS = Contract(
    filing_type="miit_green_parks",
    title="MIIT national green industrial parks",
    description="National green industrial park list, one row per park and batch.",
    period_column="batch",
    key=("batch", "entity_name"),
    file_stem_hints=("绿色工业园区", "绿色园区"),
    columns=(*COMMON_HEAD, Column("entity_name", "string", "Park name."), _EVALUATOR, CITY_DISTRICT),
)

SUPPLY_CHAIN = Contract(
    filing_type="miit_green_supply_chain",
    title="MIIT national green supply-chain management enterprises",
    description="National green supply-chain management enterprise list, one row per enterprise and batch.",
    period_column="batch",
    key=("batch", "entity_name"),
    file_stem_hints=("绿色供应链",),
    columns=(*COMMON_HEAD, Column("entity_name", "string", "Enterprise name."), _EVALUATOR, CITY_DISTRICT),
)

DESIGN_PRODUCTS = Contract(
    filing_type="miit_green_design_products",
    title="MIIT national green design products",
    description="National green design product list, one row per enterprise, product and model in a batch.",
    period_column="batch",
    key=("batch", "entity_name", "product_name", "product_model"),
    file_stem_hints=("绿色设计产品", "绿色产品"),
    columns=(
        *COMMON_HEAD,
        Column("entity_name", "string", "Enterprise name."),
        Column("product_name", "string", "Product name."),
        Column("product_model", "string", "Product model ('-' when none was given).", nullable=True,
               marks_are_values=True),
        Column("recommender", "string", "Recommending body.", nullable=True),
        Column("category", "string", "Product category heading as published.", nullable=True),
        Column("highlights", "string", "Green design highlights as published.", nullable=True),
        Column("standard", "string", "Applicable evaluation standard.", nullable=True),
        CITY_DISTRICT,
    ),
)

CONTRACTS = (FACTORIES, PARKS, SUPPLY_CHAIN, DESIGN_PRODUCTS)
