"""deploy/env.example and docs/deploy.md document every variable settings.py reads."""

from __future__ import annotations

import re

from tests.support.deploy import DEPLOY, ROOT, env_example_vars


def test_it_lists_every_settings_variable_in_env_example(settings_vars: set[str]) -> None:
    missing = settings_vars - set(env_example_vars())
    assert not missing, f"add these to deploy/env.example: {sorted(missing)}"


def test_it_names_no_variable_that_settings_does_not_read(settings_vars: set[str]) -> None:
    unknown = {
        name
        for name in env_example_vars()
        if name not in settings_vars and name.removesuffix("_FILE") not in settings_vars
    }
    assert not unknown, f"deploy/env.example names unknown variables: {sorted(unknown)}"


def test_it_sets_the_production_essentials_in_env_example() -> None:
    active = {name for name, on in env_example_vars().items() if on}
    essentials = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}
    essentials |= {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "STATIC_ROOT"}
    assert essentials <= active
    assert re.search(r"^DEBUG=0$", (DEPLOY / "env.example").read_text(), re.M)


def test_it_documents_every_variable_in_the_deploy_guide(settings_vars: set[str]) -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    undocumented = {name for name in settings_vars if f"`{name}`" not in guide}
    assert not undocumented, f"add these to docs/deploy.md's table: {sorted(undocumented)}"
