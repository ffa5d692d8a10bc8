"""Helpers for the deployment-file tests (see docs/deploy.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_READERS = {"envstr", "envbool", "envint", "envlist", "envpaths", "memcached_servers"}


def settings_env_vars() -> set[str]:
    """Every variable scopecast/settings.py reads through the strict env helpers."""
    tree = ast.parse((ROOT / "scopecast" / "settings.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def env_example_vars() -> dict[str, bool]:
    """Variables named in deploy/env.example -> whether the line is active (not commented)."""
    found: dict[str, bool] = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        m = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if m:
            found[m.group(2)] = m.group(1) is None
    return found


@pytest.fixture
def settings_vars() -> set[str]:
    names = settings_env_vars()
    assert len(names) > 20, "the settings parser found too few variables"
    return names
