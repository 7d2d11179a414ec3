"""File names as the product shows, stores and files them.

Linux names are bytes.  One that is not UTF-8 (a GBK-named file copied off
an old Windows share) reaches Python as a str with lone surrogates, which
SQLite, JSON files and a UTF-8 terminal all refuse: `scan` stopped the
batch and `watch` died on one.  Names at the 255-byte limit broke the
watcher too, once ".json" was added for the sidecar.
"""

from __future__ import annotations

import hashlib
import os

NAME_MAX = 255  # bytes in one name, on every filesystem a desk uses
# What filing may add to a photo's name: a counter (free_name's "-9999"),
# the sidecar's ".json", and its temporary form's "." and ".tmp".
FILING_ROOM = len("-9999") + len(".json") + len(".") + len(".tmp")
LONGEST_FILED_NAME = NAME_MAX - FILING_ROOM
HASH_CHARS = 8


def shown(path: str | os.PathLike[str]) -> str:
    """The path as text that can be printed and stored: bytes that are not UTF-8 as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def fileable_name(name: str) -> str:
    """A name to file a photo under: valid UTF-8, and short enough for its counter and sidecar.

    Undecodable bytes become %NN (a backslash is no use on a share Windows
    also reads); a name too long keeps its start and suffix with a short
    hash of the whole original between, so two long names stay apart.
    """
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "surrogateescape")
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = "".join(f"%{ord(ch) - 0xDC00:02X}" if "\udc80" <= ch <= "\udcff" else ch for ch in text)
    if len(text.encode("utf-8")) <= LONGEST_FILED_NAME:
        return text
    stem, suffix = os.path.splitext(text)
    tag = "~" + hashlib.sha256(raw).hexdigest()[:HASH_CHARS]
    room = LONGEST_FILED_NAME - len(suffix.encode("utf-8")) - len(tag)
    return _cut_to_bytes(stem, room) + tag + suffix


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of `text` whose UTF-8 is at most `limit` bytes (never half a character)."""
    return text.encode("utf-8")[: max(0, limit)].decode("utf-8", "ignore")
