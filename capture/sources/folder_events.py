"""What the drop folder watcher knows of its folder: watchdog's events, and whether the folder is there."""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import ObservedWatch

WATCHED_EVENTS = frozenset({"created", "modified", "moved", "closed"})


class FolderEvents(FileSystemEventHandler):
    """Hands watchdog's events to the watcher's loop; the loop alone touches its state."""

    def __init__(self, paths: queue.SimpleQueue[Path], wake: threading.Event) -> None:
        self._paths = paths
        self._wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in WATCHED_EVENTS or event.is_directory:
            return
        path = event.dest_path if event.event_type == "moved" else event.src_path
        self._paths.put(Path(os.fsdecode(path)))
        self._wake.set()


@dataclass
class FolderState:
    """Is the folder there, and is it the same folder we are watching."""

    identity: tuple[int, int] | None = None
    watch: ObservedWatch | None = None
    next_rescan: float = 0.0
    said_missing: bool = False
