"""Where log lines go and how they look: stderr always, a rotated file if `log_file` is set, JSON lines if `log_json`.

Every line carries its time (UTC, ISO 8601), so a line from the drop folder
can be set beside the database's `created_at` and a Prometheus graph.
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import os
import time
from pathlib import Path

from capture.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_MODE = 0o600  # a line may name a photo or an order


class UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class JsonLines(UtcFormatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


class PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """Each new file (the first, and the one after every rotation) made 0600, whatever the umask."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def formatter(as_json: bool) -> logging.Formatter:
    return JsonLines() if as_json else UtcFormatter(TEXT_FORMAT)


def basic(verbose: bool) -> None:
    """Before the settings are read: stderr, with times."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(False))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def configure(settings: Settings) -> None:
    """The settings' way: JSON lines if asked, and a rotated file beside stderr if named."""
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setFormatter(formatter(settings.log_json))
    if not settings.log_file or any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        return
    path = Path(settings.log_file).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    rotating = PrivateRotatingFile(
        path, maxBytes=settings.log_max_bytes, backupCount=settings.log_backups, encoding="utf-8"
    )
    rotating.setFormatter(formatter(settings.log_json))
    root.addHandler(rotating)
    # The file keeps what happened even when stderr shows warnings only.
    if root.level > logging.INFO:
        rotating.setLevel(logging.INFO)
        for handler in root.handlers:
            if handler is not rotating:
                handler.setLevel(root.level)
        root.setLevel(logging.INFO)
