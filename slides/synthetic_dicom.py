"""A synthetic DICOM WSI series, for the DICOM import tests (see docs/slides.md).

``write_dicom_folder`` writes ``slides.synthetic.tissue_image`` as one DICOM
instance per pyramid level (JPEG baseline tiles, ``TILED_FULL``), which
OpenSlide opens as "dicom". It needs pydicom, a dev dependency.
"""

from __future__ import annotations

from pathlib import Path

from slides.synthetic import tissue_image

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
