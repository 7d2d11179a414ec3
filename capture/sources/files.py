"""Photos from files and folders: the paths a user names on the command line."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from capture.errors import InputFileError, UnreadableImage
from capture.sources.filing import SIDECAR_SUFFIX
from capture.sources.imaging import as_rgb8
from capture.sources.names import shown
from capture.types import Frame

# Files are hashed in pieces this big, so a huge one never sits whole in memory.
HASH_CHUNK = 1 << 20

# A folder given to `scan` is read for files named as photos; HEIC (the
# iPhone's default) and GIF were once left out without a word.
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".heif", ".hif"}
)
# Names that sync clients and editors leave behind while a file is still
# being written, or that are the system's, not a person's.
JUNK_SUFFIXES = frozenset({".part", ".filepart", ".crdownload", ".tmp"})
JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def is_junk(path: Path) -> bool:
    """Left alone everywhere.  Any other file dropped into a watched folder is read, and one
    that is not an image goes to failed/ with its reason instead of sitting there unmentioned."""
    name = path.name
    return name in JUNK_NAMES or name.startswith((".", "~$")) or path.suffix.lower() in JUNK_SUFFIXES


def _is_sidecar(path: Path) -> bool:
    """NAME.json beside NAME: what a drop folder wrote about a photo, not a photo."""
    return path.suffix == SIDECAR_SUFFIX and path.with_suffix("").exists()


def _in_folder(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not is_junk(p) and not _is_sidecar(p))


def not_photos(paths: Iterable[str | Path]) -> list[Path]:
    """Files inside the folders given that are not named as photos: `scan` lists them, it does not read them."""
    folders = (Path(raw) for raw in paths if Path(raw).is_dir())
    return [p for folder in folders for p in _in_folder(folder) if p.suffix.lower() not in IMAGE_SUFFIXES]


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and the photos inside folders (recursively, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from (p for p in _in_folder(path) if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise InputFileError(
                f"{shown(path)} does not exist",
                "check the path; folders are scanned for photos (JPEG, PNG, WebP, HEIC, GIF, TIFF, BMP)",
            )


def load_frame(path: Path, max_pixels: int) -> Frame:
    """Read a photo upright (EXIF orientation applied) as BGR pixels.

    Raises UnreadableImage with a reason a person can act on; the caller
    records it and goes on with the rest of the batch.
    """
    name = shown(path)  # the path as it can be printed and stored, whatever bytes its name has
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableImage(
            f"{name}: cannot read the file ({exc.strerror})", "check permissions and that the file is complete"
        ) from exc
    return Frame(image=decode_image_bytes(data, name, max_pixels), source=name, sha256=hashlib.sha256(data).hexdigest())


def decode_image_bytes(data: bytes, name: str, max_pixels: int) -> np.ndarray:
    if not data:
        raise UnreadableImage(f"{name}: the file is empty", "the copy was probably interrupted; copy the photo again")
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > max_pixels:
                raise UnreadableImage(
                    f"{name}: {width}x{height} pixels is over the limit of {max_pixels}",
                    "photograph the label at a normal resolution, or raise max_image_pixels if this is a real photo",
                )
            im.load()
            # In place and without a conversion when already RGB: each copy of
            # a 12-megapixel photo costs more than reading its barcodes.
            ImageOps.exif_transpose(im, in_place=True)
            pixels = np.asarray(as_rgb8(im))
    except Image.DecompressionBombError as exc:
        raise UnreadableImage(
            f"{name}: too many pixels to be a label photo ({exc})", "photograph the label at a normal resolution"
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage(
            f"{name}: not an image this program can read", "save the photo as JPEG, PNG, WebP, HEIC or GIF"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage(
            f"{name}: the image data is damaged ({exc})", "the photo is truncated or corrupt; take or copy it again"
        ) from exc
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, or "" when it cannot be read (the worker then records why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
