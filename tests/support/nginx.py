"""The shipped nginx site (deploy/nginx/scopecast.conf), run for real on free ports.

``shipped_site`` rewrites only what a test machine needs (ports, certificate
and static paths, the upstream addresses) and runs nginx in the foreground
with a self-signed certificate; everything else is the shipped file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.browser import free_port
from tests.support.deploy import DEPLOY, running_nginx
from tests.support.services import service_missing

NGINX = DEPLOY / "nginx"
SITE = (NGINX / "scopecast.conf").read_text()


@dataclass(frozen=True)
class Site:
    http: str  # http://127.0.0.1:<port> (redirects to https)
    https: str
    static: Path  # the static root nginx serves


def upstream_block(conf: str, upstream: str) -> str:
    start = conf.index(f"upstream {upstream} {{")
    return conf[start : conf.index("}", start)]


@contextmanager
def shipped_site(tmp_path: Path, daphne_port: int, tile_ports: list[int]) -> Iterator[Site]:
    """scopecast.conf in front of daphne on ``daphne_port`` and tile processes on ``tile_ports``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    openssl = shutil.which("openssl")
    if not Path(nginx).exists() or not openssl:
        service_missing("nginx and openssl (apt-get install nginx-light)")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    conf, http_port, https_port, static = _write_site(tmp_path, daphne_port, tile_ports)
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    with running_nginx(nginx, tmp_path, conf, https_port):
        yield Site(f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}", static)


def _write_site(
    tmp_path: Path, daphne_port: int, tile_ports: list[int]
) -> tuple[Path, int, int, Path]:
    """nginx.conf with scopecast.conf on free ports in front of daphne and the tile processes.

    Returns the nginx.conf, the http and https ports and the static root.
    """
    upstreams = (NGINX / "upstreams.conf").read_text()
    upstreams = re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{daphne_port}", upstreams)
    tiles = upstream_block(upstreams, "scopecast_tile_http")
    ports = iter(tile_ports)
    local = re.sub(f":{daphne_port};", lambda _: f":{next(ports)};", tiles)
    upstreams = upstreams.replace(tiles, local)
    (tmp_path / "upstreams.conf").write_text(upstreams)
    static = tmp_path / "static"
    (static / "frontend").mkdir(parents=True)
    (static / "frontend" / "app.css").write_text("body { color: black; }\n")
    http_port, https_port = free_port(), free_port()
    site = (
        SITE.replace("/etc/nginx/certs/", f"{tmp_path}/")
        .replace("/etc/nginx/scopecast/upstreams.conf", str(tmp_path / "upstreams.conf"))
        .replace("alias /srv/scopecast/static/;", f"alias {static}/;")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
    )
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    # Run as root, nginx's workers would switch to "nobody", who cannot read tmp_path.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    return conf, http_port, https_port, static
