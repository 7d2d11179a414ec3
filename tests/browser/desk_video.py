"""A desk camera video Chromium can take as its camera: sample labels held under it, as a Y4M file.

Chromium's fake camera (`--use-file-for-fake-video-capture`) reads only
Y4M (or MJPEG); the scenes are drawn by samples/videos.py (the labels of
samples/orders.csv's orders) and written again as raw I420 frames.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[2]
FPS = 10


def write_desk_y4m(path: Path, label_count: int) -> list[str]:
    """Each of the first `label_count` labels slides in, rests, slides out; the waybill numbers in order."""
    sys.path.insert(0, str(ROOT / "samples"))
    import videos

    labels = [label for label in videos.labels() if label.number][:label_count]
    scenes = [videos.Scene("empty", None, 1.0)]
    for label in labels:
        scenes += [videos.Scene("hold", label, 2.5, move_s=0.6), videos.Scene("empty", None, 1.0)]
    avi = path.with_suffix(".avi")
    videos.write_video(avi, scenes, fps=FPS)
    capture = cv2.VideoCapture(str(avi))
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            out.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    capture.release()
    avi.unlink()
    return [label.number for label in labels]
