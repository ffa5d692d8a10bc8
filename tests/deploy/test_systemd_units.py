"""deploy/systemd units start what the app provides."""

from __future__ import annotations

from django.core.management import get_commands

from tests.support.deploy import exec_start, systemd_unit


def test_it_runs_one_daphne_per_port_behind_the_proxy() -> None:
    unit = systemd_unit("scopecast-daphne@.service")
    argv = exec_start("scopecast-daphne@.service")
    assert argv[0].endswith("/daphne")
    assert argv[argv.index("--port") + 1] == "%i"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1"
    assert "--proxy-headers" in argv
    assert argv[-1] == "scopecast.asgi:application"
    assert unit["Service"]["EnvironmentFile"] == "/etc/scopecast/scopecast.env"
    assert unit["Service"]["Restart"] == "always"


def test_it_runs_one_tile_process_per_port_with_the_benchmarked_options() -> None:
    unit = systemd_unit("scopecast-tiles@.service")
    argv = exec_start("scopecast-tiles@.service")
    assert argv[0].endswith("/uvicorn")
    assert argv[argv.index("--port") + 1] == "%i"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert "--proxy-headers" in argv
    # As measured (docs/deploy.md, "Tile processes"); bench/tiles.py runs the same.
    expected = {"--http": "httptools", "--loop": "asyncio", "--ws": "none", "--lifespan": "off"}
    for option, value in expected.items():
        assert argv[argv.index(option) + 1] == value
    assert "--no-access-log" in argv
    assert argv[-1] == "scopecast.asgi:application"
    assert unit["Service"]["EnvironmentFile"] == "/etc/scopecast/scopecast.env"
    assert unit["Service"]["Restart"] == "always"


def test_it_runs_the_worker_command(db: None) -> None:
    argv = exec_start("scopecast-worker.service")
    assert argv[-2:] == ["manage.py", "run_worker"]
    assert "run_worker" in get_commands()


def test_it_groups_every_process_under_one_target() -> None:
    target = systemd_unit("scopecast.target")
    wants = target["Unit"]["Wants"].split()
    assert "scopecast-worker.service" in wants
    assert any(w.startswith("scopecast-daphne@") for w in wants)
    assert any(w.startswith("scopecast-tiles@") for w in wants)
    for name in (
        "scopecast-daphne@.service",
        "scopecast-tiles@.service",
        "scopecast-worker.service",
    ):
        assert systemd_unit(name)["Install"]["WantedBy"] == "scopecast.target"
