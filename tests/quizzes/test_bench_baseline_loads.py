"""bench/quiz_burst.py --ws serves bench/_quiz_asgi.py: it must load as daphne loads it,
with the naive baseline switched on (a module-level import before Django is set
up once broke it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_naive_quiz_baseline_loads_and_replaces_the_answer_handler() -> None:
    code = (
        "import _quiz_asgi\n"
        "from realtime.commands import COMMANDS\n"
        "print(COMMANDS['quiz_answer'].handler.__name__)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scopecast.settings",
        "BENCH_ANSWERS": "naive",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["naive_answer"]
