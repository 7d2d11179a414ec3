"""When a dropped file is complete: its size and mtime stopped changing for a delay.

A phone's sync client, an SMB copy or a browser download writes a photo in
pieces; reading it halfway gives a grey lower half or a truncated JPEG
(paperless-ngx hit the same and waits for the file to settle before it
consumes it).  Nothing on Linux says "the writer is done", so the file is
taken only after it has looked the same for `delay_s`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time this size and mtime were first seen


class SettleWatch:
    """Paths waiting to settle.  `note` on every event or rescan; `settled` each tick."""

    def __init__(self, delay_s: float) -> None:
        self._delay_s = delay_s
        self._waiting: dict[Path, _Seen | None] = {}

    def __contains__(self, path: Path) -> bool:
        return path in self._waiting

    def __len__(self) -> int:
        return len(self._waiting)

    def note(self, path: Path) -> None:
        """Start (or keep) watching `path`; an event restarts nothing by itself, a change does."""
        self._waiting.setdefault(path, None)

    def forget(self, path: Path) -> None:
        self._waiting.pop(path, None)

    def settled(self, now: float) -> list[Path]:
        """Paths unchanged for the delay, removed from the waiting set; vanished ones are dropped."""
        ready = []
        for path, seen in list(self._waiting.items()):
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                del self._waiting[path]  # renamed away (.part -> .jpg) or taken by someone else
                continue
            except OSError:
                continue  # a share that hiccups: look again next tick
            if seen is None or (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
                self._waiting[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                if self._delay_s > 0:
                    continue
            elif now - seen.since < self._delay_s:
                continue
            del self._waiting[path]
            ready.append(path)
        return ready
