"""The camera frame that decided a capture, kept as a JPEG beside the scan record.

A camera capture has no photo file of its own; without the frame, a
disputed upload ("that is not my parcel") could not be checked.  The
frame's path is the scan record's path and its hash the record's sha256,
so the record points at the picture exactly as a dropped photo's does.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from platformdirs import user_data_dir

from capture.settings import APP_NAME

JPEG_QUALITY = 90  # small print stays legible to a person checking it later


def evidence_root(configured: str) -> Path:
    return Path(configured).expanduser() if configured else Path(user_data_dir(APP_NAME)) / "evidence"


def save_frame(image: np.ndarray, root: Path, camera: str, number: str, when: datetime) -> tuple[Path, str]:
    """Write root/YYYY-MM-DD/HHMMSS.mmm_CAMERA_NUMBER.jpg; return its path and SHA-256."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    data = encoded.tobytes()
    folder = root / when.strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{when.strftime('%H%M%S.%f')[:-3]}_{camera}_{number}.jpg"
    partial = path.with_name("." + path.name + ".tmp")
    partial.write_bytes(data)
    os.replace(partial, path)  # never a half-written evidence file under the record's path
    return path, hashlib.sha256(data).hexdigest()
