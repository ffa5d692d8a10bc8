"""A synthetic Aperio SVS: the demo slides' format (see docs/slides.md, "Synthetic slides").

``write_svs`` writes ``slides.synthetic.tissue_image`` as the layout Aperio
scanners write and OpenSlide's "aperio" backend reads: a tiled pyramid whose
first ImageDescription carries magnification and MPP, a stripped thumbnail
second, and stripped label and macro images last. pyvips writes the pyramid,
tifffile appends the associated images, and the IFD chain is relinked so the
thumbnail comes second.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
import tifffile

from slides.synthetic import ProgressCallback, partial_path, save_pyramid, tissue_image

APERIO_HEADER = "Aperio Image Library v12.0.16"


def _label_image(text: str, *, seed: int) -> pyvips.Image:
    """A slide label: white paper, dark text and a barcode-like stripe block."""
    rng = np.random.default_rng(seed)
    width, height = 420, 420
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    rendered = pyvips.Image.text(escaped, width=width - 40, dpi=180, font="sans bold")
    ink = rendered.crop(0, 0, min(rendered.width, width - 40), min(rendered.height, 220))
    paper = pyvips.Image.black(width, height).linear([0.0], [248.0])
    paper = paper.insert(255 - ink.linear([0.92], [0.0]), 20, 24).cast("uchar")
    # Barcode: vertical bars of random widths across the bottom.
    bars = np.full((120, width - 40), 248, dtype=np.uint8)
    x = 0
    while x < bars.shape[1]:
        w = int(rng.integers(2, 7))
        if rng.random() < 0.55:
            bars[:, x : x + w] = 25
        x += w + int(rng.integers(2, 5))
    barcode = pyvips.Image.new_from_memory(bars.tobytes(), bars.shape[1], bars.shape[0], 1, "uchar")
    paper = paper.insert(barcode, 20, height - 150)
    return paper.bandjoin([paper, paper]).copy(interpretation="srgb")


def _macro_image(label: pyvips.Image, overview: pyvips.Image) -> pyvips.Image:
    """The whole glass slide: label on the left, tissue on the right."""
    height = 480
    width = height * 3
    glass = pyvips.Image.black(width, height, bands=3).linear([0, 0, 0], [226, 228, 230])
    glass = glass.cast("uchar").copy(interpretation="srgb")
    lab = label.resize(height / label.height)
    glass = glass.insert(lab, 0, 0)
    area_w, area_h = width - lab.width - 40, height - 40
    scale = min(area_w / overview.width, area_h / overview.height)
    tissue = overview.resize(scale)
    # Glass shows through white background: darken the tissue slightly.
    tissue = tissue.linear([0.93, 0.94, 0.94], [0, 0, 0]).cast("uchar")
    x = lab.width + 20 + (area_w - tissue.width) // 2
    y = 20 + (area_h - tissue.height) // 2
    return glass.insert(tissue, x, y)


def _to_numpy(image: pyvips.Image) -> np.ndarray[Any, np.dtype[np.uint8]]:
    image = image.cast("uchar")
    data = image.write_to_memory()
    return np.ndarray(
        buffer=data, dtype=np.uint8, shape=(image.height, image.width, image.bands)
    ).copy()


def _smallest_level_at_least(path: Path, minimum: int) -> pyvips.Image:
    """The smallest pyramid page whose longer side is >= minimum (or page 0)."""
    pages = pyvips.Image.new_from_file(str(path)).get("n-pages")
    best = pyvips.Image.new_from_file(str(path), page=0)
    for page in range(1, pages):
        candidate = pyvips.Image.new_from_file(str(path), page=page)
        if max(candidate.width, candidate.height) < minimum:
            break
        best = candidate
    return best


def _ifd_chain(fh: Any) -> tuple[bool, str, list[int]]:
    """(bigtiff, byteorder, [ifd offsets]) of a TIFF file."""
    fh.seek(0)
    head = fh.read(16)
    order = "<" if head[:2] == b"II" else ">"
    (magic,) = struct.unpack(order + "H", head[2:4])
    big = magic == 43
    offsets: list[int] = []
    offset = struct.unpack(order + ("Q" if big else "I"), head[8:16] if big else head[4:8])[0]
    while offset:
        offsets.append(offset)
        fh.seek(offset)
        count_fmt, entry_size = ("Q", 20) if big else ("H", 12)
        (count,) = struct.unpack(order + count_fmt, fh.read(8 if big else 2))
        fh.seek(offset + (8 if big else 2) + count * entry_size)
        (offset,) = struct.unpack(order + ("Q" if big else "I"), fh.read(8 if big else 4))
    return big, order, offsets


def _relink_ifds(path: Path, order: list[int]) -> None:
    """Rewrite the IFD chain so directories appear in `order` (indices)."""
    with path.open("r+b") as fh:
        big, byteorder, offsets = _ifd_chain(fh)
        if sorted(order) != list(range(len(offsets))):
            raise ValueError("order must be a permutation of the directories")
        ptr = byteorder + ("Q" if big else "I")
        chain = [offsets[i] for i in order]
        fh.seek(8 if big else 4)
        fh.write(struct.pack(ptr, chain[0]))
        for current, following in zip(chain, [*chain[1:], 0], strict=True):
            fh.seek(current)
            (count,) = struct.unpack(byteorder + ("Q" if big else "H"), fh.read(8 if big else 2))
            fh.seek(current + (8 if big else 2) + count * (20 if big else 12))
            fh.write(struct.pack(ptr, following))


def write_svs(
    path: Path | str,
    width: int,
    height: int,
    *,
    mpp: float = 0.25,
    magnification: int = 40,
    seed: int = 0,
    label_text: str = "Scopecast\nDemo slide",
    tile_size: int = 256,
    quality: int = 80,
    progress: ProgressCallback | None = None,
) -> Path:
    """An Aperio-style SVS that OpenSlide detects as vendor "aperio".

    Layout, as Aperio writes it: directory 0 is the tiled full-resolution
    level whose ImageDescription starts "Aperio Image Library" and carries
    ``|AppMag = ..|MPP = ..``; directory 1 is a stripped thumbnail; then the
    tiled pyramid levels; then stripped "label" and "macro" images, marked by
    NewSubfileType (1 and 9) and named on the second line of their
    ImageDescription.
    """
    path = Path(path)
    tmp = partial_path(path)
    description = (
        f"{APERIO_HEADER}\n{width}x{height} [0,0 {width}x{height}] "
        f"({tile_size}x{tile_size}) JPEG/RGB Q={quality}"
        f"|AppMag = {magnification}|MPP = {mpp:.4f}"
        f"|ScanScope ID = SCOPECAST|Filename = {path.stem}|Title = {path.stem}"
    )
    try:
        image = tissue_image(width, height, seed=seed).copy()
        image.set_type(pyvips.GValue.gstr_type, "image-description", description)
        save_pyramid(image, tmp, tile_size=tile_size, quality=quality, mpp=mpp, progress=progress)

        overview = _smallest_level_at_least(tmp, 1024)
        thumb = overview.thumbnail_image(768, height=768)
        label = _label_image(label_text, seed=seed)
        macro = _macro_image(label, overview)
        with tifffile.TiffFile(tmp) as tif:
            levels = len(tif.pages)
        with tifffile.TiffWriter(tmp, append="force") as writer:
            # NewSubfileType: 0 thumbnail, 1 label, 9 macro (reduced-resolution
            # + macro bit), as Aperio scanners write them; OpenSlide >= 4.0.1
            # names label/macro by it, older releases by the description.
            for name, img, subfile in (
                ("thumbnail", thumb, 0),
                ("label", label, 1),
                ("macro", macro, 9),
            ):
                writer.write(
                    _to_numpy(img),
                    photometric="rgb",
                    compression="zlib",
                    rowsperstrip=64,
                    description=f"{APERIO_HEADER}\n{name} {img.width}x{img.height}",
                    metadata=None,
                    subfiletype=subfile,
                )
        # Directories now: levels..., thumbnail, label, macro. Aperio puts
        # the thumbnail second.
        _relink_ifds(tmp, [0, levels, *range(1, levels), levels + 1, levels + 2])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
