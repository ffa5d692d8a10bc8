"""deploy/nginx agrees with the app: routes, tile cache key, static root, ports.

The files are checked as text here; `nginx -t` runs too when nginx is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from slides.tilecache import TileKey, tile_cache_key
from tests.deploy.conftest import DEPLOY

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


def test_it_lists_the_same_daphne_ports_as_the_systemd_target() -> None:
    upstreams = (NGINX / "upstreams.conf").read_text()
    target = (DEPLOY / "systemd" / "scopecast.target").read_text()
    ports = set(re.findall(r"scopecast-daphne@(\d+)\.service", target))
    http = _block(upstreams, "scopecast_http")
    ws = _block(upstreams, "scopecast_ws")
    assert ports
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+);", http)) == ports
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+);", ws)) == ports


def _block(conf: str, upstream: str) -> str:
    start = conf.index(f"upstream {upstream} {{")
    return conf[start : conf.index("}", start)]


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


def test_it_falls_back_to_daphne_on_a_bad_token_a_miss_or_memcached_errors() -> None:
    assert 'if ($scopecast_tile_ok != "1") {\n        return 418;' in FASTPATH
    assert "error_page 418 = @scopecast_tile_daphne;" in FASTPATH
    assert "error_page 404 502 503 504 = @scopecast_tile_daphne;" in FASTPATH
    assert "proxy_pass http://scopecast_http;" in FASTPATH


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    openssl = shutil.which("openssl")
    if not Path(nginx).exists() or not openssl:
        pytest.skip("nginx and openssl are not installed (apt-get install nginx)")
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
         "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = SITE.replace("/etc/nginx/certs/", f"{certs}/").replace(
        "/etc/nginx/scopecast/upstreams.conf", str(NGINX / "upstreams.conf")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
