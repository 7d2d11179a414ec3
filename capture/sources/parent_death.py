"""A worker process dies with the watcher that started it, however the watcher ends.

`kill -9` (or the OOM killer) of `waybill watch --workers 2` left its two
reader processes alive, about 300 MB each, for good, and with them
multiprocessing's resource tracker, which waits for every holder of its
pipe to close it.  On Linux the kernel is asked (PR_SET_PDEATHSIG) to kill
the worker when its parent goes; once the workers are gone the tracker sees
its pipe close and exits by itself.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Ask for SIGKILL when the parent dies; exit now if it already has (it died before we asked)."""
    if not sys.platform.startswith("linux"):
        return  # other systems: a worker outlives a killed watcher until its next photo fails to reach it
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("cannot tie this worker to its watcher: %s", os.strerror(ctypes.get_errno()))
    if os.getppid() != parent_pid:
        os._exit(1)
