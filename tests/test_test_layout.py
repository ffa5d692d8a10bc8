"""The tests' own layout: no module imports a conftest or a test module.

Shared helpers live in tests/support/ and shared fixtures in
tests/support/fixtures/, loaded by ``pytest_plugins`` in tests/conftest.py.
Importing a conftest instead re-registers whatever fixtures it names in the
importing module (an autouse one silently applies there too), and a helper
that two test modules share belongs in tests/support/, not in one of them.
Every ``.py`` file under tests/ is read with ``ast``, imports inside
functions included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(source: str, module: str, is_package: bool = False) -> Iterator[tuple[str, int]]:
    """(absolute module name, line) of every module the source imports.

    ``from a import b`` yields both ``a`` and ``a.b``: ``b`` may be a module.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _forbidden(name: str) -> str | None:
    """Why importing ``name`` is not allowed, or None."""
    last = name.rpartition(".")[2]
    if last == "conftest":
        return "imports a conftest (helpers: tests/support/, fixtures: pytest_plugins)"
    if name.startswith("tests.") and last.startswith("test_"):
        return "imports a test module (move the shared helper to tests/support/)"
    return None


def _violations(source: str, module: str, is_package: bool = False) -> list[str]:
    found = []
    for name, line in _imported(source, module, is_package):
        reason = _forbidden(name)
        if reason is not None:
            found.append(f"{module}:{line}: {name} {reason}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "from tests.realtime.conftest import connect",
        "from tests.realtime import conftest as rt",
        "import tests.conftest",
        "from .conftest import make_single",
        "from . import conftest",
        "def f():\n    from tests.conftest import PASSWORD\n",
        "from tests.quizzes.test_admin import form",
        "from .test_admin import form",
    ],
)
def test_the_check_finds_an_import_of_a_conftest_or_a_test_module(source: str):
    assert _violations(source, "tests.quizzes.test_example")


@pytest.mark.parametrize(
    "source",
    [
        "from tests.support.realtime import connect",
        "from tests.support import quizzes",
        "import pytest",
        "from slides.tiles import render",
    ],
)
def test_the_check_lets_support_and_app_imports_through(source: str):
    assert _violations(source, "tests.quizzes.test_example") == []


def test_no_module_under_tests_imports_a_conftest_or_a_test_module():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found += _violations(
            path.read_text(), _module_name(path), is_package=path.name == "__init__.py"
        )
    assert found == [], "\n".join(found)
