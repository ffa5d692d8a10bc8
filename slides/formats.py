"""Slide format detection by content, validation and metadata extraction.

See docs/slides.md ("Formats"). Detection never trusts the extension:

1. A folder is a DICOM WSI series when OpenSlide detects "dicom" in one of
   its files; any other folder is not a slide (callers walk folders).
2. A file OpenSlide detects (SVS, NDPI, MRXS, SCN, BIF, VMS/VMU, Philips
   TIFF, generic tiled TIFF, ...) is served by OpenSlide as it is, unless it
   has a single large level or is an OME-TIFF: those are converted.
3. Otherwise pyvips is asked for the header. JPEG, PNG, TIFF (incl.
   OME-TIFF), WebP and JPEG 2000 images are converted to a pyramidal tiled
   TIFF by a background job; anything pyvips reads but we do not accept is
   an unsupported format; anything nobody reads is "not a slide".

`validate_openslide` opens a slide fully (header, every level, a few tiles
of every level, and for TIFF files that every tile lies inside the file) so
that a truncated or corrupt file fails at import, never in class.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import openslide
import pyvips
import tifffile

# Single-level slides larger than this (longer side, px) are converted so
# zoomed-out Deep Zoom levels do not read the whole image.
MAX_FLAT_SIDE = 4096
# pyvips loaders we convert from (the `vips-loader` metadata, minus "load").
CONVERTIBLE_LOADERS = {
    "jpegload": "jpeg",
    "jpegload_source": "jpeg",
    "pngload": "png",
    "pngload_source": "png",
    "tiffload": "tiff",
    "tiffload_source": "tiff",
    "webpload": "webp",
    "webpload_source": "webp",
    "jp2kload": "jpeg2000",
    "jp2kload_source": "jpeg2000",
}
# Stored metadata: OpenSlide's standard keys plus the vendor's own, capped.
MAX_PROPERTIES = 200
MAX_PROPERTY_CHARS = 2000
# Plausible microscope resolutions; outside this, a TIFF's resolution is a
# DPI default (72 dpi = 353 um/px) rather than a measurement.
MPP_RANGE = (0.01, 100.0)


class SlideFormatError(Exception):
    """The input is not an importable slide. The message is user-facing."""


class NotASlide(SlideFormatError):
    pass


class UnsupportedFormat(SlideFormatError):
    pass


class CorruptSlide(SlideFormatError):
    pass


@dataclass(frozen=True)
class Detected:
    """What a path holds and how Scopecast will read it."""

    reader: Literal["openslide", "convert"]
    format: str  # OpenSlide vendor ("aperio", "generic-tiff", "dicom"...) or image type
    open_path: Path  # the file OpenSlide (or pyvips) opens
    files: tuple[Path, ...]  # every file making up the slide, in hashing order

    @property
    def needs_conversion(self) -> bool:
        return self.reader == "convert"


@dataclass
class SlideInfo:
    """Metadata extracted from a validated slide (fields mirror `Slide`)."""

    format: str
    width: int
    height: int
    level_count: int
    level_dimensions: list[list[int]]
    mpp_x: float | None
    mpp_y: float | None
    objective_power: float | None
    associated_images: list[str]
    properties: dict[str, str] = field(default_factory=dict)


# --- files making up a slide -------------------------------------------------


def _files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path


def _vms_files(index: Path) -> list[Path]:
    """A Hamamatsu .vms index plus the JPEG/map files it names."""
    files = [index]
    try:
        text = index.read_text(errors="replace")
    except OSError:
        return files
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if re.match(r"^\s*(ImageFile|MapFile|OptimisationFile)", key) and value.strip():
            candidate = index.parent / value.strip()
            if candidate.is_file() and candidate not in files:
                files.append(candidate)
    return files


def slide_files(open_path: Path, vendor: str) -> tuple[Path, ...]:
    """Every file whose bytes make up the slide, in a stable order."""
    if vendor == "mirax":
        data_dir = open_path.with_suffix("")
        extra = list(_files_under(data_dir)) if data_dir.is_dir() else []
        return (open_path, *extra)
    if vendor == "dicom":
        return tuple(_files_under(open_path.parent))
    if vendor == "hamamatsu-vms-vmu" and open_path.suffix.lower() == ".vms":
        return tuple(_vms_files(open_path))
    return (open_path,)


def mirax_data_dir(path: Path) -> Path | None:
    """The sibling folder of an .mrxs file, if `path` is one (for folder walks)."""
    if path.is_file() and openslide.OpenSlide.detect_format(str(path)) == "mirax":
        folder = path.with_suffix("")
        return folder if folder.is_dir() else None
    return None


def dicom_file_in(folder: Path) -> Path | None:
    """A file of a DICOM WSI series in `folder` (not recursive), or None."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and openslide.OpenSlide.detect_format(str(path)) == "dicom":
            return path
    return None


