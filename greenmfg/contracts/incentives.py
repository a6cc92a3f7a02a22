"""Incentive awards and equipment-investment subsidies, as announced in 公示名单."""

from greenmfg.contracts.fields import CREDIT_CODE, DISTRICT_CODE, ENTERPRISE_NAME, YEAR, described
from greenmfg.contracts.model import Column, Contract, Implied
from greenmfg.units import YUAN_10K

# The amount's header names the kind of grant in most announcements: 补助金额 (subsidy), 奖励金额 (award).
_SUBSIDY_WORDS = ("补助", "补贴")
_AWARD_WORDS = ("奖励", "奖金")

CONTRACT = Contract(
    filing_type="incentives",
    title="Incentive awards and equipment-investment subsidies",
    description=(
        "One row per award or subsidy announced: enterprise, honour or project, approval document, "
        "amounts in 10,000 yuan. Announcements (公示名单) often give neither credit code nor district: such "
        "rows count in the city total only."
    ),
    period_column="year",
    key=("year", "incentive_kind", "enterprise_name", "honour", "project_name"),
    file_stem_hints=("公示", "奖励", "补助", "incentive", "subsid"),
    columns=(
        described(YEAR, "Year of the announcement."),
        Column("serial_no", "int", "Serial number in the announcement.", nullable=True),
        described(CREDIT_CODE, "Unified Social Credit Code of the enterprise, when announced.",
                  nullable=True),
        described(ENTERPRISE_NAME, "Name of the enterprise as announced."),
        described(DISTRICT_CODE, "GB/T 2260 district or county code; empty when the announcement gives none "
                  "(the row then counts in the city total only).", nullable=True),
        Column(
            "incentive_kind",
            "string",
            "Model award or equipment-investment subsidy: as filed, or implied by the columns an "
            "announcement carries (equipment investment + a subsidy amount; honour or approval document + an "
            "award amount), else by its title (补助 / 奖励).",
            codes="incentive_kinds",
            implied=(
                Implied("equipment_subsidy", columns=("equipment_investment_10k_yuan",),
                        header_words=(("amount_10k_yuan", _SUBSIDY_WORDS),)),
                Implied("model_award", any_columns=("honour", "approval_document"),
                        header_words=(("amount_10k_yuan", _AWARD_WORDS),)),
                Implied("equipment_subsidy", title_words=_SUBSIDY_WORDS),
                Implied("model_award", title_words=("奖励",)),
            ),
        ),
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
