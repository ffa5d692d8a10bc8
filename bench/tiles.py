"""Tile server benchmark: cold and hot tiles/s over real HTTP (see docs/tiles.md).

Usage::

    .venv/bin/python bench/tiles.py [--tiles 1500] [--hot-passes 7] [--rounds 5] [--concurrency 64]
                                    [--processes CORES] [--server uvicorn|daphne]

What it does, bounded to a few minutes:

0. Checks that memcached (``BENCH_MEMCACHED``, default 127.0.0.1:11211)
   answers; if not, it says so and exits with status 2 rather than measure
   uncached tiles under the memcached label.
1. Finds the >= 50,000 x 40,000 px demo slide (``manage.py make_demo_slides``
   writes it under var/); if there is none, writes one to
   var/bench/bench-50k.tiff (pyvips, a few minutes, kept for the next run).
2. Starts the deployment's tile server, uvicorn with the tile processes'
   options (``--server daphne``: daphne, the server of pages and websockets,
   for comparison), DEBUG off, memcached on, a fresh cache key prefix, a
   private SQLite database in var/bench/, on a free port: one process per
   core sharing the port, as the deployment runs them (``--processes 1``
   for a single process).
3. With 64 concurrent keep-alive HTTP/1.1 connections (raw asyncio, so the
   client costs as little CPU as possible on the shared 2 cores) it fetches
   a block of unique tiles of the finest Deep Zoom level (cold: nothing
   cached), then the same tiles again in several passes (hot; the median
   pass's rate counts).
4. Restarts the server with the in-process L1 cache off and fetches the same
   tiles again: hot tiles served from memcached.
5. Baseline, same run: ``DeepZoomGenerator.get_tile`` plus JPEG encoding
   in-process on 2 threads, over the same tiles. This is the ceiling for
   cold tiles on this machine. Because the machine is shared and noisy, the
   cold tiles are measured in rounds, each round timing the baseline on a
   block of tiles and then the (idle) server on the same, never-requested
   block.

It prints a table with tiles/s, p50/p99 latency, CPU seconds (of the server
processes for HTTP runs, of the baseline itself otherwise) and the ratios (targets:
cold >= 0.8 x ceiling, hot >= 2,000 tiles/s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BENCH_SLIDE = BENCH_DIR / "bench-50k.tiff"
MIN_W, MIN_H = 50_000, 40_000
SECRET = "bench-secret-" + "x" * 50
RUN_TIMEOUT = 240.0  # seconds per HTTP run: the benchmark always ends
MEMCACHED = os.environ.get("BENCH_MEMCACHED", "127.0.0.1:11211")


def server_env(db_path: Path, slide_dir: Path, prefix: str, local_mb: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "scopecast.settings",
            "DEBUG": "0",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SCOPECAST_INPROCESS_WORKER": "0",
            "SLIDE_IMPORT_ROOTS": str(slide_dir),
            "MEMCACHED_SERVERS": MEMCACHED,
            "TILE_CACHE_PREFIX": prefix,
            "TILE_CACHE_LOCAL_MB": str(local_mb),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def memcached_problem(servers: str) -> str | None:
    """Why ``servers`` (BENCH_MEMCACHED, ``host:port,...``) is not usable, or None.

    Each server must answer memcached's ``version`` command: the benchmark
    measures the memcached-backed deployment, and a server without it would
    quietly serve uncached tiles under the "memcached" label.
    """
    items = [item.strip() for item in servers.split(",") if item.strip()]
    if not items:
        return "no server given"
    for item in items:
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "11211")
        try:
            with socket.create_connection((host or item, int(port)), timeout=1.0) as conn:
                conn.settimeout(1.0)
                conn.sendall(b"version\r\n")
                reply = conn.recv(128)
        except ValueError:
            return f"{item}: not host:port"
        except OSError as e:
            return f"{item}: {e.strerror or e}"
        if not reply.startswith(b"VERSION "):
            return f"{item}: answered {reply[:40]!r}, which is not memcached"
    return None


# --------------------------------------------------------------------------
# The slide


def find_demo_slide() -> Path | None:
    """The largest ready slide of the default database, or of var/, that is big enough."""
    from django.conf import settings

    db_name = str(settings.DATABASES["default"]["NAME"])
    if "sqlite" in str(settings.DATABASES["default"]["ENGINE"]) and not Path(db_name).exists():
        return find_demo_file()
    try:
        from slides.models import Slide

        slides = Slide.objects.filter(
            status=Slide.Status.READY, width__gte=MIN_W, height__gte=MIN_H
        ).order_by("-width")
        for slide in slides:
            from slides.tiles.handles import SlideFileError, resolve_slide_path

            try:
                path = resolve_slide_path(slide.file_path)
            except SlideFileError:
                continue
            if path.exists():
                return path
    except Exception as e:  # no database yet, no migrations...
        print(f"  (no demo slide in the default database: {e.__class__.__name__})")
    return find_demo_file()


def find_demo_file() -> Path | None:
    import openslide
    from django.conf import settings

    var = Path(settings.VAR_DIR)
    for path in sorted(var.rglob("*")):
        if path.suffix.lower() not in {".svs", ".tif", ".tiff"} or BENCH_DIR in path.parents:
            continue
        try:
            width, height = openslide.OpenSlide(path).dimensions
        except (openslide.OpenSlideError, OSError):
            continue
        if width >= MIN_W and height >= MIN_H:
            return path
    return None


def ensure_slide() -> Path:
    found = find_demo_slide()
    if found is not None:
        return found
    if BENCH_SLIDE.exists():
        return BENCH_SLIDE
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"  writing {BENCH_SLIDE} ({MIN_W} x {MIN_H} px), once...", flush=True)
    started = time.monotonic()
    try:
        from slides.synthetic import write_generic_tiff

        write_generic_tiff(BENCH_SLIDE, MIN_W, MIN_H)
    except ImportError:
        write_plain_pyramid(BENCH_SLIDE, MIN_W, MIN_H)
    print(f"  written in {time.monotonic() - started:.0f} s")
    return BENCH_SLIDE


def write_plain_pyramid(path: Path, width: int, height: int) -> None:
    import pyvips

    noise = pyvips.Image.perlin(width // 4, height // 4, cell_size=64).resize(4)
    r = 220 - noise * 60
    g = 150 - noise * 80
    b = 200 - noise * 30
    image = r.bandjoin([g, b]).cast("uchar")
    tmp = path.with_suffix(".partial")
    image.tiffsave(str(tmp), tile=True, pyramid=True, compression="jpeg", Q=80, bigtiff=True)
    tmp.replace(path)


# --------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database(db_path: Path, slide_path: Path, env: dict[str, str]) -> tuple[int, int]:
    """Migrate a private SQLite database and register the slide; (id, version)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    script = (
        "import django, openslide; django.setup()\n"
        "from slides.models import Slide\n"
        f"p = {str(slide_path)!r}\n"
        "o = openslide.OpenSlide(p)\n"
        "s, _ = Slide.objects.update_or_create(file_path=p, defaults=dict(title='bench',"
        " status='ready', reader='openslide', width=o.dimensions[0], height=o.dimensions[1],"
        " level_count=o.level_count, visibility='public'))\n"
        "print(s.pk, s.version)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    slide_id, version = out.stdout.split()
    return int(slide_id), int(version)


# The tile processes' command line, as deploy/systemd/scopecast-tiles@.service
# runs it (without the proxy-header options: no proxy here).
UVICORN_OPTIONS = [
    "--http", "httptools", "--loop", "asyncio", "--ws", "none", "--lifespan", "off",
    "--no-access-log", "--log-level", "warning",
]  # fmt: skip
SERVERS = ("uvicorn", "daphne")


class Server:
    """``processes`` server processes answering on one port.

    ``uvicorn`` (the default) is the deployment's tile server: one process,
    or ``--workers N``, whose supervisor binds the port and hands the socket
    to its workers. ``daphne`` is the server of pages and websockets, which
    served tiles before: several processes share one listening socket
    (``daphne --fd``, as with systemd socket activation). Either way the
    kernel hands each new connection to one process, as one process per core
    behind nginx would get them (docs/deploy.md, "Processes").
    """

    def __init__(self, env: dict[str, str], processes: int = 1, server: str = "uvicorn") -> None:
        binary = str(Path(sys.executable).parent / server)
        self.name = server
        self.procs: list[subprocess.Popen[bytes]] = []
        self._listener: socket.socket | None = None
        app = "scopecast.asgi:application"
        if server == "uvicorn":
            self.port = free_port()
            command = [binary, "--host", "127.0.0.1", "--port", str(self.port), *UVICORN_OPTIONS]
            if processes > 1:
                command += ["--workers", str(processes)]
            self.procs.append(subprocess.Popen([*command, app], cwd=ROOT, env=env))
        elif processes <= 1:
            self.port = free_port()
            command = [binary, "-b", "127.0.0.1", "-p", str(self.port), "-v", "0"]
            self.procs.append(subprocess.Popen([*command, app], cwd=ROOT, env=env))
        else:
            listener = self._listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen(1024)
            self.port = int(listener.getsockname()[1])
            fd = listener.fileno()
            for _ in range(processes):
                self.procs.append(
                    subprocess.Popen(
                        [binary, "--fd", str(fd), "-v", "0", app],
                        cwd=ROOT,
                        env=env,
                        pass_fds=[fd],
                    )
                )
        self.processes = processes
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            if any(proc.poll() is not None for proc in self.procs):
                self.stop()
                raise RuntimeError(f"{self.name} exited during start-up")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    # Answered by the tile fast path (a 400, logged nowhere).
                    probe = b"GET /slides/0_files/0/0_0.jpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    conn.sendall(probe)
                    if conn.recv(16).startswith(b"HTTP/1.1"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start within 60 s")
            time.sleep(0.2)
        if self.processes > 1:
            # A shared socket is answered by whichever process is up first;
            # give the others the time their imports take (~2 s here).
            time.sleep(3.0)
            if any(proc.poll() is not None for proc in self.procs):
                self.stop()
                raise RuntimeError(f"{self.name} exited during start-up")

    def cpu_seconds(self) -> float:
        """CPU time of every server process (uvicorn's workers are its children)."""
        total = 0.0
        pids = [proc.pid for proc in self.procs]
        for pid in list(pids):
            with contextlib.suppress(OSError, ValueError):
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                pids += [int(child) for child in children]
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return total

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._listener is not None:
            self._listener.close()


# --------------------------------------------------------------------------
# A minimal keep-alive HTTP/1.1 client


@dataclass
class Run:
    name: str
    count: int
    seconds: float
    latencies: list[float]
    errors: int
    server_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection fetching paths from a shared list.

    A bare Protocol (no streams) keeps the client's CPU per request low: the
    client shares the 2 cores with the server it measures.
    """

    def __init__(self, job: _Job) -> None:
        self.job = job
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.started = 0.0
        self.need = -1  # body bytes still expected after the header, -1 = header pending

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.next()

    def next(self) -> None:
        path = self.job.take()
        if path is None:
            assert self.transport is not None
            self.transport.close()  # connection_lost follows
            return
        self.started = time.perf_counter()
        assert self.transport is not None
        self.transport.write(self.job.request(path))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.need < 0:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end])
                self.status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                del self.buffer[: end + 4]
                self.need = length
            if len(self.buffer) < self.need:
                return
            is_jpeg = self.buffer[:2] == b"\xff\xd8"  # no copy of the body
            del self.buffer[: self.need]
            self.need = -1
            self.job.done(time.perf_counter() - self.started, self.status == 200 and is_jpeg)
            self.next()
            if not self.buffer:
                return

    def connection_lost(self, exc: Exception | None) -> None:
        if self.need != -1 or self.buffer:
            self.job.errors += 1
        self.job.closed()


class _Job:
    def __init__(self, port: int, paths: list[str], connections: int) -> None:
        self.port = port
        self.paths = paths
        self.index = 0
        self.latencies: list[float] = []
        self.errors = 0
        self.open = connections
        self.finished = asyncio.get_running_loop().create_future()
        self.host = f"Host: 127.0.0.1:{port}\r\n\r\n".encode()

    def request(self, path: str) -> bytes:
        return b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.host

    def take(self) -> str | None:
        if self.index >= len(self.paths):
            return None
        self.index += 1
        return self.paths[self.index - 1]

    def done(self, latency: float, ok: bool) -> None:
        self.latencies.append(latency)
        if not ok:
            self.errors += 1

    def closed(self) -> None:
        self.open -= 1
        if self.open == 0 and not self.finished.done():
            self.finished.set_result(None)


async def _fetch_all(port: int, paths: list[str], concurrency: int) -> tuple[list[float], int]:
    loop = asyncio.get_running_loop()
    job = _Job(port, paths, concurrency)
    for _ in range(concurrency):
        await loop.create_connection(lambda: _Connection(job), "127.0.0.1", port)
    await job.finished
    return job.latencies, job.errors


def http_run(name: str, server: Server, paths: list[str], concurrency: int) -> Run:
    cpu0 = server.cpu_seconds()
    started = time.perf_counter()
    latencies, errors = asyncio.run(
        asyncio.wait_for(_fetch_all(server.port, paths, concurrency), timeout=RUN_TIMEOUT)
    )
    seconds = time.perf_counter() - started
    return Run(name, len(latencies), seconds, latencies, errors, server.cpu_seconds() - cpu0)


def segmented_run(
    name: str, server: Server, paths: list[str], passes: int, concurrency: int
) -> Run:
    """``passes`` runs over ``paths``; the rate is the median pass's.

    A hot pass lasts about a second, so one burst from another process on the
    shared machine can halve it; the median of several passes shrugs that
    off. Latencies and CPU are pooled over all passes.
    """
    parts = [http_run(name, server, paths, concurrency) for _ in range(max(1, passes))]
    median = sorted(parts, key=lambda r: r.rate)[len(parts) // 2]
    pooled = Run(f"{name}, median of {len(parts)}", 0, 0.0, [], 0)
    for part in parts:
        pooled.latencies += part.latencies
        pooled.errors += part.errors
        pooled.server_cpu += part.server_cpu
        pooled.count += part.count
    pooled.seconds = pooled.count / median.rate
    return pooled


# --------------------------------------------------------------------------
# The in-process baseline


@functools.cache
def _baseline_generator(slide_path: Path) -> Any:
    """One warm OpenSlide handle for every baseline round, as the server keeps its own.

    With a fresh handle per round, two of five server rounds typically ran at
    half speed (~290 tiles/s whatever TILE_WORKERS, the same CPU per tile)
    while the baseline's rate did not change; with one handle such rounds
    became rarer (0 of 6, 1 of 5) but did not vanish. Not explained yet: the
    per-round lines show it (docs/tiles.md, "Benchmark").
    """
    import openslide
    from django.conf import settings
    from openslide.deepzoom import DeepZoomGenerator

    return DeepZoomGenerator(
        openslide.OpenSlide(slide_path),
        tile_size=settings.TILE_SIZE,
        overlap=settings.TILE_OVERLAP,
        limit_bounds=True,
    )


def baseline(slide_path: Path, tiles: list[tuple[int, int, int]], threads: int) -> Run:
    from django.conf import settings

    from slides.tiles.jpeg import JpegEncoder

    dz = _baseline_generator(slide_path)
    encoder = JpegEncoder(settings.TILE_QUALITY)
    latencies: list[float] = []

    def one(t: tuple[int, int, int]) -> None:
        started = time.perf_counter()
        encoder.encode(dz.get_tile(t[0], (t[1], t[2])))
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    cpu = time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, tiles))
    return Run(
        f"baseline: get_tile + {encoder.backend}, {threads} threads",
        len(tiles),
        time.perf_counter() - started,
        latencies,
        0,
        server_cpu=time.process_time() - cpu,  # this process's CPU: the baseline's own
    )


def pick_tiles(slide_path: Path, count: int, offset: int) -> tuple[int, list[tuple[int, int, int]]]:
    """``count`` unique tiles of the finest level, a block from the slide's middle."""
    import openslide
    from django.conf import settings
    from openslide.deepzoom import DeepZoomGenerator

    dz = DeepZoomGenerator(
        openslide.OpenSlide(slide_path),
        tile_size=settings.TILE_SIZE,
        overlap=settings.TILE_OVERLAP,
        limit_bounds=True,
    )
    level = dz.level_count - 1
    cols, rows = dz.level_tiles[level]
    side = int(count**0.5) + 1
    c0 = max(0, cols // 2 - side // 2 + offset)
    r0 = max(0, rows // 2 - side // 2)
    tiles = [
        (level, c, r)
        for r in range(r0, min(rows, r0 + side))
        for c in range(c0, min(cols, c0 + side))
    ]
    return level, tiles[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=1500, help="unique cold tiles")
    parser.add_argument("--hot-passes", type=int, default=7, help="hot passes (median counts)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="baseline threads")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved cold rounds")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes sharing the port (default: one per core, as deployed)",
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="uvicorn",
        help="uvicorn: the deployment's tile processes (default); daphne: for comparison",
    )
    args = parser.parse_args()

    problem = memcached_problem(MEMCACHED)
    if problem is not None:
        print(
            f"memcached is not available (BENCH_MEMCACHED={MEMCACHED}): {problem}.\n"
            "The benchmark needs it (the hot-from-memcached run, and the cold and L1 runs "
            "are measured with memcached on). Start one, e.g. "
            "`memcached -d -l 127.0.0.1 -p 11211`, or set BENCH_MEMCACHED=host:port.",
            file=sys.stderr,
        )
        return 2

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scopecast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    print("Scopecast tile benchmark")
    load_before = os.getloadavg()[0]
    slide_path = ensure_slide().resolve()
    print(f"  slide: {slide_path}")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        env = server_env(db_path, slide_path.parent, prefix, local_mb=256)
        slide_id, version = prepare_database(db_path, slide_path, env)

        # Tokens are signed with the server's SECRET_KEY.
        settings.SECRET_KEY = SECRET
        from slides.tokens import issue_tile_token

        token = issue_tile_token(slide_id, version)
        level, tiles = pick_tiles(slide_path, args.tiles, offset=0)
        paths = [
            f"/slides/{slide_id}_files/{lv}/{c}_{r}.jpeg?v={version}&t={token}"
            for lv, c, r in tiles
        ]
        print(
            f"  {len(tiles)} unique tiles of Deep Zoom level {level}, concurrency {args.concurrency}, "
            f"{args.processes} {args.server} process{'es' if args.processes > 1 else ''}"
        )

        # The machine is shared and noisy, so cold HTTP and the in-process
        # ceiling are interleaved: each round measures the baseline on a block
        # of tiles (one warm OpenSlide handle, like the server's) and then the
        # server on the same,
        # never-requested block.
        rounds = max(1, args.rounds)
        # Contiguous blocks (rows of tiles), as a viewer panning would ask.
        size = -(-len(tiles) // rounds)
        blocks = [tiles[i : i + size] for i in range(0, len(tiles), size)]
        cold = Run("cold: read + encode (HTTP)", 0, 0.0, [], 0)
        base = Run(f"baseline: get_tile + encode, {args.threads} threads", 0, 0.0, [], 0)
        round_ratios: list[float] = []

        runs: list[Run] = []
        server = Server(env, args.processes, args.server)
        try:
            # Warm the server up (open the slide, first requests) on other tiles.
            _, warm = pick_tiles(slide_path, 64, offset=-200)
            http_run(
                "warm-up",
                server,
                [
                    f"/slides/{slide_id}_files/{lv}/{c}_{r}.jpeg?v={version}&t={token}"
                    for lv, c, r in warm
                ],
                args.concurrency,
            )
            for block in blocks:
                b = baseline(slide_path, block, args.threads)
                c = http_run(
                    "cold",
                    server,
                    [
                        f"/slides/{slide_id}_files/{lv}/{col}_{row}.jpeg?v={version}&t={token}"
                        for lv, col, row in block
                    ],
                    args.concurrency,
                )
                round_ratios.append(c.rate / b.rate)
                print(
                    f"  cold round {len(round_ratios)}: baseline {b.rate:.0f} tiles/s, "
                    f"server {c.rate:.0f} tiles/s ({c.server_cpu / max(1, c.count) * 1000:.2f} ms "
                    f"server CPU a tile), ratio {round_ratios[-1]:.2f}",
                    flush=True,
                )
                for total, part in ((base, b), (cold, c)):
                    total.count += part.count
                    total.seconds += part.seconds
                    total.latencies += part.latencies
                    total.errors += part.errors
                    total.server_cpu += part.server_cpu
            hot = segmented_run(
                "hot: in-process L1 (HTTP)", server, paths, args.hot_passes, args.concurrency
            )
            runs += [cold, hot]
        finally:
            server.stop()

        server = Server(
            server_env(db_path, slide_path.parent, prefix, local_mb=0), args.processes, args.server
        )
        try:
            http_run("warm-up", server, paths[:64], args.concurrency)
            hot_memcached = segmented_run(
                "hot: memcached, no L1 (HTTP)", server, paths, args.hot_passes, args.concurrency
            )
            runs.append(hot_memcached)
        finally:
            server.stop()
    runs.append(base)

    print()
    print(
        f"{'run':<48} {'tiles':>7} {'tiles/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu s':>9} {'errors':>6}"
    )
    for run in runs:
        print(
            f"{run.name:<48} {run.count:>7} {run.rate:>9.0f} {run.pct(0.5):>8.1f} "
            f"{run.pct(0.99):>8.1f} {run.server_cpu:>9.1f} {run.errors:>6}"
        )
    print()
    print(
        f"load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (other processes share them)"
    )
    cold_ratio = cold.rate / base.rate
    spread = ", ".join(f"{r:.2f}" for r in round_ratios)
    print(f"cold / in-process ceiling      = {cold_ratio:.2f}   (target >= 0.80; rounds: {spread})")
    # CPU time is only counted while a process runs, so this ratio shrugs off
    # the other processes that wall-clock rates suffer from.
    cold_cpu = cold.server_cpu / cold.count * 1000
    base_cpu = base.server_cpu / base.count * 1000
    print(
        f"CPU per cold tile: server {cold_cpu:.2f} ms, in-process {base_cpu:.2f} ms "
        f"(efficiency {base_cpu / cold_cpu:.2f})"
    )
    print(
        f"hot L1 / in-process ceiling    = {hot.rate / base.rate:.1f}x  "
        f"({hot.rate:.0f} tiles/s, target >= 2000)"
    )
    print(
        f"hot memcached / ceiling        = {hot_memcached.rate / base.rate:.1f}x  "
        f"({hot_memcached.rate:.0f} tiles/s)"
    )
    print(f"baseline mean per tile         = {statistics.mean(base.latencies) * 1000:.1f} ms")
    failed = sum(r.errors for r in runs)
    if failed:
        print(f"{failed} requests failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
