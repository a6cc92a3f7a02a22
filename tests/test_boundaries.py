"""The layers stay apart: the core imports no orchestration (and Prefect, GX and boto3 only where allowed),
tasks import no flows, the CLI reaches flows only through their flow objects and never tasks, and infra names
flows only by their deployment entrypoints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "greenmfg"
ALLOWED = {
    "boto3": {"storage/s3.py"},
    "botocore": {"storage/s3.py"},
    "great_expectations": {"validation"},
    "prefect": {"commands"},
}
ORCHESTRATION = ("flows", "tasks", "infra")


def imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(absolute module, names imported from it) for every import in the file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, tuple(alias.name for alias in node.names)))
    return found


def imported_roots(path: Path) -> set[str]:
    return {module.split(".")[0] for module, _ in imports(path)}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def is_cli(path: Path) -> bool:
    name = relative(path)
    return name == "greenmfg/cli.py" or name.startswith("greenmfg/commands/")


def flow_objects(module_path: Path) -> set[str]:
    """Names of the functions a flows/ module decorates with @flow (its public flow entry points)."""
    names = set()
    for node in ast.parse(module_path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Name) and target.id == "flow":
                    names.add(node.name)
    return names


def flows_by_module() -> dict[str, set[str]]:
    return {f"flows.{p.stem}": flow_objects(p) for p in sorted((ROOT / "flows").glob("*.py"))}


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_core_imports_module_only_where_allowed(module: str) -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        inside = path.relative_to(CORE).as_posix()
        if module in imported_roots(path) and not any(
            inside == allowed or inside.startswith(allowed + "/") for allowed in ALLOWED[module]
        ):
            offenders.append(inside)
    assert offenders == [], f"{module} imported outside {sorted(ALLOWED[module])}: {offenders}"


def test_core_modules_have_docstrings() -> None:
    missing = [
        path.relative_to(CORE).as_posix()
        for path in sorted(CORE.rglob("*.py"))
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def importing(paths: list[Path], roots: tuple[str, ...]) -> list[str]:
    """'<file>: <module>' for every import in `paths` of a package in `roots`."""
    return [
        f"{relative(path)}: {module}"
        for path in paths
        for module, _ in imports(path)
        if module.split(".")[0] in roots
    ]


def test_domain_code_imports_no_flows_tasks_or_infra() -> None:
    domain = [path for path in sorted(CORE.rglob("*.py")) if not is_cli(path)]
    offenders = importing(domain, ORCHESTRATION)
    assert offenders == [], f"the core reaches orchestration: {offenders}"


def test_tasks_import_no_flows() -> None:
    offenders = importing(sorted((ROOT / "tasks").rglob("*.py")), ("flows",))
    assert offenders == [], f"tasks import flows (flows build on tasks, not the reverse): {offenders}"


def cli_violations() -> set[tuple[str, str]]:
    """CLI imports of tasks/, and of anything in flows/ but a flow object (the module's @flow functions)."""
    entry_points = flows_by_module()
    found = set()
    for path in sorted(CORE.rglob("*.py")):
        if not is_cli(path):
            continue
        for module, names in imports(path):
            root = module.split(".")[0]
            if root == "tasks":
                found.add((relative(path), module))
            elif root == "flows":
                public = entry_points.get(module, set())
                found |= {(relative(path), f"{module}.{n}") for n in names if n not in public}
                if not names:  # `import flows.x` reaches every helper of the module
                    found.add((relative(path), module))
    return found


def test_cli_reaches_flows_only_through_flow_objects_and_never_tasks() -> None:
    found = sorted(cli_violations())
    assert found == [], f"the CLI imports tasks/ or flow-module helpers: {found}"


def test_infra_names_flows_only_by_deployment_entrypoints() -> None:
    offenders = importing(sorted((ROOT / "infra").rglob("*.py")), ("flows",))
    assert offenders == [], f"infra imports flows instead of naming their entrypoints: {offenders}"
    entrypoints = re.findall(r"entrypoint:\s*(\S+)", (ROOT / "infra" / "prefect.yaml").read_text("utf-8"))
    assert entrypoints
    objects = flows_by_module()
    for entrypoint in entrypoints:
        module, name = entrypoint.split(":")
        assert name in objects.get(module, set()), f"{entrypoint} names no flow object in flows/"


def test_deferred_publication_names_a_deployment_entrypoint() -> None:
    """tasks/deferred.py runs the publish flow by its deployment's entrypoint name, read here without
    importing Prefect."""
    tree = ast.parse((ROOT / "tasks" / "deferred.py").read_text(encoding="utf-8"))
    named = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["PUBLISH_ENTRYPOINT"]
    ]
    yaml = (ROOT / "infra" / "prefect.yaml").read_text("utf-8")
    assert len(named) == 1 and f"entrypoint: {named[0]}\n" in yaml


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The parser behind these tests finds nested and aliased imports of every layer."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "def f():\n"
        "    from flows.reprocess import revalidate_filings, reprocess\n"
        "    import tasks.runners as r\n",
        encoding="utf-8",
    )
    found = imports(sample)
    assert ("flows.reprocess", ("revalidate_filings", "reprocess")) in found
    assert ("tasks.runners", ()) in found
    assert "reprocess" in flows_by_module()["flows.reprocess"]