# --- detection -----------------------------------------------------------------


def _is_ome_tiff(path: Path) -> bool:
    try:
        with tifffile.TiffFile(path) as tif:
            return bool(tif.is_ome)
    except Exception:
        return False


def _is_large_single_level(path: Path) -> bool:
    """A one-level tiled TIFF too big to serve zoomed out without a pyramid."""
    try:
        with openslide.OpenSlide(str(path)) as slide:
            return int(slide.level_count) == 1 and max(slide.dimensions) > MAX_FLAT_SIDE
    except openslide.OpenSlideError as e:
        raise CorruptSlide(f"{path.name}: OpenSlide cannot open it: {e}") from e


def _pyvips_type(path: Path) -> str:
    """The image type pyvips would load, or raise NotASlide/UnsupportedFormat."""
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential")
        loader = str(image.get("vips-loader"))
    except pyvips.Error as e:
        raise NotASlide(
            f"{path.name} is not a slide or image Scopecast can read "
            "(neither OpenSlide nor pyvips recognises its content)"
        ) from e
    kind = CONVERTIBLE_LOADERS.get(loader)
    if kind is None:
        name = loader.removesuffix("_source").removesuffix("load") or loader
        raise UnsupportedFormat(
            f"{path.name}: unsupported format ({name}); Scopecast imports whole-slide "
            "formats OpenSlide reads, and JPEG, PNG, TIFF, OME-TIFF, WebP or JPEG 2000 images"
        )
    if image.width < 1 or image.height < 1:
        raise NotASlide(f"{path.name} has no pixels")
    return kind


def detect(path: Path) -> Detected:
    """What `path` (a file, or a DICOM folder) is, judged by content only."""
    if path.is_dir():
        dicom = dicom_file_in(path)
        if dicom is None:
            raise NotASlide(f"{path.name}/ is a folder without a DICOM whole-slide series")
        return Detected("openslide", "dicom", dicom, slide_files(dicom, "dicom"))
    if not path.is_file():
        raise NotASlide(f"{path.name} is not a regular file")
    if path.stat().st_size == 0:
        raise NotASlide(f"{path.name} is empty")

    vendor = openslide.OpenSlide.detect_format(str(path))
    if vendor is None or vendor in TIFF_CONTAINERS:
        check_tiff_extents(path)
    if vendor is not None:
        vendor = str(vendor)
        if vendor == "generic-tiff" and _is_ome_tiff(path):
            return Detected("convert", "ome-tiff", path, (path,))
        if vendor == "generic-tiff" and _is_large_single_level(path):
            return Detected("convert", "tiff", path, (path,))
        return Detected("openslide", vendor, path, slide_files(path, vendor))

    kind = _pyvips_type(path)
    if kind == "tiff" and _is_ome_tiff(path):
        kind = "ome-tiff"
    return Detected("convert", kind, path, (path,))


# --- validation and metadata --------------------------------------------------


