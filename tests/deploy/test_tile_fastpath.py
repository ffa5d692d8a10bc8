"""The optional nginx fast path serves tile hits from memcached only with a valid token.

deploy/nginx/tiletoken.js must accept exactly the tokens slides.tokens issues,
and nginx must fall through to the tile processes on a bad token, a miss or an error.
Runs real nginx (with its njs module) and real memcached; skips where nginx
or njs is not installed. See docs/deploy.md ("Tile fast path").
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymemcache.client.base import Client

from slides.tilecache import TileKey, tile_cache_key
from slides.tokens import issue_tile_token
from tests.support.browser import free_port
from tests.support.deploy import DEPLOY, fake_upstream, running_nginx
from tests.support.services import service_missing

NGINX_DIR = DEPLOY / "nginx"
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/sbin/{name}"
    if not Path(path).exists():
        service_missing(f"{name} (apt-get install nginx-light libnginx-mod-http-js njs)")
    return path


def _tile_key_hex(secret_key: str) -> str:
    return hashlib.sha256(b"scopecast.slides.tokens" + secret_key.encode()).hexdigest()


@pytest.fixture
def tile_settings(settings: Any) -> Any:
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.SECRET_KEY_FALLBACKS = []
    settings.TILE_CACHE_PREFIX = "sc"
    settings.TILE_SIZE, settings.TILE_OVERLAP, settings.TILE_QUALITY = 254, 1, 80
    return settings


def _njs_check(tmp_path: Path, key_hex: str, slide: str, version: str, token: str) -> str:
    script = tmp_path / "check.js"
    script.write_text(
        "import m from 'tiletoken.js';\n"
        f"console.log(m.check({{variables: {{scopecast_tile_key: '{key_hex}', sc_slide: '{slide}'}},"
        f" args: {{v: '{version}', t: '{token}'}}}}));\n"
    )
    done = subprocess.run(
        [_tool("njs"), "-p", str(NGINX_DIR), str(script)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_njs_check_accepts_exactly_the_tokens_python_issues(
    tile_settings: Any, tmp_path: Path
) -> None:
    key = _tile_key_hex(tile_settings.SECRET_KEY)
    token = issue_tile_token(12, 3)
    assert _njs_check(tmp_path, key, "12", "3", token) == "1"
    assert _njs_check(tmp_path, key, "13", "3", token) == "0"  # another slide
    assert _njs_check(tmp_path, key, "12", "4", token) == "0"  # another version
    assert _njs_check(tmp_path, "ab" * 32, "12", "3", token) == "0"  # another secret
    expired = issue_tile_token(12, 3, now=time.time() - 10 * tile_settings.TILE_TOKEN_TTL)
    assert _njs_check(tmp_path, key, "12", "3", expired) == "0"
    assert _njs_check(tmp_path, key, "12", "3", "garbage") == "0"


def _from_tile_server(path: str, headers: dict[str, str]) -> tuple[str, bytes]:
    return "text/plain", b"from a tile process"


@pytest.fixture
def nginx_fastpath(tile_settings: Any, memcached_servers: str, tmp_path: Path) -> Iterator[str]:
    nginx = _tool("nginx")
    if not JS_MODULE.exists():
        service_missing("nginx's njs module (apt-get install libnginx-mod-http-js)")
    with fake_upstream(_from_tile_server) as tile_port:
        conf, port = _write_conf(tmp_path, tile_port, tile_settings.SECRET_KEY, memcached_servers)
        with running_nginx(nginx, tmp_path, conf, port):
            yield f"http://127.0.0.1:{port}"


def _write_conf(
    tmp_path: Path, tile_port: int, secret_key: str, memcached_servers: str
) -> tuple[Path, int]:
    """nginx.conf serving the tile fast path on a free port; returns it and the port."""
    port = free_port()
    memcached = memcached_servers.split(",")[0]
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"load_module {JS_MODULE};\n"
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        "events {}\n"
        "http {\n"
        "  access_log off;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f'  js_path "{NGINX_DIR}";\n'
        "  js_import scopecast_tiles from tiletoken.js;\n"
        "  js_set $scopecast_tile_ok scopecast_tiles.check;\n"
        f'  map "" $scopecast_tile_key {{ default "{_tile_key_hex(secret_key)}"; }}\n'
        f"  upstream scopecast_tile_http {{ server 127.0.0.1:{tile_port}; }}\n"
        f"  upstream scopecast_memcached {{ server {memcached}; }}\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n"
        f"    include {NGINX_DIR / 'tile-fastpath.conf'};\n  }}\n"
        "}\n"
    )
    return conf, port


def test_nginx_serves_a_cached_tile_only_with_a_valid_token(
    nginx_fastpath: str, memcached_servers: str
) -> None:
    host, _, port = memcached_servers.split(",")[0].rpartition(":")
    mc = Client((host, int(port)))
    slide = 900_000_000 + secrets.randbelow(99_999_999)  # no clash with other runs
    jpeg = b"\xff\xd8\xff\xe0fake-jpeg-bytes\xff\xd9"
    hit = TileKey(slide, 3, 9, 4, 5, "jpeg")
    keys = [tile_cache_key(hit), tile_cache_key(TileKey(slide, 4, 9, 4, 5, "jpeg"))]
    for key in keys:
        mc.set(key, jpeg, expire=60)
    token = issue_tile_token(slide, 3)
    tile_url = f"{nginx_fastpath}/slides/{slide}_files/9/4_5.jpeg"
    try:
        served = httpx.get(tile_url, params={"v": "3", "t": token})
        assert served.status_code == 200
        assert served.content == jpeg
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-scopecast-tile"] == "memcached"
        assert "immutable" in served.headers["cache-control"]

        # Everything else goes to a tile process, which answers as it always does.
        miss = httpx.get(
            f"{nginx_fastpath}/slides/{slide}_files/9/4_6.jpeg", params={"v": "3", "t": token}
        )
        bad_token = httpx.get(tile_url, params={"v": "3", "t": token[:-2] + "AA"})
        no_token = httpx.get(tile_url, params={"v": "3"})
        other_version = httpx.get(tile_url, params={"v": "4", "t": token})
        for response in (miss, bad_token, no_token, other_version):
            assert response.text == "from a tile process"
            assert "x-scopecast-tile" not in response.headers
    finally:
        for key in keys:
            mc.delete(key)
        mc.close()
