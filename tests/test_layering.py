"""The engine stays a plain Python package; SpiffWorkflow stays behind engine/bpmn/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
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