def _float_or_none(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number > 0 else None


def plausible_mpp(value: float | None) -> float | None:
    if value is None or not (MPP_RANGE[0] <= value <= MPP_RANGE[1]):
        return None
    return value


# OpenSlide vendors whose files are plain (Big)TIFF containers; NDPI is
# TIFF-like but stores >4 GiB offsets outside the TIFF structure.
TIFF_CONTAINERS = {"aperio", "generic-tiff", "philips", "leica", "ventana", "trestle"}


def tiff_ifd_offsets(path: Path) -> list[int] | None:
    """Offsets of every IFD in the chain, or None when `path` is no TIFF.

    Raises CorruptSlide when the chain points past the end of the file (a
    truncated file) or loops.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(16)
        if head[:4] in (b"II*\x00", b"MM\x00*"):
            big, order = False, "<" if head[:2] == b"II" else ">"
        elif head[:4] in (b"II+\x00", b"MM\x00+"):
            big, order = True, "<" if head[:2] == b"II" else ">"
        else:
            return None
        ptr, count_fmt, entry = ("Q", "Q", 20) if big else ("I", "H", 12)
        (offset,) = struct.unpack(order + ptr, head[8:16] if big else head[4:8])
        offsets: list[int] = []
        while offset:
            if offset in offsets:
                raise CorruptSlide(f"{path.name} is corrupt: its TIFF directories form a loop")
            if offset + 2 > size:
                raise CorruptSlide(
                    f"{path.name} is truncated: a TIFF directory starts at byte "
                    f"{offset:,} but the file has {size:,} bytes"
                )
            offsets.append(offset)
            fh.seek(offset)
            raw = fh.read(8 if big else 2)
            (count,) = struct.unpack(order + count_fmt, raw)
            next_at = offset + len(raw) + count * entry
            fh.seek(next_at)
            raw = fh.read(8 if big else 4)
            if len(raw) < (8 if big else 4):
                raise CorruptSlide(f"{path.name} is truncated inside a TIFF directory")
            (offset,) = struct.unpack(order + ptr, raw)
    return offsets


def check_tiff_extents(path: Path) -> None:
    """A TIFF's directory chain and every tile/strip must lie inside the file."""
    if tiff_ifd_offsets(path) is None:
        return
    size = path.stat().st_size
    try:
        tif = tifffile.TiffFile(path)
    except Exception as e:
        raise CorruptSlide(f"{path.name} is a corrupt TIFF: {e}") from e
    with tif:
        for page in tif.pages:
            offsets = getattr(page, "dataoffsets", ())
            counts = getattr(page, "databytecounts", ())
            for offset, count in zip(offsets, counts, strict=False):
                if count and offset + count > size:
                    raise CorruptSlide(
                        f"{path.name} is truncated: image data ends at byte "
                        f"{offset + count:,} but the file has {size:,} bytes"
                    )


def _sample_points(width: int, height: int, tile: int) -> list[tuple[int, int]]:
    xs = sorted({0, max(0, width // 2 - tile // 2), max(0, width - tile)})
    ys = sorted({0, max(0, height // 2 - tile // 2), max(0, height - tile)})
    return [(x, y) for x in xs for y in ys]


def validate_openslide(path: Path, *, expected_format: str | None = None) -> SlideInfo:
    """Open the slide fully and read a few tiles of every level.

    Raises CorruptSlide with a user-facing message on any failure.
    """
    tile = 256
    try:
        with openslide.OpenSlide(str(path)) as slide:
            vendor = str(slide.properties.get(openslide.PROPERTY_NAME_VENDOR) or "")
            level_dimensions = [[int(w), int(h)] for w, h in slide.level_dimensions]
            if not level_dimensions or min(min(d) for d in level_dimensions) < 1:
                raise CorruptSlide(f"{path.name} has no image levels")
            for level, (w, h) in enumerate(level_dimensions):
                downsample = slide.level_downsamples[level]
                for x, y in _sample_points(w, h, tile):
                    slide.read_region(
                        (int(x * downsample), int(y * downsample)),
                        level,
                        (min(tile, w), min(tile, h)),
                    )
            associated = sorted(str(name) for name in slide.associated_images)
            for name in associated:
                slide.associated_images[name].size  # noqa: B018 - decodes the image
            props = {str(k): str(v) for k, v in slide.properties.items()}
    except openslide.OpenSlideError as e:
        raise CorruptSlide(f"{path.name} is corrupt or truncated: {e}") from e
    except OSError as e:
        raise CorruptSlide(f"{path.name} cannot be read: {e}") from e
    if path.is_file() and (vendor in TIFF_CONTAINERS or not vendor):
        check_tiff_extents(path)

    mpp_x = plausible_mpp(_float_or_none(props.get(openslide.PROPERTY_NAME_MPP_X)))
    mpp_y = plausible_mpp(_float_or_none(props.get(openslide.PROPERTY_NAME_MPP_Y)))
    if mpp_x is None or mpp_y is None:
        mpp_x = mpp_y = None
    return SlideInfo(
        format=vendor or expected_format or "unknown",
        width=level_dimensions[0][0],
        height=level_dimensions[0][1],
        level_count=len(level_dimensions),
        level_dimensions=level_dimensions,
        mpp_x=mpp_x,
        mpp_y=mpp_y,
        objective_power=_float_or_none(props.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER)),
        associated_images=associated,
        properties=select_properties(props, vendor),
    )


def select_properties(props: dict[str, str], vendor: str) -> dict[str, str]:
    """OpenSlide's standard keys and the vendor's own, without per-level noise."""
    chosen: dict[str, str] = {}
    prefixes = ("openslide.", "tiff.", f"{vendor}." if vendor else "openslide.")
    for key in sorted(props):
        if len(chosen) >= MAX_PROPERTIES:
            break
        if "level[" in key or not key.startswith(prefixes):
            continue
        chosen[key] = props[key][:MAX_PROPERTY_CHARS]
    return chosen
