"""The core stays free of orchestration: greenmfg/ imports no Prefect, and boto3 only in the S3 store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "greenmfg"
ALLOWED = {
    "boto3": {"storage/s3.py"},
    "botocore": {"storage/s3.py"},
    "great_expectations": {"validation"},
    "prefect": {"commands"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_core_imports_module_only_where_allowed(module: str) -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE).as_posix()
        if module in imported_roots(path) and not any(
            relative == allowed or relative.startswith(allowed + "/") for allowed in ALLOWED[module]
        ):
            offenders.append(relative)
    assert offenders == [], f"{module} imported outside {sorted(ALLOWED[module])}: {offenders}"


def test_core_modules_have_docstrings() -> None:
    missing = [
        path.relative_to(CORE).as_posix()
        for path in sorted(CORE.rglob("*.py"))
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []
