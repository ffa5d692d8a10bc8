"""The viewer's scale bar and magnification maths (frontend/static/frontend/scalebar.js).

Runs the real script in Node.js (installed with npm, which `make install`
needs anyway); skips where Node.js is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend" / "scalebar.js"


def _js(expression: str) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    # package.json says "type": "module", so Node.js loads the classic script
    # as an ES module: import() works on every version (require() of one
    # needs Node.js 20.19 or later).
    program = (
        "globalThis.window = globalThis;"
        f"import({json.dumps(SCRIPT.as_uri())}).then(() => {{"
        "const S = globalThis.ScopecastScale;"
        f"process.stdout.write(JSON.stringify({expression}));"
        "});"
    )
    done = subprocess.run([node, "-e", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("mpp", "zoom", "label", "px"),
    [
        (0.25, 1.0, "20 µm", 80.0),  # full resolution of a 40x scan
        (0.5, 4.0, "20 µm", 160.0),  # zoomed past full resolution
        (0.25, 0.01, "2 mm", 80.0),  # whole-slide overview
        (0.25, 1000.0, "20 nm", 80.0),
    ],
)
def test_it_picks_a_round_length_that_fits(mpp: float, zoom: float, label: str, px: float) -> None:
    bar = _js(f"S.scaleBar({mpp}, {zoom}, 160)")
    assert bar["label"] == label
    assert bar["px"] == pytest.approx(px)
    assert bar["px"] <= 160


def test_it_draws_no_scale_bar_without_a_calibration() -> None:
    assert _js("[S.scaleBar(null, 1, 160), S.scaleBar(0, 1, 160), S.scaleBar(0.25, 0, 160)]") == [
        None,
        None,
        None,
    ]


def test_it_uses_the_scanned_objective_power_or_estimates_it_from_mpp() -> None:
    assert _js("S.basePower(40, 0.25)") == {"power": 40, "estimated": False}
    assert _js("S.basePower(null, 0.5)") == {"power": 20, "estimated": True}
    assert _js("S.basePower(null, null)") is None


def test_it_formats_magnifications_for_reading_at_a_glance() -> None:
    assert _js("[40, 6.71, 0.5].map(S.formatMagnification)") == ["40×", "6.7×", "0.50×"]  # noqa: RUF001
