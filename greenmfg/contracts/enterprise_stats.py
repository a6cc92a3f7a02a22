"""Annual statistics of enterprises above designated size (forms 101-1, B204-1, 205-1)."""

from greenmfg.contracts.fields import CREDIT_CODE, DISTRICT_CODE, ENTERPRISE_NAME, YEAR, described
from greenmfg.contracts.model import Column, Contract, Implied
from greenmfg.units import YUAN_10K

ENERGY_BY_TYPE: tuple[Column, ...] = (
    Column("raw_coal_t", "float", "Raw coal consumed.", unit="t", nullable=True, minimum=0),
    Column("coke_t", "float", "Coke consumed.", unit="t", nullable=True, minimum=0),
    Column("crude_oil_t", "float", "Crude oil consumed.", unit="t", nullable=True, minimum=0),
    Column("fuel_oil_t", "float", "Fuel oil consumed.", unit="t", nullable=True, minimum=0),
    Column("gasoline_t", "float", "Gasoline consumed.", unit="t", nullable=True, minimum=0),
    Column("diesel_t", "float", "Diesel consumed.", unit="t", nullable=True, minimum=0),
    Column("lpg_t", "float", "Liquefied petroleum gas consumed.", unit="t", nullable=True, minimum=0),
    Column("natural_gas_10k_m3", "float", "Natural gas consumed.", unit="10k_m3", nullable=True, minimum=0),
    Column(
        "electricity_10k_kwh", "float", "Electricity consumed.", unit="10k_kwh", nullable=True, minimum=0
    ),
    Column("heat_gj", "float", "Purchased heat consumed.", unit="gj", nullable=True, minimum=0),
)

CONTRACT = Contract(
    filing_type="enterprise_stats",
    title="Enterprise annual statistics (above designated size)",
    description=(
        "One row per enterprise and year: identity, district, industry, size, output, revenue, value "
        "added, energy by type and in total, water and land. Money in 10,000 yuan."
    ),
    period_column="year",
    key=("year", "credit_code"),
    file_stem_hints=("规上", "企业统计", "101-1", "B204", "205-1", "enterprise"),
    columns=(
        described(YEAR, "Statistical year the row reports."),
        CREDIT_CODE,
        described(ENTERPRISE_NAME, "Registered full name of the enterprise."),
        Column(
            "division_code",
            "string",
            "12-digit administrative division code of the enterprise's location.",
            nullable=True,
            pattern=r"^\d{12}$",
        ),
        DISTRICT_CODE,
        Column(
            "industry_code",
            "string",
            "GB/T 4754-2017 industry class, 4 digits (a leading section letter such as C2822 is dropped "
            "when it is the section of the class).",
            pattern=r"^\d{4}$",
            normaliser="industry_class",
        ),
        Column(
            "industry_division",
            "string",
            "GB/T 4754-2017 two-digit division (first two digits of industry_code).",
            derived=True,
            pattern=r"^\d{2}$",
        ),
        Column("size_class", "string", "Enterprise size class (NBS codes 1–4 are read as large to micro).",
               nullable=True, codes="size_classes"),
        Column(
            "is_above_size",
            "bool",
            "Above designated size (annual main-business revenue ≥ 20 million yuan since 2011): as filed, or "
            "implied for every row by a table titled or named as above-size enterprises (规上 / 规模以上), "
            "else by the revenue threshold of the year (recorded in inferred_values).",
            implied=(
                Implied(True, title_words=("规上", "规模以上")),
                Implied(rule="above_size_by_revenue", columns=("revenue_10k_yuan",)),
            ),
        ),
        Column("revenue_10k_yuan", "float", "Main-business revenue.", unit=YUAN_10K, minimum=0),
        Column(
            "gross_output_10k_yuan", "float", "Gross industrial output (current prices).", unit=YUAN_10K,
            minimum=0,
        ),
        Column(
            "value_added_10k_yuan", "float", "Industrial value added (comparable prices).", unit=YUAN_10K,
            nullable=True, minimum=0,
        ),
        Column("employees", "int", "Average number of employees.", unit="persons", nullable=True, minimum=0),
        *ENERGY_BY_TYPE,
        Column(
            "energy_total_tce", "float", "Total energy consumption as reported.", unit="tce", nullable=True,
            minimum=0,
        ),
        Column("water_10k_t", "float", "Water used (a volume in cubic metres counts as tonnes).",
               unit="10k_t",
               nullable=True, minimum=0, unit_equivalents=(("10k_m3", 1.0),)),
        Column("land_area_m2", "float", "Land area occupied.", unit="m2", nullable=True, minimum=0),
    ),
)
