"""The live pages' committed data types match frontend/page_data.py.

frontend/types/pages.d.ts is generated (``make protocol-types``) from
``manage.py page_schema``; a page model changed without regenerating it fails
here, as tests/realtime/test_protocol_types.py does for the frames.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from frontend.page_data import page_schema_text
from realtime.schema import schema_digest
from tests.support.services import service_missing

ROOT = Path(__file__).resolve().parents[2]
TYPES = ROOT / "frontend" / "types" / "pages.d.ts"
FIX = "run `make protocol-types` and commit frontend/types/pages.d.ts (docs/frontend.md)"


def test_the_committed_page_types_come_from_the_current_models() -> None:
    found = re.search(r"schema-sha256: ([0-9a-f]{64})", TYPES.read_text())
    assert found, f"{TYPES.name} has no schema-sha256 header: {FIX}"
    assert found.group(1) == schema_digest(page_schema_text()), f"stale: {FIX}"


def test_the_committed_page_types_are_exactly_what_the_generator_writes() -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "json-schema-to-typescript").is_dir():
        service_missing("Node.js and node_modules (`make install`) are needed to generate types")
    done = subprocess.run(
        [node, str(ROOT / "frontend" / "types" / "generate.js"), "-", "-", "Pages"],
        cwd=ROOT,
        input=page_schema_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == TYPES.read_text(), f"{TYPES.name} was edited by hand: {FIX}"
