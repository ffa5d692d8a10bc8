"""How long until a student's screen is sharp after the teacher moves, in real Chromium.

See docs/frontend.md ("Following: the figures") and issue 12.

Usage::

    .venv/bin/python bench/follow_browser.py [--students 5] [--moves 30] [--timeout 20]

What it does (a few minutes):

1. The demo slides (``manage.py make_demo_slides``: they are written once,
   then reused from var/slides/demo) are imported into a private database
   (``load_demo``: its course and live session). The server is the embedded
   one (``manage.py runserver``: daphne serving the websocket and the tiles,
   with memcached behind the in-process tile cache), started once per mode
   with a tile-cache prefix of its own and a fresh process, so every mode
   starts cold.
2. Per mode, one Chromium (headless, no GPU: OpenSeadragon's canvas drawer,
   as the pages use) opens the teacher console and ``--students`` student
   pages (1366x768, guests who joined with the code).
3. The teacher makes ``--moves`` moves on the large demo slide (a pan or a
   zoom to a region not shown before, zooms from 1x to 40x) with two slide
   switches among them, one every few seconds, as ``set_viewport`` (or
   ``open_slide``) frames from the console's client. The send time is
   ``Date.now()`` in the teacher's page; each student page records when its
   viewer, having reached the new view, holds every tile of it at its best
   resolution (OpenSeadragon's fully-loaded state, and the animation done).
4. Modes: prewarm off (``LIVE_PREWARM=0``, the baseline) and on, in the same
   run, each on regions of its own (a seed per mode) so neither finds the
   other's tiles in the operating system's file cache.

It prints, per mode, p50/p95/p99/max over every (move, student) of the time
from the teacher's frame to the student's sharp screen, the moves that timed
out, and the ratio of the p95s; and writes bench/results/follow-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]


def run_python(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{args} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running_server(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """``manage.py runserver`` (daphne: the websocket and the tiles) on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (folder / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


VIEWPORT = {"width": 1366, "height": 768}
LIVE = "() => window.scopecastLive && window.scopecastLive.client.state.status === 'live'"
# Installed in each student page: when its viewer holds the view of a frame
# sharp (fully loaded, animation over), note the time against that frame's key.
WATCH = """() => {
  const live = window.scopecastLive, done = {};
  window.__follow = done;
  const key = (v) => `${v.slide_id}:${Math.round(v.x)}:${Math.round(v.y)}`;
  let target = null;
  const check = () => {
    if (!target) return;
    const o = live.viewer.osd, v = live.viewer.getView();
    if (!v || v.slide_id !== target.slide_id) return;
    const still = Math.abs(o.viewport.getZoom(true) / o.viewport.getZoom() - 1) < 1e-4
      && o.viewport.getCenter(true).distanceTo(o.viewport.getCenter()) < 1e-7;
    if (still && live.viewer.fullyLoaded) { done[key(target)] = Date.now(); target = null; }
  };
  const follow = (view) => { target = view; };
  live.client.on('viewport', (f) => follow(f.viewport));
  live.client.on('slide_opened', (f) => follow(f.viewport));
  setInterval(check, 10);
}"""


def _moves(slides: dict[str, dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` teacher moves: pans and zooms on the large slide, two slide switches."""
    rng = random.Random(seed)
    large = slides["large"]
    moves: list[dict[str, Any]] = []
    switches = {count // 3: "small", count // 3 + 1: "large", 2 * count // 3: "small"}
    switches[2 * count // 3 + 1] = "large"
    for i in range(count):
        if i in switches:
            s = slides[switches[i]]
            # The whole slide, its centre nudged so that each move's frame is unique.
            view = {"x": s["width"] / 2 + i, "y": s["height"] / 2, "zoom": 1366 / s["width"]}
            moves.append({"kind": "switch", "slide_id": s["id"], "view": {**view, "rotation": 0}})
            continue
        # Magnification 1x to 40x on a 40x scan: zoom 1/40 to 1 CSS px per level-0 px.
        zoom = 10 ** rng.uniform(-1.6, 0)
        margin_x = min(0.45, 683 / zoom / large["width"])
        margin_y = min(0.45, 384 / zoom / large["height"])
        x = large["width"] * rng.uniform(margin_x, 1 - margin_x)
        y = large["height"] * rng.uniform(margin_y, 1 - margin_y)
        moves.append(
            {
                "kind": "zoom" if i % 2 else "pan",
                "slide_id": large["id"],
                "view": {"x": x, "y": y, "zoom": zoom, "rotation": 0},
            }
        )
    return moves


def _prepare(folder: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """A private database with the demo course; the slides come from var/slides."""
    (folder / "var").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="scopecast.settings",
        DEBUG="1",
        SCOPECAST_VAR_DIR=str(folder / "var"),
        SLIDE_STORAGE_ROOT=str(ROOT / "var" / "slides"),
        PYTHONPATH=str(ROOT),
        MEMCACHED_SERVERS=os.environ.get("MEMCACHED_SERVERS", "127.0.0.1:11211"),
    )
    for args in (["migrate", "--noinput"], ["make_demo_slides"], ["load_demo"]):
        run_python(["manage.py", *args], env)
    info = json.loads(
        run_python(
            [
                "-c",
                "import django, json; django.setup(); "
                "from classroom.models import LiveSession; from slides.models import Slide; "
                "s = LiveSession.objects.exclude(state='ended').order_by('pk').first(); "
                "sl = {x.pk: [x.width, x.height, x.title] for x in Slide.objects.filter(status='ready')}; "
                "print(json.dumps({'session': s.pk, 'code': s.join_code, 'slides': sl}))",
            ],
            env,
        )
        .strip()
        .splitlines()[-1]
    )
    by_size = sorted(info["slides"].items(), key=lambda kv: kv[1][0])

    def slide(entry: tuple[str, list[Any]]) -> dict[str, int]:
        return {"id": int(entry[0]), "width": entry[1][0], "height": entry[1][1]}

    slides = {"large": slide(by_size[-1]), "small": slide(by_size[0])}
    if slides["large"]["width"] < 50_000:
        print("warning: the largest demo slide is under 50,000 px wide", file=sys.stderr)
    return env, {"session": info["session"], "code": info["code"], "slides": slides}


def _student(browser: Browser, url: str, demo: dict[str, Any], n: int) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
    page.goto(f"{url}/join/{demo['code']}/")
    page.get_by_label("Your name").fill(f"Student {n}")
    page.get_by_role("button", name="Join session").click()
    page.wait_for_url(f"{url}/sessions/{demo['session']}/")
    page.wait_for_function(LIVE)
    page.evaluate(WATCH)
    return page


def _teacher(browser: Browser, url: str, demo: dict[str, Any]) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill("demo-teacher")
    page.get_by_label("Password").fill("scopecast-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/sessions/{demo['session']}/teach")
    page.wait_for_function(LIVE)
    return page


def _run_mode(
    name: str,
    env: dict[str, str],
    demo: dict[str, Any],
    folder: Path,
    args: argparse.Namespace,
    seed: int,
) -> dict[str, Any]:
    mode_env = {
        **env,
        "LIVE_PREWARM": "0" if name == "prewarm off" else "1",
        "TILE_CACHE_PREFIX": args.prefix or f"fb{uuid.uuid4().hex[:8]}",
    }
    samples: list[float] = []
    timeouts = 0
    moves = _moves(demo["slides"], args.moves, seed)
    if name == "prewarm on":
        args.prefix = mode_env["TILE_CACHE_PREFIX"]  # the hot pass reuses it
    with running_server(folder, mode_env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
        )
        teacher = _teacher(browser, url, demo)
        students = [_student(browser, url, demo, n) for n in range(args.students)]
        large = demo["slides"]["large"]
        teacher.evaluate(
            "(id) => window.scopecastLive.client.send({type: 'open_slide', slide_id: id})",
            large["id"],
        )
        time.sleep(args.pause)
        for i, move in enumerate(moves):
            view = move["view"]
            key = f"{move['slide_id']}:{round(view['x'])}:{round(view['y'])}"
            if move["kind"] == "switch":
                frame = {"type": "open_slide", "slide_id": move["slide_id"], "view": view}
            else:
                frame = {"type": "set_viewport", "slide_id": move["slide_id"], **view}
            sent = teacher.evaluate(
                "(frame) => { const t = Date.now(); window.scopecastLive.client.send(frame); return t; }",
                frame,
            )
            deadline = time.monotonic() + args.timeout
            pending = list(students)
            while pending and time.monotonic() < deadline:
                pending = [
                    p for p in pending if p.evaluate("(k) => window.__follow[k]", key) is None
                ]
                time.sleep(0.05)
            for page in students:
                done = page.evaluate("(k) => window.__follow[k]", key)
                if done is None:
                    timeouts += 1
                else:
                    samples.append(done - sent)
            print(
                f"  {name}: move {i + 1}/{len(moves)} {move['kind']:6} "
                f"slowest {max(samples[-len(students) :] or [0]):7.0f} ms",
                flush=True,
            )
            time.sleep(args.pause)
        browser.close()
    return {"mode": name, "samples_ms": samples, "timeouts": timeouts, "moves": len(moves)}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds a move may take")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between moves")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--hot", action="store_true", help="also: prewarm on's moves again, every tile cached"
    )
    args = parser.parse_args()
    args.prefix = None
    folder = ROOT / "var" / "bench" / f"follow-{time.strftime('%Y%m%d-%H%M%S')}"
    env, demo = _prepare(folder)
    print(
        f"slides: large {demo['slides']['large']}, small {demo['slides']['small']}; "
        f"{args.students} students, {args.moves} moves, canvas drawer, headless Chromium (no GPU)"
    )
    results = [
        _run_mode("prewarm off", env, demo, folder, args, seed=1),
        _run_mode("prewarm on", env, demo, folder, args, seed=2),
    ]
    if args.hot:  # the same moves again, with the same (now warm) memcached prefix
        results.append(_run_mode("hot", env, demo, folder, args, seed=2))
    print()
    print("| mode | samples | p50 ms | p95 ms | p99 ms | max ms | timed out |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        s = r["samples_ms"]
        r["p50"], r["p95"], r["p99"] = (_quantile(s, q) for q in (0.5, 0.95, 0.99))
        print(
            f"| {r['mode']} | {len(s)} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{max(s or [float('nan')]):.0f} | {r['timeouts']} |"
        )
    off, on = results[:2]
    print(
        f"\nprewarm on vs off at p95: {off['p95'] / on['p95']:.2f}x "
        f"(median {statistics.median(off['samples_ms']) / statistics.median(on['samples_ms']):.2f}x)"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"follow-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"args": vars(args), "demo": demo, "results": results}, indent=1))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
