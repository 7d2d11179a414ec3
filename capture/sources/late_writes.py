"""A photo filed in failed/ whose writer was not done: taken back into the drop folder to be read again.

The drop folder takes a file by renaming it, and a writer that kept its
file open goes on writing into the same inode, wherever it now is.  A photo
failed as truncated then completed in failed/ and was never read again.  For
`wait_s` after filing, a failed photo that grows or is rewritten is moved
back into the drop folder (its stale sidecar removed: it described bytes
that are no longer the file's) and goes through settling like a new one.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from capture.sources import filing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Filed:
    size: int  # the size the photo had when it was taken, before it was read
    mtime_ns: int
    until: float  # monotonic time after which a change is no longer looked for


class LateWrites:
    def __init__(self, inbox: Path, wait_s: float) -> None:
        self._inbox = inbox
        self._wait_s = wait_s
        self._filed: dict[Path, _Filed] = {}

    def note(self, filed: Path, taken_size: int, taken_mtime_ns: int, now: float) -> None:
        if self._wait_s > 0 and not filed.is_symlink():
            self._filed[filed] = _Filed(taken_size, taken_mtime_ns, now + self._wait_s)

    def take_back(self, now: float) -> list[Path]:
        """Move every failed photo that changed since it was taken back into the drop folder; their new paths."""
        back = []
        for filed, seen in list(self._filed.items()):
            try:
                st = os.lstat(filed)
            except OSError:
                del self._filed[filed]  # moved away by a person: theirs now
                continue
            if (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
                del self._filed[filed]
                if (moved := self._move_back(filed)) is not None:
                    back.append(moved)
            elif now >= seen.until:
                del self._filed[filed]
        return back

    def _move_back(self, filed: Path) -> Path | None:
        try:
            dest = filing.move(filed, filing.free_name(self._inbox, filed.name))
        except OSError as exc:
            log.error("%s changed after it was failed, but cannot be moved back to be read again: %s", filed, exc)
            return None
        with contextlib.suppress(FileNotFoundError):
            filing.sidecar_path(filed).unlink()
        log.warning("%s was still being written after it was failed; reading it again as %s", filed.name, dest.name)
        return dest
