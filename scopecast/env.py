"""Strict readers for settings taken from the environment.

Every helper rejects a malformed value with ImproperlyConfigured naming the
variable, so a typo in a deployment fails at start-up instead of half-working.
Secrets may also be given as ``NAME_FILE`` pointing to a file (Docker/systemd
credentials); see docs/deploy.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str | None = None) -> str | None:
    """The raw value, or the contents of ``NAME_FILE`` when that is set."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {e}") from e
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(
    name: str, default: int, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        value = default
    else:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if min_value is not None and value < min_value:
        raise ImproperlyConfigured(f"{name} must be >= {min_value}; got {value}")
    if max_value is not None and value > max_value:
        raise ImproperlyConfigured(f"{name} must be <= {max_value}; got {value}")
    return value


def envlist(name: str, default: list[str] | None = None, *, sep: str = ",") -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(sep) if item.strip()]


def envpaths(name: str, default: list[Path]) -> list[Path]:
    """A list of absolute directories separated by ``os.pathsep`` (``:``)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    paths = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    for p in paths:
        if not p.is_absolute():
            raise ImproperlyConfigured(f"{name}: {str(p)!r} is not an absolute path")
    return [p.resolve() for p in paths]


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry from ``postgres://user:pass@host:port/name`` or ``sqlite:///path``."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL: missing database name")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path
            path = path[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": (path.lstrip("/") and path) or ":memory:",
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL: unsupported scheme {scheme!r} (use postgres:// or sqlite://)"
    )


@dataclass(frozen=True)
class MemcachedServer:
    host: str
    port: int


def memcached_servers(name: str) -> list[MemcachedServer]:
    """``host:port`` pairs separated by commas; port defaults to 11211."""
    servers = []
    for item in envlist(name):
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "11211")
        try:
            servers.append(MemcachedServer(host or item, int(port)))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: bad server {item!r}; expected host:port") from None
    return servers
