"""Filing what the drop folder dealt with: into processed/ or failed/, with its sidecar, then reported.

A file is never overwritten: a name someone took meanwhile, or one promised
to a photo still being read (`reserved`), gets a free name beside it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from capture.outcome_words import in_words
from capture.sources import filing, handled
from capture.sources.folder_worker import ScanJob
from capture.sources.handled import Handled
from capture.types import ScanResult, ScanSummary, Status

log = logging.getLogger(__name__)


class Filer:
    def __init__(self, layout: filing.Layout, reserved: set[Path], on_result: Callable[[Handled], None]) -> None:
        self.layout = layout
        self._reserved = reserved  # shared with the watcher, which promises the names
        self._on_result = on_result

    def result(self, dropped: Path, work: Path, scan: ScanJob, result: ScanResult) -> Path | None:
        """File a photo that was read; where it went (None: it could not be moved)."""
        failed = result.outcome.status is Status.ERROR
        dest = Path(scan.failed_as if failed else scan.processed_as)
        self._release(scan)
        return self._file(dropped, work, dest, result, in_words(result.outcome), scan.sha256)

    def crashed(self, dropped: Path, work: Path, scan: ScanJob, why: str) -> None:
        self._release(scan)
        dest = Path(scan.failed_as)
        self._file(dropped, work, dest, handled.reader_crashed(dest, why), why, scan.sha256)

    def duplicate(self, path: Path, earlier: ScanSummary) -> None:
        dest = filing.free_name(self.layout.processed, path.name, self._reserved)
        result = handled.duplicate(dest, earlier)
        self._file(path, path, dest, result, result.outcome.detail, "", duplicate_of=earlier.id)

    def refuse_link(self, path: Path) -> None:
        dest = filing.free_name(self.layout.failed, path.name, self._reserved)
        result = handled.link_refused(dest, path)
        self._file(path, path, dest, result, result.outcome.detail, "")

    def recorded(self, dropped: Path, work: Path, earlier: ScanSummary, sha256: str) -> None:
        """A photo recorded before a restart (its move was not): filed where its record says, if free."""
        home = self.layout.failed if earlier.status == Status.ERROR.value else self.layout.processed
        recorded_as = Path(earlier.path)
        free = recorded_as.parent == home and not os.path.lexists(recorded_as)
        dest = recorded_as if free else filing.free_name(home, work.name, self._reserved)
        log.warning("%s was recorded (scan %d) before a restart; filing it now", work.name, earlier.id)
        self._file(
            dropped, work, dest, handled.recorded(dest, earlier), handled.earlier_words(earlier), sha256, recovered=True
        )

    def _release(self, scan: ScanJob) -> None:
        self._reserved -= {Path(scan.processed_as), Path(scan.failed_as)}

    def _file(
        self,
        dropped: Path,
        current: Path,
        dest: Path,
        result: ScanResult,
        why: str,
        sha256: str,
        duplicate_of: int | None = None,
        recovered: bool = False,
    ) -> Path | None:
        try:
            if os.path.lexists(dest):  # someone put a file there meanwhile: never overwrite it
                dest = filing.free_name(dest.parent, dest.name, self._reserved)
            filing.move(current, dest)
        except OSError as exc:
            log.error("cannot file %s into %s: %s", current, dest.parent, exc)
            return None
        done = Handled(dropped, dest, filing.sidecar_path(dest), result, duplicate_of, recovered)
        filing.write_sidecar(dest, handled.sidecar_body(done, why, sha256))
        self._on_result(done)
        return dest
