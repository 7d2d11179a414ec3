"""Is the picture steady, and has it changed?  Frame difference on a small grey thumbnail.

OCR costs hundreds of milliseconds a frame, so the camera runs it only on a
label that is held still: a moving label smears its small print, and OCR
on every frame would fall behind the stream.  "Steady" is: in each of the
last STEADY_FRAMES frames, almost no thumbnail pixel changed by more than
sensor noise does.  The same test against an older thumbnail says whether
the desk still shows what was read then (see sources.looker): reading
barcodes again on the same picture gives the same numbers.
"""

from __future__ import annotations

import cv2
import numpy as np

THUMB_WIDTH = 160  # the picture's structure survives at this size, sensor noise mostly does not
BLUR_KERNEL = (5, 5)
# A pixel "changed" when it moved by more grey levels than JPEG/MJPG noise and
# a camera's auto-exposure jitter do between two frames of a still scene.
PIXEL_CHANGE = 12
# The picture is still when fewer than this share of pixels changed: a label
# sliding even 2 px a frame changes far more along its print and edges.
MAX_CHANGED_SHARE = 0.003
STEADY_FRAMES = 3  # at 15 fps: 200 ms without movement


def thumbnail(image: np.ndarray) -> np.ndarray:
    """The picture at THUMB_WIDTH, grey and blurred: what the motion tests compare.

    Shrunk before it is made grey (an eighth of a 720p frame's width is one
    area average per pixel, far cheaper than converting the whole frame);
    a frame decoded at reduced size (cv2.IMREAD_REDUCED_GRAYSCALE_2) gives the same thumbnail.
    """
    height, width = image.shape[:2]
    size = (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    return cv2.GaussianBlur(gray, BLUR_KERNEL, 0)


def same_picture(thumb: np.ndarray, other: np.ndarray | None) -> bool:
    """Almost no pixel of the two thumbnails differs by more than noise."""
    if other is None or other.shape != thumb.shape:
        return False
    changed = int(np.count_nonzero(cv2.absdiff(thumb, other) > PIXEL_CHANGE))
    return changed <= MAX_CHANGED_SHARE * thumb.size


class Stillness:
    """Feed every processed frame's thumbnail to `update`; it says whether the scene is steady now.

    `period` counts still periods: it goes up each time the scene settles
    after moving, so a caller can allow a few expensive looks per period.
    """

    def __init__(self, steady_frames: int = STEADY_FRAMES) -> None:
        self._steady_frames = steady_frames
        self._previous: np.ndarray | None = None
        self._quiet_run = 0
        self.period = 0

    def update(self, thumb: np.ndarray) -> bool:
        previous, self._previous = self._previous, thumb
        if not same_picture(thumb, previous):
            self._quiet_run = 0
            return False
        self._quiet_run += 1
        if self._quiet_run == self._steady_frames:
            self.period += 1
        return self._quiet_run >= self._steady_frames
