"""One direction of dependencies (docs/architecture.md, "Layers").

Every import of every module in the apps is read with ``ast``, including
imports inside functions and under ``TYPE_CHECKING``:

- a lower layer never imports a higher one (realtime and slides, then
  classroom, then quizzes, then frontend); the two bottom apps do not import
  each other; only entry points (an app's ``admin.py`` and management
  commands) may use a higher app's models;
- the shared helpers in ``scopecast/`` that apps use import no app;
- no two modules of one app import each other, directly or in a loop;
- no module of an app is over 500 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYER = {"realtime": 0, "slides": 0, "classroom": 1, "quizzes": 2, "frontend": 3}
# Project helpers any app may import; they must import no app themselves.
SHARED = {"scopecast.env", "scopecast.loops"}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    found = {}
    for app in LAYER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    for name in SHARED:
        found[name] = ROOT / (name.replace(".", "/") + ".py")
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, resolved to modules we own."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in MODULES else base), node.lineno


def _owner(module: str) -> str | None:
    top = module.split(".")[0]
    if top in LAYER:
        return top
    return None


def _is_entry_point(name: str) -> bool:
    parts = name.split(".")
    return parts[-1] == "admin" or "management" in parts


def test_a_lower_layer_never_imports_a_higher_one() -> None:
    wrong = []
    for name, path in MODULES.items():
        app = _owner(name)
        for target, line in _imports(name, path):
            other = _owner(target)
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if name in SHARED:
                if other is not None:
                    wrong.append(f"{where} (shared helpers import no app)")
                continue
            if app is None or other is None or other == app:
                continue
            if LAYER[other] < LAYER[app]:
                continue
            if _is_entry_point(name) and target.endswith(".models"):
                continue
            wrong.append(f"{where} ({app} is below or beside {other})")
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_modules_of_one_app_import_each_other_in_a_loop() -> None:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        app = _owner(name)
        graph[name] = {
            target
            for target, _ in _imports(name, path)
            if target in MODULES
            and target != name
            and _owner(target) == app
            # A package's __init__ is not a dependency of its own modules.
            and not name.startswith(target + ".")
        }
    assert _cycles(graph) == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _owner(n)))
def test_no_module_is_over_500_lines(name: str) -> None:
    lines = MODULES[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines"


def test_the_walker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from quizzes.models import Question\n"
        "def f():\n    from frontend import views\n"
    )
    seen = {target for target, _ in _imports("realtime.probe", source)}
    assert {"quizzes.models", "frontend.views"} <= seen
