"""Each filing type's suite as Great Expectations JSON, generated from the rules, kept in expectations/.

Run `python -m greenmfg.validation.suites` after changing a contract or a rule; a test fails while the
committed files are stale. Generating needs no GX import: the JSON is GX 1.x's suite format.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

from greenmfg.contracts import CONTRACTS
from greenmfg.validation.config import ValidationConfig
from greenmfg.validation.rules import rules_for

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


def suite_dict(filing_type: str, config: ValidationConfig | None = None) -> dict:
    """The whole suite of a filing type; each expectation's meta names its rule, severity and frame."""
    return {
        "name": filing_type,
        "expectations": [rule.expectation_config() for rule in rules_for(filing_type, config)],
        "meta": {
            "great_expectations_version": version("great_expectations"),
            "generated_by": "python -m greenmfg.validation.suites (from greenmfg/contracts and the rule "
            "declarations registered in greenmfg/validation/rules.py, default configuration)",
        },
        "notes": None,
    }


def render(filing_type: str, config: ValidationConfig | None = None) -> str:
    return json.dumps(suite_dict(filing_type, config), ensure_ascii=False, indent=2) + "\n"


def suite_path(filing_type: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{filing_type}.json"


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    """Write one suite file per filing type (default configuration) and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for filing_type in sorted(CONTRACTS):
        path = suite_path(filing_type, directory)
        path.write_text(render(filing_type), encoding="utf-8")
        paths.append(path)
    return paths


def stale_suites(directory: Path = EXPECTATIONS_DIR) -> list[str]:
    """Filing types whose committed suite file is missing or differs from what the rules generate."""
    stale = []
    for filing_type in sorted(CONTRACTS):
        path = suite_path(filing_type, directory)
        if not path.exists() or path.read_text(encoding="utf-8") != render(filing_type):
            stale.append(filing_type)
    return stale


if __name__ == "__main__":
    for written in write_suites(Path(sys.argv[1]) if len(sys.argv) > 1 else EXPECTATIONS_DIR):
        print(written)
