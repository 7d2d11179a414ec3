"""Waits that double after each failure, up to a cap, and start over after a success.

Used where a source must retry without hammering: a locked database (drop
folder) and a camera stream that died (the Frigate watchdog's backoff).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    first_s: float
    cap_s: float
    _next_s: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._next_s = self.first_s

    def next_delay(self) -> float:
        """The wait before the next try; each call doubles the one after it."""
        delay = self._next_s
        self._next_s = min(self.cap_s, self._next_s * 2)
        return delay

    def reset(self) -> None:
        self._next_s = self.first_s
