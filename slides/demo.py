"""The demo slide set: synthetic H&E slides under SLIDE_STORAGE_ROOT/demo.

See docs/slides.md ("Demo slides"). `manage.py make_demo_slides` generates
the files (cached: an existing, valid file of the right size is kept) and
imports them idempotently. Other demo loaders find them with
`demo_slide("liver")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import openslide
from django.conf import settings

from slides import formats, synthetic, synthetic_svs
from slides.formats import SlideFormatError
from slides.importer import do_import_slide, do_replace_slide_file, hash_files, stored_path
from slides.models import Slide

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEMO_OWNER = "demo-teacher"


@dataclass(frozen=True)
class DemoSpec:
    key: str
    filename: str
    title: str
    organ: str
    kind: Literal["svs", "generic-tiff"]
    width: int
    height: int
    mpp: float
    magnification: int
    seed: int
    description: str
    large: bool = False

    def size(self, scale: float) -> tuple[int, int]:
        return max(256, int(self.width * scale)), max(256, int(self.height * scale))


DEMO_SLIDES = [
    DemoSpec(
        key="liver",
        filename="liver-he.svs",
        title="Liver H&E",
        organ="liver",
        kind="svs",
        width=20_000,
        height=15_000,
        mpp=0.25,
        magnification=40,
        seed=101,
        description="Synthetic H&E section, Aperio SVS at 40x (0.25 um/px).",
    ),
    DemoSpec(
        key="kidney",
        filename="kidney-he.tif",
        title="Kidney H&E",
        organ="kidney",
        kind="generic-tiff",
        width=16_000,
        height=12_000,
        mpp=0.5,
        magnification=20,
        seed=102,
        description="Synthetic H&E section, generic tiled TIFF pyramid (0.5 um/px).",
    ),
    DemoSpec(
        key="lymph-node-large",
        filename="lymph-node-he-large.svs",
        title="Lymph node H&E (large)",
        organ="lymph node",
        kind="svs",
        width=50_000,
        height=40_000,
        mpp=0.25,
        magnification=40,
        seed=103,
        description="Synthetic 50,000 x 40,000 px Aperio SVS, used by bench/tiles.py.",
        large=True,
    ),
]


def demo_dir() -> Path:
    return Path(settings.SLIDE_STORAGE_ROOT) / "demo"


def demo_path(spec: DemoSpec) -> Path:
    return demo_dir() / spec.filename


def demo_slide(key: str) -> Slide | None:
    """The imported demo slide for `key` ("liver", "kidney", "lymph-node-large")."""
    spec = next((s for s in DEMO_SLIDES if s.key == key), None)
    if spec is None:
        return None
    return (
        Slide.objects.filter(file_path=stored_path(demo_path(spec)))
        .exclude(status=Slide.Status.FAILED)
        .first()
    )


def is_valid_demo_file(spec: DemoSpec, path: Path, scale: float) -> bool:
    """The cached file exists, has the expected format and size, and reads cleanly."""
    if not path.is_file():
        return False
    expected = "aperio" if spec.kind == "svs" else "generic-tiff"
    if openslide.OpenSlide.detect_format(str(path)) != expected:
        return False
    try:
        info = formats.validate_openslide(path)
    except SlideFormatError:
        return False
    return (info.width, info.height) == spec.size(scale)


def write_demo_file(
    spec: DemoSpec, path: Path, scale: float, progress: Callable[[float], None] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = spec.size(scale)
    if spec.kind == "svs":
        return synthetic_svs.write_svs(
            path,
            width,
            height,
            mpp=spec.mpp,
            magnification=spec.magnification,
            seed=spec.seed,
            label_text=f"Scopecast demo\n{spec.title}",
            progress=progress,
        )
    return synthetic.write_generic_tiff(
        path, width, height, mpp=spec.mpp, seed=spec.seed, progress=progress
    )


def ensure_demo_slide(
    spec: DemoSpec, path: Path, owner: AbstractBaseUser | None
) -> tuple[Slide, str]:
    """Import the demo file once; refresh the record if the file changed.

    Returns (slide, what happened: "imported", "updated" or "unchanged").
    """
    existing = Slide.objects.filter(file_path=stored_path(path)).order_by("-id").first()
    if existing is not None and existing.status == Slide.Status.READY:
        content_hash, _size = hash_files([path])
        changed = False
        if owner is not None and existing.owner_id is None:
            existing.owner = owner  # type: ignore[assignment]
            changed = True
        if changed:
            existing.save(update_fields=["owner", "updated_at"])
        if content_hash == existing.content_hash:
            return existing, "unchanged"
        return do_replace_slide_file(existing, path), "updated"
    if existing is not None:
        existing.delete()  # a failed or interrupted earlier attempt
    slide = do_import_slide(
        path,
        owner=owner,
        title=spec.title,
        visibility=Slide.Visibility.PUBLIC,
        description=spec.description,
        organ=spec.organ,
        stain="H&E",
    )
    return slide, "imported"
