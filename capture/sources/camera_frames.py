"""A desk page's camera frame (a JPEG the page posts): decoded small for the motion look, whole only when it is read.

Most frames a desk camera sends show what the frame before showed (a label
held still, the empty desk); the look needs only their thumbnail, and
libjpeg gives a half-size grey picture (cv2.IMREAD_REDUCED_GRAYSCALE_2) for
a fraction of a full colour decode.  The whole frame is decoded when its
barcodes are to be read (sources.looker says when), and a packing video
decodes the frames it records on its own thread (sources.clip_recorder).
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from capture.errors import UnreadableImage

NAME = "camera frame"
RESEND = "the page sends its camera as JPEG; reload the page if this goes on"
JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"


def reduced(data: bytes, max_pixels: int) -> np.ndarray:
    """The frame at half size in grey; raises UnreadableImage for anything that is not a whole image."""
    if not data:
        raise UnreadableImage(f"{NAME}: empty", RESEND)
    try:
        with Image.open(io.BytesIO(data)) as im:  # the header only: size checked before any pixel is decoded
            width, height = im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage(f"{NAME}: not an image this program can read", RESEND) from exc
    if width * height > max_pixels:
        raise UnreadableImage(f"{NAME}: {width}x{height} pixels is over the limit of {max_pixels}", "send 720p frames")
    if data.startswith(JPEG_START) and not data.rstrip(b"\0").endswith(JPEG_END):
        # libjpeg decodes a cut-off JPEG with its missing rows grey, and says so only on stderr.
        raise UnreadableImage(f"{NAME}: the image data is damaged (cut off)", RESEND)
    return _decoded(data, cv2.IMREAD_REDUCED_GRAYSCALE_2)


def full(data: bytes) -> np.ndarray:
    """The frame whole, in colour (BGR), for reading, evidence and video."""
    return _decoded(data, cv2.IMREAD_COLOR)


def _decoded(data: bytes, mode: int) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), mode)
    if image is None:
        raise UnreadableImage(f"{NAME}: the image data is damaged", RESEND)
    return image
