"""Hot tiles through nginx's memcached fast path vs through daphne (see docs/deploy.md).

Usage::

    .venv/bin/python bench/nginx_fastpath.py [--tiles 1000] [--passes 5] [--concurrency 64]

Needs nginx with its njs module (Debian: nginx-light libnginx-mod-http-js)
and memcached on 127.0.0.1:11211 (BENCH_MEMCACHED). What it does:

1. Writes a small synthetic SVS once (var/bench/fastpath.svs) and registers
   it in a private SQLite database; starts one daphne process (DEBUG off,
   memcached on, a fresh cache key prefix), reusing bench/tiles.py's helpers.
2. Fetches ``--tiles`` tiles once through daphne: they are now in its
   in-process cache and in memcached.
3. Baseline, same run: the same tiles, ``--passes`` times, through daphne
   (hot: in-process cache hits, token checked in Python).
4. The same requests through nginx (one worker process) with
   deploy/nginx/tile-fastpath.conf: njs checks each token, memcached serves
   the bytes, Python is not involved.

Prints tiles/s, p50/p99 latency and server CPU seconds for both, and the
ratio. Client and servers share the machine's cores, so absolute figures on
a busy 2-core box are noisy; the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = ROOT / "deploy" / "nginx"
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")


def _load_tiles_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_tiles", ROOT / "bench" / "tiles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_tiles"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tb = _load_tiles_bench()
SLIDE: Path = Path(tb.BENCH_DIR) / "fastpath.svs"


def ensure_slide() -> Path:
    if not SLIDE.exists():
        from slides.synthetic_svs import write_svs

        SLIDE.parent.mkdir(parents=True, exist_ok=True)
        write_svs(SLIDE, 12_000, 9_000, seed=5)
    return SLIDE


class Nginx:
    """One nginx process (no master) with the tile fast path in front of daphne."""

    def __init__(self, workdir: Path, daphne_port: int, prefix: str, key_hex: str) -> None:
        nginx = os.environ.get("BENCH_NGINX", "/usr/sbin/nginx")
        if not Path(nginx).exists() or not JS_MODULE.exists():
            raise SystemExit(
                "needs nginx and its njs module (apt-get install nginx-light libnginx-mod-http-js)"
            )
        self.port = tb.free_port()
        fastpath = (NGINX_DIR / "tile-fastpath.conf").read_text()
        fastpath = fastpath.replace('set $memcached_key "sc:t:', f'set $memcached_key "{prefix}:t:')
        (workdir / "fastpath.conf").write_text(fastpath)
        conf = workdir / "nginx.conf"
        conf.write_text(
            f"load_module {JS_MODULE};\n"
            f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
            "daemon off;\nmaster_process off;\nworker_processes 1;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  access_log off;\n"
            f"  client_body_temp_path {workdir}/body;\n  proxy_temp_path {workdir}/proxy;\n"
            f'  js_path "{NGINX_DIR}";\n'
            "  js_import scopecast_tiles from tiletoken.js;\n"
            "  js_set $scopecast_tile_ok scopecast_tiles.check;\n"
            f'  map "" $scopecast_tile_key {{ default "{key_hex}"; }}\n'
            f"  upstream scopecast_http {{ server 127.0.0.1:{daphne_port}; keepalive 16; }}\n"
            f"  upstream scopecast_memcached {{ server {tb.MEMCACHED}; keepalive 64; }}\n"
            f"  server {{\n    listen 127.0.0.1:{self.port};\n"
            f"    include {workdir / 'fastpath.conf'};\n  }}\n"
            "}\n"
        )
        self.proc = subprocess.Popen([nginx, "-p", str(workdir), "-c", str(conf)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                tb.socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit((workdir / "error.log").read_text()) from None
                time.sleep(0.05)
        raise SystemExit("nginx did not start")

    cpu_seconds = tb.Server.cpu_seconds
    stop = tb.Server.stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=1000, help="distinct hot tiles")
    parser.add_argument("--passes", type=int, default=5, help="passes over them per run")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scopecast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    print("Scopecast nginx tile fast path benchmark")
    slide_path = ensure_slide().resolve()
    prefix = f"fp{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(dir=tb.BENCH_DIR) as tmp:
        workdir = Path(tmp)
        db_path = workdir / "bench.sqlite3"
        env = tb.server_env(db_path, slide_path.parent, prefix, local_mb=256)
        slide_id, version = tb.prepare_database(db_path, slide_path, env)

        settings.SECRET_KEY = tb.SECRET  # tokens are signed with the server's key
        from slides.tokens import issue_tile_token

        token = issue_tile_token(slide_id, version)
        key_hex = hashlib.sha256(b"scopecast.slides.tokens" + tb.SECRET.encode()).hexdigest()
        level, tiles = tb.pick_tiles(slide_path, args.tiles, offset=0)
        paths = [
            f"/slides/{slide_id}_files/{lv}/{c}_{r}.jpeg?v={version}&t={token}"
            for lv, c, r in tiles
        ]
        print(
            f"  {len(tiles)} tiles of level {level} x {args.passes} passes, "
            f"concurrency {args.concurrency}"
        )
        daphne = tb.Server(env)
        nginx = None
        try:
            fill = tb.http_run("fill caches", daphne, paths, args.concurrency)
            nginx = Nginx(workdir, daphne.port, prefix, key_hex)
            tb.http_run("warm-up", nginx, paths[:64], args.concurrency)
            # Interleave, so both see the same background load.
            hot_daphne = tb.Run("hot via daphne (Python, L1 cache)", 0, 0.0, [], 0)
            hot_nginx = tb.Run("hot via nginx fast path (njs + memcached)", 0, 0.0, [], 0)
            for _ in range(args.passes):
                for total, server in ((hot_daphne, daphne), (hot_nginx, nginx)):
                    part = tb.http_run(total.name, server, paths, args.concurrency)
                    total.count += part.count
                    total.seconds += part.seconds
                    total.latencies += part.latencies
                    total.errors += part.errors
                    total.server_cpu += part.server_cpu
        finally:
            if nginx is not None:
                nginx.stop()
            daphne.stop()

    print()
    print(
        f"{'run':<44} {'tiles':>7} {'tiles/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'srv cpu s':>9} {'errors':>6}"
    )
    for run in (fill, hot_daphne, hot_nginx):
        print(
            f"{run.name:<44} {run.count:>7} {run.rate:>9.0f} {run.pct(0.5):>8.1f} "
            f"{run.pct(0.99):>8.1f} {run.server_cpu:>9.1f} {run.errors:>6}"
        )
    print()
    per_cpu_d = hot_daphne.count / hot_daphne.server_cpu if hot_daphne.server_cpu else 0.0
    per_cpu_n = hot_nginx.count / hot_nginx.server_cpu if hot_nginx.server_cpu else 0.0
    print(f"nginx fast path / daphne, tiles/s         = {hot_nginx.rate / hot_daphne.rate:.1f}x")
    if per_cpu_d and per_cpu_n:
        print(
            f"nginx fast path / daphne, tiles per CPU-s = {per_cpu_n / per_cpu_d:.1f}x  "
            f"({per_cpu_n:.0f} vs {per_cpu_d:.0f})"
        )
    return 1 if hot_daphne.errors or hot_nginx.errors else 0


if __name__ == "__main__":
    sys.exit(main())
