"""The strict environment helpers reject bad values with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scopecast import env


def test_envbool_accepts_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env.envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env.envbool("X_FLAG", True) is False


def test_envbool_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.envbool("X_FLAG", False)


def test_envint_enforces_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match=">= 1"):
        env.envint("X_INT", 5, min_value=1)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env.envint("X_INT", 5)


def test_secret_is_read_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.envstr("X_SECRET") == "s3cret"


def test_database_url_postgres() -> None:
    db = env.database_from_url("postgres://u:p%40ss@db.example:6543/scope")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "scope",
        "u",
        "p@ss",
        "db.example",
        "6543",
    )


def test_database_url_rejects_unknown_scheme() -> None:
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme"):
        env.database_from_url("mysql://x/y")


def test_memcached_servers_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_MC", "a:11211, b")
    assert env.memcached_servers("X_MC") == [
        env.MemcachedServer("a", 11211),
        env.MemcachedServer("b", 11211),
    ]


def test_envpaths_requires_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_PATHS", "relative/dir")
    with pytest.raises(ImproperlyConfigured, match="absolute"):
        env.envpaths("X_PATHS", [])
