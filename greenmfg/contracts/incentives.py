"""Incentive awards and equipment-investment subsidies, as announced in 公示名单."""

from greenmfg.contracts.enterprise_stats import USCC_PATTERN
from greenmfg.contracts.model import Column, Contract
from greenmfg.units import YUAN_10K

CONTRACT = Contract(
    filing_type="incentives",
    title="Incentive awards and equipment-investment subsidies",
    description=(
        "One row per award or subsidy announced: enterprise, honour or project, approval document, "
        "amounts in 10,000 yuan."
    ),
    period_column="year",
    key=("year", "incentive_kind", "credit_code", "project_name"),
    file_stem_hints=("公示", "奖励", "补助", "incentive", "subsid"),
    columns=(
        Column("year", "int", "Year of the announcement.", minimum=1990, maximum=2100),
        Column("serial_no", "int", "Serial number in the announcement.", nullable=True),
        Column("credit_code", "string", "Unified Social Credit Code of the enterprise.",
               pattern=USCC_PATTERN),
        Column("enterprise_name", "string", "Name of the enterprise."),
        Column("district_code", "string", "GB/T 2260 district or county code.", codes="districts"),
        Column("incentive_kind", "string", "Model award or equipment-investment subsidy.",
               codes="incentive_kinds"),
        Column("honour", "string", "Honour the award recognises (e.g. national green factory).",
               nullable=True),
        Column("project_name", "string", "Transformation project (subsidies).", nullable=True),
        Column("approval_document", "string", "Approval document and number.", nullable=True),
        Column("equipment_investment_10k_yuan", "float", "Equipment investment of the project.",
               unit=YUAN_10K, nullable=True, minimum=0),
        Column("amount_10k_yuan", "float", "Award or subsidy granted.", unit=YUAN_10K, minimum=0),
        Column("remarks", "string", "Remarks as announced.", nullable=True),
    ),
)
