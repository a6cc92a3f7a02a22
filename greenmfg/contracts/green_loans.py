"""Green-transformation loan applications."""

from greenmfg.contracts.fields import CREDIT_CODE, DISTRICT_CODE, ENTERPRISE_NAME, YEAR, described
from greenmfg.contracts.model import Column, Contract, Implied
from greenmfg.units import YUAN_10K

CONTRACT = Contract(
    filing_type="green_loans",
    title="Green-transformation loan applications",
    description="One row per loan application: enterprise, bank, amount applied for in 10,000 yuan.",
    period_column="year",
    key=("year", "application_no"),
    file_stem_hints=("贷款", "绿贷", "loan"),
    columns=(
        described(YEAR, "Year of the application."),
        Column("serial_no", "int", "Serial number in the register.", nullable=True),
        Column(
            "application_no",
            "string",
            "Application number given by the bureau; a register that numbers its rows only (序号) implies "
            "the serial number as the application number of that year.",
            implied=(Implied(rule="application_no_from_serial", columns=("serial_no",)),),
        ),
        described(CREDIT_CODE, "Unified Social Credit Code of the applicant."),
        described(ENTERPRISE_NAME, "Name of the applicant."),
        DISTRICT_CODE,
        Column("bank", "string", "Lending bank.", nullable=True),
        Column("loan_amount_10k_yuan", "float", "Amount applied for.", unit=YUAN_10K, minimum=0),
        Column("application_date", "date",
               "Date of the application (a month alone stands for its first day).",
               nullable=True, month_day="first"),
        Column("purpose", "string", "Purpose of the loan.", nullable=True),
    ),
)
