"""`manage.py check --deploy` is clean under production-like settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.support.deploy import ROOT


def _production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SILENCED_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="scopecast.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="scopecast.example.edu",
        CSRF_TRUSTED_ORIGINS="https://scopecast.example.edu",
        DATABASE_URL="postgres://scopecast:pw@127.0.0.1:5432/scopecast",
        REDIS_URL="redis://127.0.0.1:6379/0",
        MEMCACHED_SERVERS="127.0.0.1:11211",
    )
    env.update(overrides)
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_production_settings() -> None:
    done = _check(_production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    env = _production_env()
    del env["SECRET_KEY"]
    done = _check(env)
    assert done.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in done.stderr


def test_it_flags_a_short_secret_key() -> None:
    done = _check(_production_env(SECRET_KEY="too-short"))
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr
