"""An OCR engine plugin that fails on purpose, as OCRmyPDF's test plugins do (ocr_plugin = this module).

The real RapidOCR engine does the reading; before a call it does what
WAYBILL_TEST_OCR_FAULT says (read by this plugin, not by the product):

    kill-once:DIR   the first call anywhere (a marker file in DIR) SIGKILLs its own process, as the
                    OOM killer does; later calls read normally
    kill            every call SIGKILLs its process
    raise           every call raises RuntimeError, as a broken native library might
    hang-once:DIR   the first call anywhere never returns (a native library stuck in a lock); later calls read
    hang            every call never returns
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from capture.engines.rapidocr import RapidOcrEngine

FAULT_ENV = "WAYBILL_TEST_OCR_FAULT"
FAULTY_CALLS = ("read", "detect", "recognize", "upside_down")


def _fault() -> None:
    mode, _, arg = os.environ.get(FAULT_ENV, "").partition(":")
    if mode == "kill-once":
        try:
            os.close(os.open(os.path.join(arg, "killed-once"), os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "hang-once":
        try:
            os.close(os.open(os.path.join(arg, "hung-once"), os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        _hang()
    elif mode == "hang":
        _hang()
    elif mode == "raise":
        raise RuntimeError("the test OCR engine failed on purpose")


def _hang() -> None:
    while True:
        time.sleep(3600)


class FaultyOcr:
    def __init__(self, real: RapidOcrEngine) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name not in FAULTY_CALLS:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            _fault()
            return attribute(*args, **kwargs)

        return call


def ocr_engine(spec: Any) -> FaultyOcr:
    return FaultyOcr(RapidOcrEngine(spec))
