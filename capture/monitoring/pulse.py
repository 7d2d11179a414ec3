"""Whether `watch`'s engines work, told by what its worker processes did with the last photos.

The engines live in the worker processes, not in the watcher that answers
/healthz (loading them there too would cost the memory of a third worker).
A photo the reader crashed on is filed unrecorded (no scan id); one that
was merely unreadable is recorded.  CRASHES_TO_FAIL such photos in a row,
with nothing decided between them, is an engine that does not work.
"""

from __future__ import annotations

import threading
import time

from capture.types import Reason, ScanResult, Status

CRASHES_TO_FAIL = 3


def reader_crashed(result: ScanResult) -> bool:
    outcome = result.outcome
    return outcome.status is Status.ERROR and outcome.reasons == (Reason.UNREADABLE_IMAGE,) and result.scan_id is None


class EnginePulse:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decided = 0
        self._crashes_in_a_row = 0
        self._last_at: float | None = None
        self._last_crash = ""

    def note(self, result: ScanResult) -> None:
        with self._lock:
            self._last_at = time.time()
            if reader_crashed(result):
                self._crashes_in_a_row += 1
                self._last_crash = result.outcome.detail
            else:
                self._decided += 1
                self._crashes_in_a_row = 0

    def check(self) -> tuple[bool, str]:
        with self._lock:
            if self._crashes_in_a_row >= CRASHES_TO_FAIL:
                return False, f"the last {self._crashes_in_a_row} photos crashed the reader: {self._last_crash}"
            if self._last_at is None:
                return True, "no photo read yet"
            ago = time.time() - self._last_at
            return True, f"{self._decided} photos read; the last {ago:.0f}s ago"
