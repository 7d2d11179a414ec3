"""How many CPU threads an engine may use."""

from __future__ import annotations

import os


def cpu_threads(requested: int) -> int:
    """Threads for an engine's CPU work.

    0 ("let the runtime decide") means the cores this process may use:
    PaddleOCR's own default is a fixed 10, which oversubscribes small machines.
    """
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
