"""deploy/compose/compose.yaml is consistent with settings and the other deploy files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.support.deploy import DEPLOY, ROOT, exec_start

COMPOSE = DEPLOY / "compose" / "compose.yaml"
APP_SERVICES = ("migrate", "web", "worker")


@pytest.fixture
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "use the mapping form for environment"
    # Compose interpolation (${POSTGRES_PASSWORD:?...}) stands for a plain value.
    return {str(k): re.sub(r"\$\{[^}]*\}", "secret", str(v)) for k, v in env.items()}


def test_it_runs_web_worker_and_every_backing_service(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    assert {"web", "tiles", "worker", "postgres", "redis", "memcached", "nginx"} <= services


def test_it_gives_the_app_only_variables_settings_reads(
    compose: dict[str, Any], settings_vars: set[str]
) -> None:
    for name in APP_SERVICES:
        unknown = set(_env(compose["services"][name])) - settings_vars
        assert not unknown, f"{name}: settings.py never reads {sorted(unknown)}"


def test_it_points_the_app_at_the_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in APP_SERVICES:
        env = _env(services[name])
        assert env["DEBUG"] == "0"
        db = urlsplit(env["DATABASE_URL"])
        assert db.scheme == "postgres" and db.hostname in services
        assert db.path.lstrip("/") == services["postgres"]["environment"]["POSTGRES_DB"]
        assert db.username == services["postgres"]["environment"]["POSTGRES_USER"]
        assert urlsplit(env["REDIS_URL"]).hostname in services
        for server in env["MEMCACHED_SERVERS"].split(","):
            assert server.rpartition(":")[0] in services
        # The worker does the background jobs, not the web processes.
        assert env["SCOPECAST_INPROCESS_WORKER"] == "0"


def test_it_shares_static_files_and_slides_where_they_are_needed(compose: dict[str, Any]) -> None:
    services = compose["services"]
    web_env = _env(services["web"])

    def mounts(service: str) -> dict[str, str]:
        pairs = (v.split(":")[:2] for v in services[service]["volumes"])
        return {target: source for source, target in pairs}

    static_root = web_env["STATIC_ROOT"]
    assert mounts("web")[static_root] == mounts("nginx")[static_root] == "static"
    assert mounts("worker")[web_env["SLIDE_STORAGE_ROOT"]] == "slides"
    assert mounts("web")[web_env["SLIDE_STORAGE_ROOT"]] == "slides"
    for volume in ("static", "slides", "postgres"):
        assert volume in compose["volumes"]


def test_it_mounts_deploy_files_that_exist(compose: dict[str, Any]) -> None:
    for volume in compose["services"]["nginx"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            path = (COMPOSE.parent / source).resolve()
            if source.endswith((".conf", ".js")):
                assert path.is_file(), f"nginx mounts missing {source}"


def test_it_serves_web_with_daphne_behind_the_proxy(compose: dict[str, Any]) -> None:
    command = compose["services"]["web"]["command"]
    assert command[0] == "daphne"
    assert "--proxy-headers" in command  # real client IPs for join rate limits
    assert command[-1] == "scopecast.asgi:application"
    unit = exec_start("scopecast-daphne@.service")
    for option in (
        "--websocket_timeout",
        "--websocket-max-message-size",
        "--websocket-max-frame-size",
    ):  # the limits tests/deploy/test_daphne_websocket_limits.py checks on the unit's line
        assert command[command.index(option) + 1] == unit[unit.index(option) + 1]
    upstreams = (DEPLOY / "compose" / "upstreams.conf").read_text()
    port = command[command.index("--port") + 1]
    assert f"server web:{port};" in upstreams


def test_it_serves_tiles_with_uvicorn_as_the_systemd_unit_does(compose: dict[str, Any]) -> None:
    command = compose["services"]["tiles"]["command"]
    assert command[0] == "uvicorn"
    unit = exec_start("scopecast-tiles@.service")
    for option in ("--http", "--loop", "--ws", "--lifespan", "--timeout-keep-alive"):
        assert command[command.index(option) + 1] == unit[unit.index(option) + 1]
    assert "--proxy-headers" in command and "--no-access-log" in command
    assert command[-1] == "scopecast.asgi:application"
    upstreams = (DEPLOY / "compose" / "upstreams.conf").read_text()
    port = command[command.index("--port") + 1]
    start = upstreams.index("upstream scopecast_tile_http {")
    assert f"server tiles:{port};" in upstreams[start : upstreams.index("}", start)]


def test_it_waits_for_migrations_before_serving(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "migrate --noinput" in " ".join(services["migrate"]["command"])
    assert "collectstatic --noinput" in " ".join(services["migrate"]["command"])
    for name in ("web", "tiles", "worker"):
        dep = services[name]["depends_on"]["migrate"]
        assert dep["condition"] == "service_completed_successfully"


def test_it_builds_an_image_with_every_app_package() -> None:
    dockerfile = (DEPLOY / "compose" / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    m = re.search(r"include = \[(.*?)\]", pyproject)
    assert m
    packages = [p.strip().strip('"').rstrip("*") for p in m.group(1).split(",")]
    for package in packages:
        assert f"COPY {package} ./{package}" in dockerfile
    assert "npm ci" in dockerfile
    assert Path(ROOT / "package-lock.json").is_file()
