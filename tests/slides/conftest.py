"""Fixtures for the slide library tests: small synthetic slides (<= 4000 px).

Slides are generated once per session and copied into each test's private
import root (`import_dir`), so tests stay fast and never share files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from slides import synthetic, synthetic_svs


@pytest.fixture(scope="session")
def slide_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("slide-templates")
    return {
        "svs": synthetic_svs.write_svs(
            base / "liver.svs",
            1600,
            1200,
            mpp=0.25,
            magnification=40,
            seed=11,
            label_text="PATH101\nLiver H&E",
        ),
        "svs2": synthetic_svs.write_svs(
            base / "lung.svs", 1400, 1000, mpp=0.5, magnification=20, seed=12
        ),
        "tiff": synthetic.write_generic_tiff(base / "kidney.tif", 1500, 1100, mpp=0.5, seed=13),
        "jpeg": synthetic.write_flat_image(base / "photo.jpg", 1800, 1300, seed=14),
    }


@pytest.fixture
def import_dir(slide_storage: Path, settings: Any) -> Path:
    """The test's private import root (next to its SLIDE_STORAGE_ROOT)."""
    path = slide_storage.parent / "import"
    settings.SCOPECAST_INPROCESS_WORKER = False
    return path


@pytest.fixture
def place(import_dir: Path, slide_templates: dict[str, Path]):
    """Copy a template slide into the import root: place("svs", "a.svs")."""

    def _place(kind: str, name: str | None = None, folder: Path | None = None) -> Path:
        source = slide_templates[kind]
        target = (folder or import_dir) / (name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target

    return _place
