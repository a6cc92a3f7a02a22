"""The data dictionary, generated from the filing contracts and the indicator definitions (JSON and Markdown).

Run `python -m greenmfg.dictionary docs/` to regenerate docs/data_dictionary.json and .md; a test fails when
the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from greenmfg import codes
from greenmfg.changelog import changelog
from greenmfg.cities import CityProfile, load_profile, selected
from greenmfg.contracts import CONTRACTS, PROVENANCE_COLUMNS, Column, header_variants
from greenmfg.indicators import DATASETS
from greenmfg.policy import Policy, parameter_descriptions

JSON_NAME = "data_dictionary.json"
MARKDOWN_NAME = "data_dictionary.md"
GENERATOR = "python -m greenmfg.dictionary docs/"


def _column(column: Column, spellings: tuple[str, ...] | None = None) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": column.name,
        "type": column.dtype,
        "arrow_type": str(column.arrow_type),
        "unit": column.unit,
        "nullable": column.nullable,
        "codes": column.codes,
        "pattern": column.pattern,
        "minimum": column.minimum,
        "maximum": column.maximum,
        "derived": column.derived,
        "description": column.description,
    }
    if spellings is not None:
        entry["header_spellings"] = list(spellings)
    if column.implied:
        entry["implied_when"] = [implication.describe() for implication in column.implied]
    return entry


def _filing_types() -> dict[str, object]:
    variants = header_variants()
    result: dict[str, object] = {}
    for name, contract in CONTRACTS.items():
        spellings = variants.get(name, {})
        result[name] = {
            "title": contract.title,
            "description": contract.description,
            "period_column": contract.period_column,
            "key": list(contract.key),
            "file_name_hints": list(contract.file_stem_hints),
            "columns": [_column(c, spellings.get(c.name, ())) for c in contract.columns]
            + [_column(c) for c in PROVENANCE_COLUMNS],
        }
    return result


def _parameters() -> dict[str, object]:
    defaults = Policy().to_dict()
    return {name: {"default": defaults[name], "description": text}
            for name, text in parameter_descriptions().items()}


def _datasets() -> dict[str, object]:
    return {
        name: {
            "title": d.title,
            "description": d.description,
            "formula": d.formula,
            "key": list(d.key),
            "partition_columns": list(d.partition_columns),
            "inputs": list(d.inputs),
            "parameters": list(d.parameters),
            "columns": [_column(c) for c in d.columns],
        }
        for name, d in DATASETS.items()
    }


def _code_lists(city: CityProfile) -> dict[str, list[dict[str, str]]]:
    columns = [c for contract in CONTRACTS.values() for c in contract.columns]
    columns += [c for d in DATASETS.values() for c in d.columns]
    names = sorted({c.codes for c in columns if c.codes})
    own = {name: city.district_rows() for name in codes.CITY_LISTS}
    return {name: [dict(row) for row in own.get(name) or codes.rows(name)] for name in names}


def build_dictionary(city_code: str | None = None) -> dict[str, object]:
    """Every filing type, indicator dataset, parameter and code list, the city (the selected one unless
    given) and the changelog, as plain JSON-ready data."""
    city = load_profile(city_code) if city_code else selected()
    return {
        "generated_by": GENERATOR,
        "city": city.describe(),
        "filing_types": _filing_types(),
        "datasets": _datasets(),
        "parameters": _parameters(),
        "code_lists": _code_lists(city),
        "changelog": changelog(),
    }


def to_json(dictionary: dict[str, object]) -> str:
    return json.dumps(dictionary, ensure_ascii=False, indent=2) + "\n"


def _cell(value: object) -> str:
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _constraint(column: dict) -> str:
    parts = []
    if column["codes"]:
        parts.append(f"codes: {column['codes']}")
    if column["pattern"]:
        parts.append(f"`{column['pattern']}`")
    if column["minimum"] is not None or column["maximum"] is not None:
        low = "" if column["minimum"] is None else f"{column['minimum']:g}"
        high = "" if column["maximum"] is None else f"{column['maximum']:g}"
        parts.append(f"range {low}…{high}")
    return "; ".join(parts)


def _column_rows(columns: list[dict], with_spellings: bool) -> list[list[object]]:
    rows = []
    for c in columns:
        row = [f"`{c['name']}`", c["type"], c["unit"], c["nullable"], _constraint(c), c["description"]]
        if with_spellings:
            spellings = ", ".join(c.get("header_spellings") or ["(derived)" if c["derived"] else ""])
            if c.get("implied_when"):
                spellings = f"{spellings}; if absent, implied when " + "; or ".join(c["implied_when"])
            row.append(spellings)
        rows.append(row)
    return rows


def _filing_section(name: str, entry: dict) -> list[str]:
    lines = [f"### `{name}`: {entry['title']}", "", entry["description"], "",
             f"Period column `{entry['period_column']}`; key ({', '.join(entry['key'])}).", ""]
    header = ["column", "type", "unit", "nullable", "constraint", "description", "header spellings"]
    return lines + _table(header, _column_rows(entry["columns"], with_spellings=True))


def _dataset_section(name: str, entry: dict) -> list[str]:
    lines = [f"### `{name}`: {entry['title']}", "", entry["description"], "",
             f"**Formula.** {entry['formula']}", "",
             f"Key ({', '.join(entry['key'])}); inputs: {', '.join(entry['inputs'])}; "
             f"parameters: {', '.join(entry['parameters']) or 'none'}; "
             f"partitioned by: {', '.join(entry['partition_columns']) or 'none'}.", ""]
    header = ["column", "type", "unit", "nullable", "constraint", "description"]
    return lines + _table(header, _column_rows(entry["columns"], with_spellings=False))


def _default_text(value: object) -> str:
    if isinstance(value, list):
        return f"{len(value)} entries (see the JSON)"
    return str(value)


def to_markdown(dictionary: dict) -> str:
    """The dictionary for people: one section per filing type, dataset, parameter and code list."""
    city = dictionary["city"]
    lines = ["# Data dictionary", "",
             f"Generated by `{dictionary['generated_by']}` from greenmfg/contracts and greenmfg/indicators; "
             "do not edit by hand. Money is in 10,000 yuan (`10k_yuan`), energy in tce.", "",
             f"City: {city['name_zh']} {city['name_en']} ({city['code']}, {city['province']}), profile "
             f"`{city['profile']}`, divisions {city['divisions_vintage']}. Another city's snapshot carries "
             "its own dictionary.", "",
             "## Changelog", "",
             "Changes of the published schema, newest first (also `changelog` in every snapshot's "
             "manifest, under `dictionary`).", ""]
    lines += _table(["since", "kind", "where", "before", "after", "note"],
                    [[c["since"], c["kind"], c["where"], c["before"], c["after"], c["note"]]
                     for c in dictionary["changelog"]])
    lines += ["## Filing types", ""]
    for name, entry in dictionary["filing_types"].items():
        lines += _filing_section(name, entry)
    lines += ["## Indicator datasets", "",
              "Every dataset row carries its period, its region (`region_code` with `region_level`), the "
              "source filings (`source_sha256s`, sorted and ';'-joined) and the parameters it depends on.",
              ""]
    for name, entry in dictionary["datasets"].items():
        lines += _dataset_section(name, entry)
    lines += ["## Policy parameters", "",
              "Declared once in `greenmfg/policy.py`, their values given by the city profile "
              "(`greenmfg/cities/profiles/<code>.toml`; defaults below: the default city's); validation and "
              "the indicators read the same values, and every snapshot's manifest records them. Override in "
              "the `[policy]` table of the file named by `GREENMFG_VALIDATION_CONFIG`, or the star threshold "
              "with `GREENMFG_STAR_THRESHOLD`.",
              ""]
    lines += _table(["parameter", "default", "description"],
                    [[f"`{n}`", _default_text(p["default"]), p["description"]]
                     for n, p in dictionary["parameters"].items()])
    lines += ["## Code lists", ""]
    for name, rows in dictionary["code_lists"].items():
        lines += [f"### `{name}`", ""]
        lines += _table(list(rows[0]), [list(row.values()) for row in rows])
    return "\n".join(lines).rstrip("\n") + "\n"


def write(directory: Path) -> tuple[Path, Path]:
    """Write data_dictionary.json and data_dictionary.md into `directory` (UTF-8, LF line ends)."""
    directory.mkdir(parents=True, exist_ok=True)
    dictionary = build_dictionary()
    json_path, markdown_path = directory / JSON_NAME, directory / MARKDOWN_NAME
    json_path.write_bytes(to_json(dictionary).encode("utf-8"))
    markdown_path.write_bytes(to_markdown(dictionary).encode("utf-8"))
    return json_path, markdown_path


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
