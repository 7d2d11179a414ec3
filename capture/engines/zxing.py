"""zxing-cpp barcode engine: the default.

Chosen over zbar because it reads skewed, low-contrast and partly hidden
codes that zbar misses (the same reason paperless-ngx switched), and it is
a self-contained wheel with no system library.
"""

from __future__ import annotations

import numpy as np

from capture.errors import EngineUnavailable
from capture.types import BarcodeRead, Quad


class ZxingEngine:
    name = "zxing"

    def __init__(self) -> None:
        try:
            import zxingcpp
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise EngineUnavailable("zxing-cpp is not installed", "reinstall the project: pip install .") from exc
        self._zx = zxingcpp

    def read(self, image: np.ndarray) -> list[BarcodeRead]:
        results = self._zx.read_barcodes(image, try_rotate=True, try_downscale=True, try_invert=False)
        return [
            BarcodeRead(text=r.text, format=_format_name(r.format), engine=self.name, box=_quad(r.position))
            for r in results
            if r.valid and r.text
        ]


def _format_name(fmt: object) -> str:
    # "Code 128" -> "Code128": one spelling for both engines in the JSON contract.
    return str(fmt).replace(" ", "").replace("-", "")


def _quad(pos: object) -> Quad:
    corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)  # type: ignore[attr-defined]
    return tuple((float(p.x), float(p.y)) for p in corners)  # type: ignore[return-value]
