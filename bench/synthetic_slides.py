"""Benchmark: writing a synthetic H&E Aperio SVS (see docs/slides.md, "Synthetic slides").

Prints the time to write a WIDTH x HEIGHT SVS with `slides.synthetic_svs.write_svs`
and, as the baseline measured in the same run, the time to write the same
size pyramid (same tiles, JPEG quality, pyramid) of a 1024 px tissue tile
rendered once and repeated: realistic content, so the baseline is the cost
of JPEG encoding and pyramid building alone. The ratio is the price of
drawing the tissue lazily.

    .venv/bin/python bench/synthetic_slides.py                  # 50,000 x 40,000
    .venv/bin/python bench/synthetic_slides.py --width 20000 --height 15000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openslide

from slides import synthetic, synthetic_svs


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, write: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    write()  # type: ignore[operator]
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=50_000)
    parser.add_argument("--height", type=int, default=40_000)
    parser.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    args = parser.parse_args()
    width, height = args.width, args.height
    megapixels = width * height / 1e6

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        svs = Path(tmp) / "bench.svs"
        flat = Path(tmp) / "repeated.tif"

        def write_svs() -> None:
            synthetic_svs.write_svs(svs, width, height, seed=1)

        tile = synthetic.tissue_image(1024, 1024, seed=2).copy_memory()

        def write_flat() -> None:
            across, down = -(-width // 1024), -(-height // 1024)
            image = tile.replicate(across, down).crop(0, 0, width, height)
            image.tiffsave(
                str(flat),
                tile=True,
                tile_width=256,
                tile_height=256,
                pyramid=True,
                compression="jpeg",
                Q=80,
                bigtiff=width * height > synthetic.BIGTIFF_PIXELS,
            )

        svs_wall, svs_cpu = timed("svs", write_svs)
        flat_wall, flat_cpu = timed("flat", write_flat)
        with openslide.OpenSlide(str(svs)) as slide:
            vendor = slide.properties.get(openslide.PROPERTY_NAME_VENDOR)
            levels = slide.level_count
        size_mb = svs.stat().st_size / 1e6

    print(
        f"synthetic SVS {width:,} x {height:,} px ({megapixels:,.0f} Mpx), {os.cpu_count()} cores"
    )
    print(f"{'what':<36}{'wall s':>9}{'cpu s':>9}{'Mpx/s':>9}")
    print(
        f"{'write_svs (H&E tissue, ' + str(levels) + ' levels)':<36}"
        f"{svs_wall:>9.1f}{svs_cpu:>9.1f}{megapixels / svs_wall:>9.1f}"
    )
    print(
        f"{'baseline: repeated tile, same pyramid':<36}"
        f"{flat_wall:>9.1f}{flat_cpu:>9.1f}{megapixels / flat_wall:>9.1f}"
    )
    print(
        f"ratio write_svs / baseline: {svs_wall / flat_wall:.2f}x wall, "
        f"{svs_cpu / max(flat_cpu, 1e-9):.2f}x cpu; file {size_mb:,.0f} MB, vendor {vendor}"
    )


if __name__ == "__main__":
    main()
