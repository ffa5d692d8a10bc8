"""A fresh clone has no var/ directory; the embedded default must still start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_it_migrates_with_no_var_directory_and_no_environment(tmp_path: Path) -> None:
    var = tmp_path / "fresh" / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "SLIDE_IMPORT_ROOTS"}
    }
    env["SCOPECAST_VAR_DIR"] = str(var)
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert (var / "scopecast.sqlite3").exists()
