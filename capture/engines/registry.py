"""Pick engines by settings; import a backend only when it is chosen.

Engines load models, so they are built once per process and cached here by
their settings; callers ask again instead of holding globals of their own.
"""

from __future__ import annotations

from functools import lru_cache

from capture.engines.base import BarcodeEngine, OcrEngine
from capture.settings import Settings


@lru_cache(maxsize=4)
def barcode_engine(name: str) -> BarcodeEngine:
    if name == "zbar":
        from capture.engines.zbar import ZbarEngine

        return ZbarEngine()
    from capture.engines.zxing import ZxingEngine

    return ZxingEngine()


@lru_cache(maxsize=4)
def ocr_engine(settings: Settings) -> OcrEngine:
    if settings.ocr_engine == "paddle":
        from capture.engines.paddle import PaddleOcrEngine

        return PaddleOcrEngine(settings)
    from capture.engines.rapidocr import RapidOcrEngine

    return RapidOcrEngine(settings)


def engines_for(settings: Settings) -> tuple[BarcodeEngine, OcrEngine]:
    return barcode_engine(settings.barcode_engine), ocr_engine(settings)
