"""Filing contracts, declared once: the registry every other stage derives from."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

from greenmfg.contracts import (
    enterprise_stats,
    green_loans,
    green_register,
    incentives,
    miit_lists,
    miit_removals,
)
from greenmfg.contracts.model import PROVENANCE_COLUMNS, Column, Contract
from greenmfg.errors import UnknownFilingTypeError

__all__ = ["CONTRACTS", "PROVENANCE_COLUMNS", "Column", "Contract", "get_contract", "header_variants"]

HEADERS_CSV = Path(__file__).with_name("headers.csv")

CONTRACTS: dict[str, Contract] = {
    c.filing_type: c
    for c in (
        enterprise_stats.CONTRACT,
        green_register.CONTRACT,
        incentives.CONTRACT,
        green_loans.CONTRACT,
        *miit_lists.CONTRACTS,
        miit_removals.CONTRACT,
    )
}

BUREAU_FILING_TYPES: tuple[str, ...] = ("enterprise_stats", "green_register", "incentives", "green_loans")
MIIT_FILING_TYPES: tuple[str, ...] = tuple(c.filing_type for c in miit_lists.CONTRACTS)
MIIT_REMOVALS = miit_removals.FILING_TYPE
MIIT_CLEANED_TYPES: tuple[str, ...] = (*MIIT_FILING_TYPES, MIIT_REMOVALS)
"""The ministry's lists and its removal notices: both cleaned by greenmfg.parsing.miit (regions, batches)."""


def get_contract(filing_type: str) -> Contract:
    try:
        return CONTRACTS[filing_type]
    except KeyError:
        raise UnknownFilingTypeError(
            "filing type", f"unknown filing type {filing_type!r}", expected=sorted(CONTRACTS)
        ) from None


@cache
def header_variants() -> dict[str, dict[str, tuple[str, ...]]]:
    """filing type → canonical column → raw header spellings (without units), from headers.csv."""
    variants: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with open(HEADERS_CSV, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            variants[row["filing_type"]][row["column"]].append(row["raw_header"])
    return {ft: {col: tuple(v) for col, v in cols.items()} for ft, cols in variants.items()}


def check_consistency() -> list[str]:
    """Problems between contracts and header variants (an empty list when consistent)."""
    problems: list[str] = []
    variants = header_variants()
    for filing_type, contract in CONTRACTS.items():
        declared = set(contract.column_names)
        mapped = variants.get(filing_type, {})
        for column in sorted(set(mapped) - declared):
            problems.append(f"headers.csv maps {filing_type}.{column}, which the contract does not declare")
        for column in contract.filed_columns:
            if column.name not in mapped and column.name != contract.period_column:
                problems.append(f"{filing_type}.{column.name} has no header variant in headers.csv")
    for filing_type in sorted(set(variants) - set(CONTRACTS)):
        problems.append(f"headers.csv names unknown filing type {filing_type}")
    return problems
