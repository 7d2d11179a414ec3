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
from capture.sources.names import shown
from capture.types import Frame

# Files are hashed in pieces this big, so a huge one never sits whole in memory.
HASH_CHUNK = 1 << 20

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
# Names that sync clients and editors leave behind while a file is still
# being written, or that are not photos at all.
JUNK_SUFFIXES = frozenset({".part", ".filepart", ".crdownload", ".tmp"})
JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def is_candidate_photo(path: Path) -> bool:
    name = path.name
    if name in JUNK_NAMES or name.startswith((".", "~$")):
        return False
    suffix = path.suffix.lower()
    return suffix in IMAGE_SUFFIXES and suffix not in JUNK_SUFFIXES


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and the photos inside folders (recursively, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and is_candidate_photo(p))
        elif path.exists():
            yield path
        else:
            raise InputFileError(
                f"{shown(path)} does not exist", "check the path; folders are scanned for JPEG, PNG and WebP photos"
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
            pixels = np.asarray(im if im.mode == "RGB" else im.convert("RGB"))
    except Image.DecompressionBombError as exc:
        raise UnreadableImage(
            f"{name}: too many pixels to be a label photo ({exc})", "photograph the label at a normal resolution"
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage(
            f"{name}: not an image this program can read", "save the photo as JPEG, PNG or WebP"
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
