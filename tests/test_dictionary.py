"""The data dictionary: complete, stable, and the committed copy in docs/ is not stale."""

from __future__ import annotations

import json
from pathlib import Path

from greenmfg import dictionary as dd
from greenmfg.contracts import CONTRACTS, PROVENANCE_COLUMNS, header_variants
from greenmfg.indicators import DATASETS
from greenmfg.policy import Policy

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_committed_dictionary_is_current():
    dictionary = dd.build_dictionary()
    expected_files = {dd.JSON_NAME: dd.to_json(dictionary), dd.MARKDOWN_NAME: dd.to_markdown(dictionary)}
    for name, expected in expected_files.items():
        path = DOCS / name
        assert path.is_file(), f"{path} missing: run `{dd.GENERATOR}`"
        assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run `{dd.GENERATOR}`"


def test_every_filing_column_is_documented_with_its_header_spellings():
    filing_types = dd.build_dictionary()["filing_types"]
    assert list(filing_types) == list(CONTRACTS)
    for name, contract in CONTRACTS.items():
        entry = filing_types[name]
        documented = {c["name"]: c for c in entry["columns"]}
        assert set(contract.column_names) | {c.name for c in PROVENANCE_COLUMNS} == set(documented)
        assert entry["key"] == list(contract.key)
        for column in contract.columns:
            assert documented[column.name]["unit"] == column.unit
            assert documented[column.name]["nullable"] == column.nullable
            spellings = list(header_variants()[name].get(column.name, ()))
            assert documented[column.name]["header_spellings"] == spellings
            assert documented[column.name].get("implied_when", []) == [i.describe() for i in column.implied]


def test_every_dataset_is_documented_with_formula_and_parameter_defaults():
    dictionary = dd.build_dictionary()
    assert list(dictionary["datasets"]) == list(DATASETS)
    for name, definition in DATASETS.items():
        entry = dictionary["datasets"][name]
        assert [c["name"] for c in entry["columns"]] == list(definition.column_names)
        assert entry["formula"] == definition.formula and entry["key"] == list(definition.key)
        assert set(entry["parameters"]) <= set(dictionary["parameters"])
    assert dictionary["parameters"]["star_threshold"]["default"] == Policy().star_threshold
    filing_columns = [c for ft in dictionary["filing_types"].values() for c in ft["columns"]]
    referenced = {c["codes"] for c in filing_columns if c["codes"]}
    assert referenced <= set(dictionary["code_lists"])


def test_generation_is_byte_stable(tmp_path):
    first = [p.read_bytes() for p in dd.write(tmp_path / "a")]
    second = [p.read_bytes() for p in dd.write(tmp_path / "b")]
    assert first == second
    assert json.loads(first[0])["generated_by"] == dd.GENERATOR
    markdown = first[1].decode("utf-8")
    for name in (*CONTRACTS, *DATASETS):
        assert f"`{name}`" in markdown
