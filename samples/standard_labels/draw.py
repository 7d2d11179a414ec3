"""A millimetre canvas for thermal labels: text in CJK and latin fonts, boxes, Code 128 and QR symbols."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

Box = tuple[int, int, int, int]

# CJK families: the WenQuanYi pair on this machine, Noto CJK where a machine has it.
CJK_CANDIDATES: dict[str, tuple[str, int]] = {
    "microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "zenhei_sharp": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 2),
    "noto_sans_cjk": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "noto_serif_cjk": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
}
LATIN: dict[str, tuple[str, int]] = {
    "sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "sans_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    "cond_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", 0),
    "cond": ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", 0),
    "mono_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
    "serif_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", 0),
}


def cjk_families() -> list[str]:
    found = [name for name, (path, _) in CJK_CANDIDATES.items() if Path(path).exists()]
    if len({CJK_CANDIDATES[n][0] for n in found}) < 2:
        raise RuntimeError("need at least two CJK font families (fc-list :lang=zh)")
    return found


@lru_cache(maxsize=512)
def _font(family: str, px: int) -> ImageFont.FreeTypeFont:
    path, index = CJK_CANDIDATES.get(family) or LATIN[family]
    return ImageFont.truetype(path, max(6, px), index=index)


@lru_cache(maxsize=256)
def code128_modules(content: str) -> np.ndarray:
    """One row of the Code 128 symbol, one element per module (True = bar), without quiet zones."""
    symbol = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.Code128)
    row = np.array(zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=False))[0]
    return row < 128


@lru_cache(maxsize=64)
def qr_modules(content: str) -> np.ndarray:
    symbol = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.array(zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=False)) < 128


@dataclass
class Rendered:
    """A label at print resolution: grey pixels (255 = paper), named boxes in pixels, its size."""

    img: np.ndarray
    boxes: dict[str, Box]
    w_mm: float
    h_mm: float
    ppm: float
    texts: dict[str, str] = field(default_factory=dict)


class Canvas:
    def __init__(self, w_mm: float, h_mm: float, ppm: float, cjk: str, cjk_bold: str | None = None) -> None:
        self.w_mm, self.h_mm, self.ppm = w_mm, h_mm, ppm
        self.cjk, self.cjk_bold = cjk, cjk_bold or cjk
        self.img = Image.new("L", (round(w_mm * ppm), round(h_mm * ppm)), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.boxes: dict[str, Box] = {}
        self.texts: dict[str, str] = {}
        self.logo_style = 0.5  # one logo style per label, however often the logo repeats

    def px(self, mm: float) -> int:
        return round(mm * self.ppm)

    def font(self, family: str | None, size: float) -> ImageFont.FreeTypeFont:
        return _font(family or self.cjk, self.px(size))

    def measure(self, s: str, size: float, family: str | None = None) -> float:
        return self.draw.textlength(s, font=self.font(family, size)) / self.ppm

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        family: str | None = None,
        bold: bool = False,
        anchor: str = "lt",
        max_w: float | None = None,
        key: str | None = None,
        fill: int = 0,
    ) -> float:
        """Draw s with its anchor at (x, y) mm; shrink it to max_w; return the width in mm."""
        family = family or (self.cjk_bold if bold else self.cjk)
        width = self.measure(s, size, family)
        if max_w and width > max_w:
            size, width = size * max_w / width, max_w
        stroke = max(1, round(self.px(size) * 0.045)) if bold else 0
        font = self.font(family, size)
        self.draw.text(
            (self.px(x), self.px(y)), s, font=font, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=fill
        )
        if key:
            self.boxes[key] = tuple(
                int(v) for v in self.draw.textbbox((self.px(x), self.px(y)), s, font=font, anchor=anchor)
            )  # type: ignore[assignment]
            self.texts[key] = s
        return width

    def wrap(self, x: float, y: float, w: float, s: str, size: float, bold: bool = False, max_lines: int = 3) -> float:
        """Break s into lines no wider than w mm (CJK breaks anywhere), shrinking to fit max_lines; return height."""
        lines = self._break(s, size, w)
        for _ in range(4):
            if len(lines) <= max_lines:
                break
            size *= 0.88
            lines = self._break(s, size, w)
        return self._lines(x, y, lines, size, bold)

    def _break(self, s: str, size: float, w: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for ch in s:
            if current and self.measure(current + ch, size) > w:
                lines.append(current)
                current = ch.lstrip()
            else:
                current += ch
        return [*lines, current]

    def _lines(self, x: float, y: float, lines: list[str], size: float, bold: bool) -> float:
        for i, line in enumerate(lines):
            self.text(x, y + i * size * 1.22, line, size, bold=bold)
        return len(lines) * size * 1.22

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3, fill: int | None = None) -> None:
        outline = 0 if width > 0 else None
        self.draw.rectangle(
            (self.px(x0), self.px(y0), self.px(x1), self.px(y1)),
            fill=fill,
            outline=outline,
            width=max(1, self.px(width)),
        )

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3) -> None:
        self.draw.line((self.px(x0), self.px(y0), self.px(x1), self.px(y1)), fill=0, width=max(1, self.px(width)))

    def dashed(self, y: float, x0: float, x1: float, dash: float = 2.0, gap: float = 1.5) -> None:
        x = x0
        while x < x1:
            self.line(x, y, min(x + dash, x1), y, 0.25)
            x += dash + gap

    def badge(self, x0: float, y0: float, x1: float, y1: float, s: str, size: float, invert: bool = True) -> None:
        """Text centred in a box: white on black (inverted logo / 收 寄 icons) or black in an outline."""
        if invert:
            self.rect(x0, y0, x1, y1, width=0, fill=0)
        else:
            self.rect(x0, y0, x1, y1, width=0.4)
        fill = 255 if invert else 0
        self.text((x0 + x1) / 2, (y0 + y1) / 2, s, size, bold=True, anchor="mm", max_w=(x1 - x0) * 0.9, fill=fill)

    def barcode(self, x: float, y: float, w: float, h: float, content: str, key: str = "barcode") -> float:
        """A Code 128 symbol centred in [x, x+w] with a whole number of pixels per module; returns its width."""
        row = code128_modules(content)
        module = max(2, min(self.px(w) // len(row), max(2, self.px(0.5))))
        bars = np.repeat(np.where(row, 0, 255).astype(np.uint8), module)
        height = self.px(h)
        x0 = self.px(x) + (self.px(w) - len(bars)) // 2
        y0 = self.px(y)
        self.img.paste(Image.fromarray(np.tile(bars, (height, 1))), (x0, y0))
        self.boxes[key] = (x0, y0, x0 + len(bars), y0 + height)
        self.texts[key] = content
        return len(bars) / self.ppm

    def qr(self, x: float, y: float, size: float, content: str, key: str = "qr") -> None:
        grid = qr_modules(content)
        module = max(2, self.px(size) // grid.shape[0])
        cells = np.kron(np.where(grid, 0, 255).astype(np.uint8), np.ones((module, module), np.uint8))
        self.img.paste(Image.fromarray(cells), (self.px(x), self.px(y)))
        self.boxes[key] = (self.px(x), self.px(y), self.px(x) + cells.shape[1], self.px(y) + cells.shape[0])
        self.texts[key] = content

    def result(self) -> Rendered:
        return Rendered(np.array(self.img), dict(self.boxes), self.w_mm, self.h_mm, self.ppm, dict(self.texts))
