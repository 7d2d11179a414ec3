"""What the facade holds per process: the engines and one database engine per URL.

Engines load models and database engines hold connection pools, so each is
built once per process and shared by every call; the schema is checked when
a database engine is first opened, not on every call.  `close()` releases
them all (the CLI calls it on the way out; a server at shutdown).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.engine import Engine

from capture.engines import registry
from capture.pipeline.run import Engines
from capture.settings import Settings
from capture.store.db import open_engine

# A process uses one database; tests and tools may open a few.  The oldest
# is disposed when a new one would pass this many.
MAX_DATABASES = 8

_lock = threading.Lock()
_databases: OrderedDict[str, Engine] = OrderedDict()


def engines(settings: Settings) -> Engines:
    barcode, ocr = registry.engines_for(settings)
    return Engines(barcode=barcode, ocr=ocr)


def database(settings: Settings) -> Engine:
    """The process's engine for settings.db_url, its schema made or checked on first use."""
    url = settings.db_url
    with _lock:
        engine = _databases.get(url)
        if engine is not None:
            _databases.move_to_end(url)
            return engine
    engine = open_engine(url)  # outside the lock: it may wait for a migration another process runs
    with _lock:
        kept = _databases.setdefault(url, engine)
        _databases.move_to_end(url)
        while len(_databases) > MAX_DATABASES:
            _, oldest = _databases.popitem(last=False)
            oldest.dispose()
    if kept is not engine:
        engine.dispose()
    return kept


def close() -> None:
    """Dispose every database engine and close every OCR engine this process opened."""
    with _lock:
        opened = list(_databases.values())
        _databases.clear()
    for engine in opened:
        engine.dispose()
    registry.close_engines()
