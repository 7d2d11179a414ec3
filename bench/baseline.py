"""The naive reader we measure against: what a quick script would do.

pyzbar on the whole photo; if it finds nothing, whole-image OCR and the first
10-20 character alphanumeric token.  The order is the first one whose number
or receiver name appears in the OCR text; it queues whenever it has both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from capture.engines.base import OcrEngine
from capture.store.tables import Order

TOKEN = re.compile(r"[A-Za-z0-9]{10,20}")


@dataclass(frozen=True)
class BaselineResult:
    number: str | None
    order: str | None

    @property
    def queued(self) -> bool:
        return self.number is not None and self.order is not None


class NaiveReader:
    def __init__(self, ocr: OcrEngine, orders: list[Order]) -> None:
        from pyzbar import pyzbar

        self._zbar = pyzbar.decode
        self._ocr = ocr
        self._orders = orders
        self._by_tid = {o.tid: o for o in orders}

    def read(self, image: np.ndarray) -> BaselineResult:
        codes = self._zbar(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        text = " ".join(line.text for line in self._ocr.read(image))
        number = codes[0].data.decode("utf-8", "replace") if codes else _first_token(text)
        return BaselineResult(number=number, order=self._order_for(text))

    def _order_for(self, text: str) -> str | None:
        for token in re.findall(r"\d{16,20}", text):
            if token in self._by_tid:
                return token
        for order in self._orders:
            if order.receiver_name and order.receiver_name in text:
                return order.tid
        return None


def _first_token(text: str) -> str | None:
    m = TOKEN.search(text)
    return m.group(0) if m else None
