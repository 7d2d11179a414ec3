"""How many CPU cores this process may use, and so how many threads an engine may take."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity, which a container or taskset narrows."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def cpu_threads(requested: int) -> int:
    """Threads for an engine's CPU work.

    0 ("let the runtime decide") means the cores this process may use:
    PaddleOCR's own default is a fixed 10, which oversubscribes small machines.
    """
    return requested if requested > 0 else usable_cores()
