"""pyzbar barcode engine: selectable, needs the system library libzbar0."""

from __future__ import annotations

import numpy as np

from capture.errors import EngineUnavailable
from capture.types import BarcodeRead, Quad

# pyzbar names formats in upper case; map to the spelling zxing-cpp uses so
# the JSON contract has one vocabulary.
ZBAR_FORMATS = {
    "CODE128": "Code128",
    "CODE39": "Code39",
    "CODE93": "Code93",
    "I25": "ITF",
    "CODABAR": "Codabar",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "UPCA": "UPCA",
    "UPCE": "UPCE",
    "QRCODE": "QRCode",
    "PDF417": "PDF417",
    "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExp",
}


class ZbarEngine:
    name = "zbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError as exc:
            raise EngineUnavailable(
                "pyzbar cannot load the zbar library",
                "install it (Debian/Ubuntu: apt-get install libzbar0; make setup does this) or use barcode_engine = 'zxing'",
            ) from exc
        self._decode = pyzbar.decode

    def read(self, image: np.ndarray) -> list[BarcodeRead]:
        gray = image if image.ndim == 2 else _to_gray(image)
        out = []
        for r in self._decode(gray):
            text = r.data.decode("utf-8", errors="replace")
            if text:
                out.append(
                    BarcodeRead(text=text, format=ZBAR_FORMATS.get(r.type, r.type), engine=self.name, box=_quad(r))
                )
        return out


def _to_gray(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


# Corner order per zbar orientation, so that box[0] -> box[1] runs along the
# symbol's reading direction as zxing-cpp's boxes do (extract uses it to
# find which way the label is turned).
CORNERS_BY_ORIENTATION = {"UP": (0, 1, 2, 3), "RIGHT": (1, 2, 3, 0), "DOWN": (2, 3, 0, 1), "LEFT": (3, 0, 1, 2)}


def _quad(r: object) -> Quad:
    left, top, width, height = r.rect  # type: ignore[attr-defined]
    corners = ((left, top), (left + width, top), (left + width, top + height), (left, top + height))
    order = CORNERS_BY_ORIENTATION.get(getattr(r, "orientation", None) or "UP", CORNERS_BY_ORIENTATION["UP"])
    return tuple(corners[i] for i in order)  # type: ignore[return-value]
