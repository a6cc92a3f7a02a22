"""Green-transformation loan applications."""

from greenmfg.contracts.enterprise_stats import USCC_PATTERN
from greenmfg.contracts.model import Column, Contract
from greenmfg.units import YUAN_10K

CONTRACT = Contract(
    filing_type="green_loans",
    title="Green-transformation loan applications",
    description="One row per loan application: enterprise, bank, amount applied for in 10,000 yuan.",
    period_column="year",
    key=("year", "application_no"),
    file_stem_hints=("贷款", "绿贷", "loan"),
    columns=(
        Column("year", "int", "Year of the application.", minimum=1990, maximum=2100),
        Column("application_no", "string", "Application number given by the bureau."),
        Column("credit_code", "string", "Unified Social Credit Code of the applicant.", pattern=USCC_PATTERN),
        Column("enterprise_name", "string", "Name of the applicant."),
        Column("district_code", "string", "GB/T 2260 district or county code.", codes="districts"),
        Column("bank", "string", "Lending bank.", nullable=True),
        Column("loan_amount_10k_yuan", "float", "Amount applied for.", unit=YUAN_10K, minimum=0),
        Column("application_date", "date", "Date of the application.", nullable=True),
        Column("purpose", "string", "Purpose of the loan.", nullable=True),
    ),
)
