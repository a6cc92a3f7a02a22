"""Columns several filing types share, declared once: a contract references them, replacing only the
description where its meaning is narrower (PUDL's way: a field is declared once and listed per table)."""

from __future__ import annotations

from dataclasses import replace

from greenmfg.contracts.model import Column, Implied

# GB 32100-2015: 18 characters from 0-9 and the capitals without I, O, S, V, Z.
USCC_PATTERN = r"^[0-9A-HJ-NP-RTUWXY]{18}$"

YEAR = Column("year", "int", "Year the filing reports.", minimum=1990, maximum=2100)

CREDIT_CODE = Column(
    "credit_code",
    "string",
    "Unified Social Credit Code (GB 32100-2015), 18 characters.",
    pattern=USCC_PATTERN,
)

DISTRICT_CODE = Column(
    "district_code",
    "string",
    "GB/T 2260 district or county code (functional zones mapped through district_aliases.csv).",
    codes="districts",
    implied=(
        Implied(rule="district_from_division_code", columns=("division_code",)),
        Implied(rule="district_named_in_title"),
    ),
)

ENTERPRISE_NAME = Column("enterprise_name", "string", "Registered name of the enterprise.")


def described(column: Column, description: str, **changes: object) -> Column:
    """The shared column with this contract's description (and any narrowing such as nullable=True)."""
    return replace(column, description=description, **changes)
