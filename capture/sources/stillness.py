"""Is the picture steady?  Frame difference on a thumbnail, over a few frames.

OCR costs hundreds of milliseconds a frame, so the camera runs it only on a
label that is held still: a moving label smears its small print, and OCR
on every frame would fall behind the stream.  "Steady" is: in each of the
last STEADY_FRAMES frames, almost no thumbnail pixel changed by more than
sensor noise does.
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


class Stillness:
    """Feed every processed frame to `update`; it says whether the scene is steady now.

    `period` counts still periods: it goes up each time the scene settles
    after moving, so a caller can allow a few expensive looks per period.
    """

    def __init__(self, steady_frames: int = STEADY_FRAMES) -> None:
        self._steady_frames = steady_frames
        self._previous: np.ndarray | None = None
        self._quiet_run = 0
        self.period = 0

    def update(self, image: np.ndarray) -> bool:
        thumb = _thumbnail(image)
        previous, self._previous = self._previous, thumb
        if previous is None or previous.shape != thumb.shape:
            self._quiet_run = 0
            return False
        changed = np.count_nonzero(cv2.absdiff(thumb, previous) > PIXEL_CHANGE)
        if changed > MAX_CHANGED_SHARE * thumb.size:
            self._quiet_run = 0
            return False
        self._quiet_run += 1
        if self._quiet_run == self._steady_frames:
            self.period += 1
        return self._quiet_run >= self._steady_frames


def _thumbnail(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    size = (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width)))
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return cv2.GaussianBlur(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), BLUR_KERNEL, 0)
