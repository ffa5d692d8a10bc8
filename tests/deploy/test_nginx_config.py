"""deploy/nginx agrees with the app: routes, tile cache key, static root, ports.

The files are checked as text, and where nginx is installed the site runs for
real in front of an echoing stand-in for daphne.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse

from slides.tilecache import TileKey, tile_cache_key
from tests.support.deploy import DEPLOY, fake_upstream
from tests.support.nginx import shipped_site, upstream_block

NGINX = DEPLOY / "nginx"
SITE = (NGINX / "scopecast.conf").read_text()
FASTPATH = (NGINX / "tile-fastpath.conf").read_text()


def _location(conf: str, prefix: str) -> str:
    start = conf.index(f"location {prefix}")
    return conf[start : conf.index("\n    }", start)]


def test_it_proxies_websockets_with_the_upgrade_headers() -> None:
    ws = _location(SITE, "/ws/")
    assert "proxy_pass http://scopecast_ws;" in ws
    assert "proxy_set_header Upgrade    $http_upgrade;" in ws
    assert "proxy_set_header Connection $scopecast_connection;" in ws
    assert "proxy_read_timeout 1h;" in ws


def test_it_serves_static_files_from_static_root() -> None:
    env = (DEPLOY / "env.example").read_text()
    m = re.search(r"^STATIC_ROOT=(.+)$", env, re.M)
    assert m
    assert f"alias {m.group(1).rstrip('/')}/;" in _location(SITE, "/static/")


def test_it_terminates_tls_and_redirects_plain_http() -> None:
    assert "listen 443 ssl" in SITE
    assert "return 301 https://$host$request_uri;" in SITE
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in SITE  # SECURE_PROXY_SSL_HEADER


def test_it_accepts_upload_chunks_of_the_default_size(settings: Any) -> None:
    m = re.search(r"client_max_body_size (\d+)m;", SITE)
    assert m
    assert int(m.group(1)) * 1024**2 > settings.SLIDE_UPLOAD_CHUNK_BYTES


def test_it_lists_the_same_ports_as_the_systemd_target() -> None:
    upstreams = (NGINX / "upstreams.conf").read_text()
    target = (DEPLOY / "systemd" / "scopecast.target").read_text()
    ports = set(re.findall(r"scopecast-daphne@(\d+)\.service", target))
    tile_ports = set(re.findall(r"scopecast-tiles@(\d+)\.service", target))
    http = upstream_block(upstreams, "scopecast_http")
    ws = upstream_block(upstreams, "scopecast_ws")
    tiles = upstream_block(upstreams, "scopecast_tile_http")
    assert ports and tile_ports and not ports & tile_ports
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+);", http)) == ports
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+);", ws)) == ports
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+);", tiles)) == tile_ports


def test_it_matches_tile_urls_in_the_fast_path(db: None) -> None:
    pattern = re.search(r'location ~ "([^"]+)"', FASTPATH)
    assert pattern
    python_re = re.compile(pattern.group(1).replace("(?<", "(?P<"))
    url = reverse(
        "slides:tile", kwargs={"slide_id": 12, "level": 9, "col": 4, "row": 5, "fmt": "jpeg"}
    )
    m = python_re.match(url)
    assert m, url
    assert m.groupdict() == {"sc_slide": "12", "sc_level": "9", "sc_col": "4", "sc_row": "5"}
    assert not python_re.match("/slides/12_files/9/4_5.png")
    assert not python_re.match("/slides/12_files/9/../5.jpeg")


def test_it_builds_the_tile_cache_key_exactly_like_the_tile_cache(settings: Any) -> None:
    settings.TILE_CACHE_PREFIX = "sc"
    settings.TILE_SIZE = 254
    settings.TILE_OVERLAP = 1
    settings.TILE_QUALITY = 80
    m = re.search(r'set \$memcached_key "([^"]+)";', FASTPATH)
    assert m
    values = {"sc_slide": "12", "arg_v": "3", "sc_level": "9", "sc_col": "4", "sc_row": "5"}
    nginx_key = re.sub(r"\$\{?(\w+)\}?", lambda v: values[v.group(1)], m.group(1))
    assert nginx_key == tile_cache_key(TileKey(12, 3, 9, 4, 5, "jpeg"))


def test_it_falls_back_to_the_tile_processes_on_a_bad_token_a_miss_or_memcached_errors() -> None:
    assert 'if ($scopecast_tile_ok != "1") {\n        return 418;' in FASTPATH
    assert "error_page 418 = @scopecast_tile_server;" in FASTPATH
    assert "error_page 404 502 503 504 = @scopecast_tile_server;" in FASTPATH
    assert "proxy_pass http://scopecast_tile_http;" in FASTPATH


def _echo(name: str) -> Callable[[str, dict[str, str]], tuple[str, bytes]]:
    """Stands in for daphne or a tile process: answers with its name, the path and headers."""

    def answer(path: str, headers: dict[str, str]) -> tuple[str, bytes]:
        body = {"server": name, "path": path, "headers": headers}
        return "application/json", json.dumps(body).encode()

    return answer


@pytest.fixture
def nginx_site(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """scopecast.conf on free ports, a self-signed certificate, an echoing daphne and tile process."""
    with (
        fake_upstream(_echo("daphne")) as daphne_port,
        fake_upstream(_echo("tiles-1")) as tile_1,
        fake_upstream(_echo("tiles-2")) as tile_2,
        shipped_site(tmp_path, daphne_port, [tile_1, tile_2]) as site,
    ):
        yield site.http, site.https, site.static


HOST = {"Host": "scopecast.example.edu"}


def test_nginx_forwards_host_scheme_and_client_to_daphne(nginx_site: tuple[str, str, Path]) -> None:
    _, https, _ = nginx_site
    got = httpx.get(f"{https}/view/1/?a=b", headers=HOST, verify=False).json()
    assert got["server"] == "daphne"
    assert got["path"] == "/view/1/?a=b"
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["host"] == "scopecast.example.edu"  # ALLOWED_HOSTS sees the real name
    assert headers["x-forwarded-proto"] == "https"  # SECURE_PROXY_SSL_HEADER: no redirect loop
    assert headers["x-forwarded-for"] == "127.0.0.1"  # daphne --proxy-headers: real client IP
    assert headers.get("connection", "").lower() != "upgrade"


def test_nginx_passes_the_websocket_upgrade_to_daphne(nginx_site: tuple[str, str, Path]) -> None:
    _, https, _ = nginx_site
    upgrade = {**HOST, "Upgrade": "websocket", "Connection": "Upgrade"}
    got = httpx.get(f"{https}/ws/sessions/1/", headers=upgrade, verify=False).json()
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["upgrade"] == "websocket"
    assert headers["connection"].lower() == "upgrade"
    assert headers["host"] == "scopecast.example.edu"
    assert headers["x-forwarded-proto"] == "https"


def test_nginx_serves_static_files_itself(nginx_site: tuple[str, str, Path]) -> None:
    _, https, _ = nginx_site
    response = httpx.get(f"{https}/static/frontend/app.css", headers=HOST, verify=False)
    assert response.status_code == 200
    assert response.text == "body { color: black; }\n"
    assert "path" not in response.text  # not from the echoing daphne


def test_nginx_redirects_plain_http_to_https(nginx_site: tuple[str, str, Path]) -> None:
    http, _, _ = nginx_site
    response = httpx.get(f"{http}/view/1/", headers=HOST)
    assert response.status_code == 301
    assert response.headers["location"] == "https://scopecast.example.edu/view/1/"


def test_nginx_sends_tiles_to_the_tile_processes_and_the_rest_to_daphne(
    nginx_site: tuple[str, str, Path],
) -> None:
    _, https, _ = nginx_site
    tile = httpx.get(f"{https}/slides/7_files/12/3_4.jpeg?v=2&t=x", headers=HOST, verify=False)
    got = tile.json()
    assert got["server"].startswith("tiles-")
    assert got["path"] == "/slides/7_files/12/3_4.jpeg?v=2&t=x"
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["host"] == "scopecast.example.edu"
    assert headers["x-forwarded-proto"] == "https"
    assert headers.get("connection", "") == ""  # kept alive to the tile process
    for other in ("/slides/7.dzi", "/slides/7/info.json", "/slides/7/thumbnail.jpeg"):
        assert httpx.get(f"{https}{other}", headers=HOST, verify=False).json()["server"] == "daphne"


def test_nginx_sends_each_tile_to_one_tile_process_and_spreads_the_tiles(
    nginx_site: tuple[str, str, Path],
) -> None:
    _, https, _ = nginx_site
    with httpx.Client(headers=HOST, verify=False) as client:

        def served_by(col: int, row: int, token: str) -> str:
            url = f"{https}/slides/7_files/14/{col}_{row}.jpeg?v=2&t={token}"
            server: str = client.get(url).json()["server"]
            return server

        first = {(c, r): served_by(c, r, "a") for c in range(8) for r in range(5)}
        # The same tile, asked again (another student, another token): the same process.
        assert all(served_by(c, r, "b") == server for (c, r), server in first.items())
        assert set(first.values()) == {"tiles-1", "tiles-2"}  # and the tiles are spread
