"""Contracts are consistent with their header spellings, code lists and Parquet schemas."""

from __future__ import annotations

import pytest

from greenmfg import codes
from greenmfg.contracts import CONTRACTS, PROVENANCE_COLUMNS, check_consistency, header_variants
from greenmfg.contracts.model import Column, Contract


def test_contracts_and_header_variants_agree() -> None:
    assert check_consistency() == []


def test_no_header_spelling_maps_to_two_columns_of_one_type() -> None:
    for filing_type, columns in header_variants().items():
        seen: dict[str, str] = {}
        for column, spellings in columns.items():
            for spelling in spellings:
                assert seen.setdefault(spelling, column) == column, (filing_type, spelling)


@pytest.mark.parametrize("filing_type", sorted(CONTRACTS))
def test_schema_carries_descriptions_units_and_provenance(filing_type: str) -> None:
    contract = CONTRACTS[filing_type]
    schema = contract.arrow_schema()
    assert schema.names == [*contract.column_names, *(c.name for c in PROVENANCE_COLUMNS)]
    for column in contract.columns:
        field = schema.field(column.name)
        assert field.metadata[b"description"].decode() == column.description
        if column.unit:
            assert field.metadata[b"unit"].decode() == column.unit


@pytest.mark.parametrize("filing_type", sorted(CONTRACTS))
def test_code_lists_named_by_columns_exist(filing_type: str) -> None:
    for column in CONTRACTS[filing_type].columns:
        if column.codes:
            assert codes.values(column.codes), column.name


def test_money_columns_are_in_10k_yuan() -> None:
    for contract in CONTRACTS.values():
        for column in contract.columns:
            if "yuan" in column.name:
                assert column.name.endswith("_10k_yuan") and column.unit == "10k_yuan", column.name


def test_contract_refuses_undeclared_key() -> None:
    with pytest.raises(ValueError, match="not declared"):
        Contract("x", "x", "x", (Column("a", "int", "a"),), key=("b",), period_column="a")
