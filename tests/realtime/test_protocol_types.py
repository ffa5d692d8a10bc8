"""The browser client's committed frame types match the server's frames.

frontend/types/protocol.d.ts is generated (``make protocol-types``) from
``manage.py protocol_schema``. A frame changed on the server without
regenerating it fails here, so CI catches a client left behind:

- its header's schema digest must be that of the schema the server writes
  now (no Node.js needed);
- and the whole file must be what the generator writes (needs Node.js and
  ``npm ci``: skipped without them, a failure in CI).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from realtime.schema import schema_digest
from tests.support.services import service_missing

ROOT = Path(__file__).resolve().parents[2]
TYPES = ROOT / "frontend" / "types" / "protocol.d.ts"
GENERATOR = ROOT / "frontend" / "types" / "generate.js"
FIX = "run `make protocol-types` and commit frontend/types/protocol.d.ts (docs/frontend.md)"


@pytest.fixture(scope="module")
def schema_text() -> str:
    """What ``make protocol-types`` starts from, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "manage.py", "protocol_schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_committed_types_come_from_the_servers_current_frames(schema_text: str) -> None:
    found = re.search(r"schema-sha256: ([0-9a-f]{64})", TYPES.read_text())
    assert found, f"{TYPES.name} has no schema-sha256 header: {FIX}"
    assert found.group(1) == schema_digest(schema_text), f"the client types are stale: {FIX}"


def test_the_committed_types_are_exactly_what_the_generator_writes(schema_text: str) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "json-schema-to-typescript").is_dir():
        service_missing("Node.js and node_modules (`make install`) are needed to generate types")
    done = subprocess.run(
        [node, str(GENERATOR), "-", "-"],
        cwd=ROOT,
        input=schema_text,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == TYPES.read_text(), f"{TYPES.name} was edited by hand: {FIX}"
