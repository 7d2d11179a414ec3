"""One packing video written as H.264 in MP4, through PyAV (FFmpeg's libx264).

Why this codec and library (README "Packing videos" has the measurements):
the OpenCV wheel's FFmpeg has no H.264 encoder (only the v4l2m2m hardware
one, absent here) and its VP8/VP9 run at libvpx's slow defaults that its
VideoWriter cannot change; PyAV's wheel bundles libx264, whose `veryfast`
preset costs a fraction of a core at 720p and 15 fps.  H.264 MP4 plays in
every browser without plugins (Chromium, Firefox, Safari/iOS, WeChat's) and
is what marketplaces take as a dispute upload.  `+faststart` puts the index
first, so the page starts playing before the whole file is read.

The file is written under a hidden partial name and renamed when complete:
a crash or a full disk never leaves a broken clip under a clip's name.
Frames carry their own times (milliseconds): a browser's camera sends a few
frames a second, unevenly, and the clip keeps its real pace.
"""

from __future__ import annotations

import contextlib
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Measured on the bench's noisy 720p desk video, one thread: ultrafast/27 6 CPU ms a frame and
# 4.5 MB a minute, superfast/27 12 ms and 6.3 MB, veryfast/27 12.5 ms and 2.5 MB, faster/30 22 ms.
PRESET = "veryfast"
CRF = "27"  # legible goods and print at 720p; a desk scene barely moves, so it stays small
TIME_BASE = Fraction(1, 1000)  # frame times in milliseconds


class ClipWriteFailed(Exception):
    """The clip could not be written (disk full, folder gone); it has been removed."""


class ClipEncoder:
    def __init__(self, path: Path, width: int, height: int, fps: float) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.part")
        self.frames = 0
        self._last_pts = -1
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Our own file object: when FFmpeg fails to close on a full disk, we still close it
            # (a deleted partial file held open would keep its disk space).  Read too: faststart re-reads it.
            self._file = self.partial.open("w+b")
            self._out = av.open(self._file, "w", format="mp4", options={"movflags": "+faststart"})
            stream = self._out.add_stream("libx264", rate=round(fps), options={"preset": PRESET, "crf": CRF})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = TIME_BASE
            stream.codec_context.thread_count = 1  # recording must leave the other core to capture
            self._stream = stream
        except (OSError, av.FFmpegError) as exc:
            self.abort()
            raise ClipWriteFailed(str(exc)) from exc

    def write(self, i420: np.ndarray, ms: int) -> None:
        pts = max(ms, self._last_pts + 1)  # strictly increasing, as the muxer requires
        frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
        frame.pts, frame.time_base = pts, TIME_BASE
        self._last_pts = pts
        try:
            for packet in self._stream.encode(frame):
                self._out.mux(packet)
        except (OSError, av.FFmpegError) as exc:
            self.abort()
            raise ClipWriteFailed(str(exc)) from exc
        self.frames += 1

    def finish(self) -> int:
        """Flush, close and rename into place; the clip's size in bytes."""
        try:
            for packet in self._stream.encode(None):
                self._out.mux(packet)
            self._out.close()
            self._file.close()
            os.replace(self.partial, self.path)
        except (OSError, av.FFmpegError) as exc:
            self.abort()
            raise ClipWriteFailed(str(exc)) from exc
        return self.path.stat().st_size

    def abort(self) -> None:
        out, file = getattr(self, "_out", None), getattr(self, "_file", None)
        if out is not None:
            with contextlib.suppress(OSError, av.FFmpegError):
                out.close()
        if file is not None:
            with contextlib.suppress(OSError):  # buffered bytes that do not fit: gone with the clip
                file.close()
        self.partial.unlink(missing_ok=True)
