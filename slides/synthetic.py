"""Synthetic H&E-like whole-slide images for demos, tests and benchmarks.

See docs/slides.md ("Synthetic slides"). Everything is generated lazily with
pyvips: low-resolution fields (tissue outline, cell density) are upsampled,
and cell-scale detail (nuclei, stroma fibres) comes from vips Worley and
Perlin noise computed at half resolution. No full-resolution array ever
exists in memory, so a 50,000 x 40,000 px slide writes in a few minutes on
two cores.

- `write_svs` writes an Aperio-style SVS that OpenSlide reads with its
  "aperio" vendor backend (MPP, objective power, thumbnail/label/macro).
- `write_generic_tiff` writes a tiled JPEG pyramid ("generic-tiff").
- `write_dicom_folder` writes a small DICOM WSI series ("dicom"; tests only).
- `write_truncated_copy`, `write_random_bytes`, `write_text_file` and
  `write_flat_image` write bad or non-pyramidal inputs for tests.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
import tifffile

ProgressCallback = Callable[[float], None]

APERIO_HEADER = "Aperio Image Library v12.0.16"
# Pixels are computed at 1/RENDER_SHRINK resolution and upsampled: it
# quarters the cost and looks like a slightly soft scan.
RENDER_SHRINK = 2
# Low-resolution fields are computed at 1/FIELD_SHRINK of full resolution.
FIELD_SHRINK = 64
# Steepness of the tissue/lumen edge ramp, per field unit at 1/FIELD_SHRINK.
EDGE_SLOPE = 400.0
# Above this many pixels the pyramid is written as BigTIFF (> 4 GiB safe).
BIGTIFF_PIXELS = 400_000_000

_WHITE = (243.0, 241.0, 245.0)
_HEMATOXYLIN = (70.0, 40.0, 125.0)  # nucleus purple
_EOSIN = (232.0, 120.0, 175.0)  # stroma pink


def _clamp01(image: pyvips.Image) -> pyvips.Image:
    return image.clamp(min=0.0, max=1.0)


def _from_numpy(array: np.ndarray[Any, Any]) -> pyvips.Image:
    data = np.ascontiguousarray(array, dtype=np.float32)
    return pyvips.Image.new_from_memory(data.tobytes(), data.shape[1], data.shape[0], 1, "float")


def _perlin(width: int, height: int, cell: int, seed: int) -> pyvips.Image:
    return pyvips.Image.perlin(width, height, cell_size=max(2, cell), seed=seed)


def _fields(width: int, height: int, rng: np.random.Generator, shrink: int) -> pyvips.Image:
    """Two bands of the given size: tissue mask (0..1) and cell density (0..1).

    Smooth fields are computed at 1/shrink of that size (an elliptical
    envelope from numpy, roughened by multi-octave Perlin noise; Perlin
    lumina; a density field) and upsampled with a cubic kernel; the mask is
    thresholded only then, at full size, so tissue edges and lumina are
    irregular yet crisp instead of blurred by the upsampling.
    """
    lw = max(8, width // shrink + 2)
    lh = max(8, height // shrink + 2)

    def seed() -> int:
        return int(rng.integers(1 << 30))

    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    rx = lw * rng.uniform(0.36, 0.44)
    ry = lh * rng.uniform(0.34, 0.42)
    cx = lw * rng.uniform(0.46, 0.54)
    cy = lh * rng.uniform(0.46, 0.54)
    envelope = 1.0 - (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    # Negative within ~4 % of the border: the tissue never touches the edge.
    margin = 0.04 * min(lw, lh)
    border = np.minimum.reduce([xx, lw - 1 - xx, yy, lh - 1 - yy]) / margin - 1.0
    env = _from_numpy(envelope)
    edge_guard = _from_numpy(border)
    rough = (
        _perlin(lw, lh, lw // 5, seed()) * 0.55
        + _perlin(lw, lh, lw // 14, seed()) * 0.3
        + _perlin(lw, lh, lw // 30, seed()) * 0.15
    )
    tissue = env + rough * 0.9 - 0.05  # > 0 inside the tissue
    tissue = (tissue < edge_guard).ifthenelse(tissue, edge_guard)
    lumina = _perlin(lw, lh, lw // 20, seed()) - 0.42  # > 0 inside a lumen
    density = _clamp01(_perlin(lw, lh, lw // 8, seed()) * 0.8 + 0.5)
    smooth = tissue.bandjoin([lumina, density]).resize(shrink, kernel="cubic")
    smooth = smooth.crop(0, 0, width, height)
    # A field step of 1/EDGE_SLOPE spans the edge: about two pixels wide.
    edge = EDGE_SLOPE * shrink / FIELD_SHRINK
    mask = _clamp01(smooth[0] * edge) * (1.0 - _clamp01(smooth[1] * edge))
    return mask.bandjoin(smooth[2])


def tissue_image(width: int, height: int, *, seed: int = 0) -> pyvips.Image:
    """A lazy, H&E-like sRGB uchar image of the given size.

    Colour is computed at 1/RENDER_SHRINK resolution (a quarter of the
    pixels) and the finished uchar image is upsampled: the softness matches
    a real scan and the arithmetic costs four times less.
    """
    if width < 1 or height < 1:
        raise ValueError("width and height must be positive")
    rng = np.random.default_rng(seed)
    s = RENDER_SHRINK
    rw, rh = -(-width // s) + 1, -(-height // s) + 1
    fields = _fields(rw, rh, rng, FIELD_SHRINK // s)
    mask, density = fields[0], fields[1]

    # Distances below are in render pixels (full-resolution pixels / s).
    worley = pyvips.Image.worley(rw, rh, cell_size=34 // s, seed=int(rng.integers(1 << 30)))
    fibres = _perlin(rw, rh, 48 // s, int(rng.integers(1 << 30)))
    wobble = _perlin(rw, rh, max(2, 8 // s), int(rng.integers(1 << 30)))

    radius = (density * 5.0 + 3.5 + wobble * 1.5) / s
    nuclei = _clamp01((radius - worley) * (0.6 * s))
    ridge = 1.0 - fibres.abs()
    hema = nuclei * mask * (wobble * 0.2 + 0.75)
    eosin = mask * (ridge * ridge * 0.55 + 0.3)

    # Linear unmixing approximation: white minus each stain's absorbance.
    dh_rgb = [w - c for w, c in zip(_WHITE, _HEMATOXYLIN, strict=True)]
    de_rgb = [w - c for w, c in zip(_WHITE, _EOSIN, strict=True)]
    rgb = hema.bandjoin([hema, hema]).linear([-d for d in dh_rgb], list(_WHITE))
    rgb = rgb - eosin.bandjoin([eosin, eosin]).linear(de_rgb, [0.0, 0.0, 0.0])
    rendered = _clamp_uchar(rgb)
    if s == 1:
        return rendered.crop(0, 0, width, height)
    full = rendered.resize(s, kernel="linear")
    return full.crop(0, 0, width, height).copy(interpretation="srgb")


def _clamp_uchar(image: pyvips.Image) -> pyvips.Image:
    return image.clamp(min=0.0, max=255.0).cast("uchar").copy(interpretation="srgb")


def _attach_progress(image: pyvips.Image, progress: ProgressCallback | None) -> None:
    if progress is None:
        return
    image.set_progress(True)

    def on_eval(_image: Any, status: Any) -> None:
        progress(min(1.0, max(0.0, float(status.percent) / 100.0)))

    image.signal_connect("eval", on_eval)


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _save_pyramid(
    image: pyvips.Image,
    path: Path,
    *,
    tile_size: int,
    quality: int,
    mpp: float,
    progress: ProgressCallback | None,
) -> None:
    _attach_progress(image, progress)
    # vips resolution is in pixels per millimetre; written as pixels/cm.
    pixels_per_mm = 1000.0 / mpp
    image.tiffsave(
        str(path),
        tile=True,
        tile_width=tile_size,
        tile_height=tile_size,
        pyramid=True,
        compression="jpeg",
        Q=quality,
        bigtiff=image.width * image.height > BIGTIFF_PIXELS,
        xres=pixels_per_mm,
        yres=pixels_per_mm,
        resunit="cm",
    )


def write_generic_tiff(
    path: Path | str,
    width: int,
    height: int,
    *,
    mpp: float = 0.5,
    seed: int = 0,
    tile_size: int = 256,
    quality: int = 80,
    progress: ProgressCallback | None = None,
) -> Path:
    """A tiled JPEG TIFF pyramid that OpenSlide opens as "generic-tiff".

    The TIFF resolution carries `mpp`, which OpenSlide reports as
    openslide.mpp-x/y (no objective power: generic TIFF has none).
    """
    path = Path(path)
    tmp = _partial(path)
    try:
        _save_pyramid(
            tissue_image(width, height, seed=seed),
            tmp,
            tile_size=tile_size,
            quality=quality,
            mpp=mpp,
            progress=progress,
        )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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
    tmp = _partial(path)
    description = (
        f"{APERIO_HEADER}\n{width}x{height} [0,0 {width}x{height}] "
        f"({tile_size}x{tile_size}) JPEG/RGB Q={quality}"
        f"|AppMag = {magnification}|MPP = {mpp:.4f}"
        f"|ScanScope ID = SCOPECAST|Filename = {path.stem}|Title = {path.stem}"
    )
    try:
        image = tissue_image(width, height, seed=seed).copy()
        image.set_type(pyvips.GValue.gstr_type, "image-description", description)
        _save_pyramid(image, tmp, tile_size=tile_size, quality=quality, mpp=mpp, progress=progress)

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


DICOM_WSI_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.6"  # VL Whole Slide Microscopy Image


def write_dicom_folder(
    folder: Path | str,
    width: int,
    height: int,
    *,
    mpp: float = 0.25,
    seed: int = 0,
    tile_size: int = 256,
    levels: int = 3,
) -> Path:
    """A DICOM WSI series (one file per pyramid level, JPEG baseline tiles,
    TILED_FULL) that OpenSlide opens as "dicom". For tests: uses pydicom (a
    dev dependency) and keeps each level in memory, so keep it small.
    """
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.sequence import Sequence
    from pydicom.uid import UID, JPEGBaseline8Bit, generate_uid

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    image = tissue_image(width, height, seed=seed)
    study, series, frame_of_reference = generate_uid(), generate_uid(), generate_uid()
    for level in range(levels):
        scale = 2**level
        level_image = image.resize(1 / scale).copy_memory() if scale > 1 else image.copy_memory()
        lw, lh = level_image.width, level_image.height
        frames = []
        for top in range(0, lh, tile_size):
            for left in range(0, lw, tile_size):
                tile = level_image.crop(
                    left, top, min(tile_size, lw - left), min(tile_size, lh - top)
                )
                tile = tile.embed(0, 0, tile_size, tile_size, extend="white")
                frames.append(bytes(tile.jpegsave_buffer(Q=85)))
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = UID(DICOM_WSI_SOP_CLASS)
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = JPEGBaseline8Bit
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = DICOM_WSI_SOP_CLASS
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.FrameOfReferenceUID = frame_of_reference
        ds.Modality = "SM"
        ds.ImageType = ["ORIGINAL" if level == 0 else "DERIVED", "PRIMARY", "VOLUME", "NONE"]
        ds.InstanceNumber = level + 1
        ds.Rows = ds.Columns = tile_size
        ds.TotalPixelMatrixColumns, ds.TotalPixelMatrixRows = lw, lh
        ds.NumberOfFrames = len(frames)
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "YBR_FULL_422"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        ds.PixelRepresentation = 0
        ds.PlanarConfiguration = 0
        ds.DimensionOrganizationType = "TILED_FULL"
        ds.TotalPixelMatrixFocalPlanes = 1
        ds.NumberOfOpticalPaths = 1
        measures = Dataset()
        spacing_mm = mpp * scale / 1000.0
        measures.PixelSpacing = [spacing_mm, spacing_mm]
        measures.SliceThickness = 0.001
        shared = Dataset()
        shared.PixelMeasuresSequence = Sequence([measures])
        ds.SharedFunctionalGroupsSequence = Sequence([shared])
        ds.ImagedVolumeWidth = width * mpp / 1000.0
        ds.ImagedVolumeHeight = height * mpp / 1000.0
        ds.ImagedVolumeDepth = 0.001
        optical_path = Dataset()
        optical_path.OpticalPathIdentifier = "1"
        ds.OpticalPathSequence = Sequence([optical_path])
        ds.PixelData = encapsulate(frames)
        ds["PixelData"].VR = "OB"
        ds.save_as(folder / f"level-{level}.dcm", enforce_file_format=True)
    return folder


# --- bad and non-pyramidal inputs for tests ---------------------------------


def write_truncated_copy(source: Path | str, path: Path | str, *, keep: float = 0.6) -> Path:
    """A copy of `source` cut after `keep` (0..1) of its bytes."""
    data = Path(source).read_bytes()
    path = Path(path)
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def write_random_bytes(path: Path | str, size: int = 256 * 1024, *, seed: int = 0) -> Path:
    """Random bytes under whatever name is given (e.g. ``fake.svs``)."""
    path = Path(path)
    path.write_bytes(np.random.default_rng(seed).bytes(size))
    return path


def write_text_file(path: Path | str, text: str = "this is not a slide\n") -> Path:
    path = Path(path)
    path.write_text(text)
    return path


def write_flat_image(path: Path | str, width: int, height: int, *, seed: int = 0) -> Path:
    """A non-pyramidal image (format from the suffix: .jpg, .png, .tif)."""
    path = Path(path)
    image = tissue_image(width, height, seed=seed)
    suffix = path.suffix.lower()
    if suffix in {".tif", ".tiff"}:
        image.tiffsave(str(path), tile=False, compression="deflate")
    else:
        image.write_to_file(str(path))
    return path
