"""The band burned into every frame of a packing video: waybill, order, station, local time.

A clip shown in a dispute must say by itself which parcel it is and when it
was packed, so the text is part of the picture (a subtitle track or a file
name is lost on the first re-upload).  The band is a full-width strip at the
top, drawn with a CJK font (the labels 运单/订单/工位 are Chinese; the
sample generator's fonts, Debian's fonts-wqy-microhei) and laid straight
into the I420 planes the encoder takes: a strip as wide as the frame is
three contiguous row ranges there, so burning it in is three copies.  The
band changes once a second (the clock), so it is drawn once a second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

# The sample generator's CJK font first (samples/generate.py), then other Debian CJK fonts.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
BAND_SHARE = 0.075  # of the frame height: 54 px at 720p, text about 34 px (OCR reads it back)
MIN_BAND_PX = 32
TEXT_SHARE = 0.64  # of the band height
MARGIN_PX = 12
FOREGROUND, BACKGROUND = (255, 255, 255), (0, 0, 0)


@lru_cache(maxsize=1)
def _font_path() -> Path | None:
    found = next((p for p in FONT_CANDIDATES if p.is_file()), None)
    if found is None:
        log.warning("no CJK font found (install fonts-wqy-microhei): the video band is drawn without Chinese")
    return found


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path()
    return ImageFont.truetype(str(path), px) if path is not None else ImageFont.load_default(px)


def band_height(frame_height: int) -> int:
    """A multiple of 4, so the band's chroma rows are whole rows of the I420 layout."""
    return max(MIN_BAND_PX, round(frame_height * BAND_SHARE)) // 4 * 4


@dataclass(frozen=True)
class BandText:
    waybill: str
    order: str | None
    station: str

    def line(self, clock: str) -> str:
        labelled = self.font_has_cjk()
        words = ("运单", "订单", "工位") if labelled else ("waybill", "order", "station")
        return f"{words[0]} {self.waybill}   {words[1]} {self.order or '-'}   {words[2]} {self.station}   {clock}"

    @staticmethod
    def font_has_cjk() -> bool:
        return _font_path() is not None


class Band:
    """One clip's band: the same text, the clock redrawn when its second changes."""

    def __init__(self, text: BandText, width: int, frame_height: int) -> None:
        self._text = text
        self._width = width
        self._height = band_height(frame_height)
        self._clock = ""
        self._i420: np.ndarray | None = None

    def burn(self, i420: np.ndarray, clock: str) -> None:
        """Lay the band over the top of an I420 frame (shape (H*3/2, W)), in place."""
        if clock != self._clock or self._i420 is None:
            self._i420, self._clock = self._render(clock), clock
        band, bh = self._i420, self._height
        height = i420.shape[0] * 2 // 3
        quarter = bh // 4
        i420[:bh] = band[:bh]  # luma
        i420[height : height + quarter] = band[bh : bh + quarter]  # U: bh/2 rows of W/2 = bh/4 rows of W
        v_at = height + height // 4
        i420[v_at : v_at + quarter] = band[bh + quarter : bh + 2 * quarter]

    def _render(self, clock: str) -> np.ndarray:
        line = self._text.line(clock)
        px = round(self._height * TEXT_SHARE)
        font = _font(px)
        canvas = Image.new("RGB", (self._width, self._height), BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        while px > MIN_BAND_PX // 2 and draw.textlength(line, font=font) > self._width - 2 * MARGIN_PX:
            px -= 2  # a narrow frame: smaller text rather than a cut-off clock
            font = _font(px)
        draw.text((MARGIN_PX, self._height // 2), line, font=font, fill=FOREGROUND, anchor="lm")
        bgr = cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
