"""The engine stays a plain Python package; SpiffWorkflow stays behind engine/bpmn/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Imported modules, with `from engine import forms` read as engine.forms."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "engine":
                names.update(f"engine.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_engine_imports_no_web_framework():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0]
            in {"flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "webapp"}
        )
        for path in python_files("engine")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 10  # the walk really saw the package


def test_spiffworkflow_only_inside_engine_bpmn():
    offenders = []
    for folder in ("engine", "webapp"):
        for path in python_files(folder):
            if "engine/bpmn" in path.as_posix():
                continue
            if any(m.split(".")[0] == "SpiffWorkflow" for m in imported_modules(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# Lower numbers are lower layers. A module imports from a strictly lower layer, or from
# its own package (engine.bpmn.* from engine.bpmn.*); nothing imports upward.
LAYERS = {
    "engine.errors": 0,
    "engine.config": 0,
    "engine.db": 1,
    "engine.caches": 1,
    "engine.calendar": 1,
    "engine.indicators": 1,
    "engine.events": 1,
    "engine.models": 2,
    "engine.forms": 2,
    "engine.bpmn": 2,
    "engine.sop": 3,
    "engine.runtime": 3,
    "engine.services": 4,
    "engine.migrations": 4,
    "webapp": 5,
}


def layer_of(module: str) -> tuple[str, int] | None:
    """The layer's package and level of a dotted module name (None outside ours)."""
    for package in sorted(LAYERS, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package, LAYERS[package]
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_nothing_imports_upward():
    offenders = []
    for folder in ("engine", "webapp"):
        for path in python_files(folder):
            if "migrations/versions" in path.as_posix():
                continue
            own = layer_of(module_name(path))
            if own is None:
                continue
            for imported in imported_modules(path):
                target = layer_of(imported)
                if target is None or target[0] == own[0]:
                    continue
                if target[1] >= own[1]:
                    offenders.append(f"{module_name(path)} -> {imported}")
    assert offenders == []


def test_the_web_layer_reaches_the_workflow_engine_only_through_services():
    inner = ("engine.bpmn", "engine.runtime")
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("webapp")
        if path.name != "__init__.py"  # create_app builds the runtime: the composition root
        and any(name.startswith(inner) for name in imported_modules(path))
    ]
    assert offenders == []
