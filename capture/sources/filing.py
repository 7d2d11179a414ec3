"""Where a drop folder's files go, and moving them there without ever losing one.

    DIR/              photos arrive here (top level only)
    DIR/in-progress/  a photo being read; left here by a crash, it is taken again
    DIR/processed/    read and decided (queued, review, rejected, no waybill), with NAME.json
    DIR/failed/       could not be read (corrupt, truncated, too big, a link
                      leading out of the folder), with NAME.json saying why

processed/ and failed/ may be configured elsewhere, even on another disk;
in-progress/ stays in DIR so that taking a file is one atomic rename.
Nothing here deletes: a name that is taken gets a counter, never overwritten.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture.sources.names import fileable_name

IN_PROGRESS = "in-progress"
PROCESSED = "processed"
FAILED = "failed"
SIDECAR_SUFFIX = ".json"
# Enough for every photo a desk shoots with one name; past it something is wrong.
MAX_NAME_COUNTER = 10_000


@dataclass(frozen=True)
class Layout:
    inbox: Path
    in_progress: Path
    processed: Path
    failed: Path

    @classmethod
    def under(cls, inbox: Path, processed: str = "", failed: str = "") -> Layout:
        inbox = inbox.absolute()
        return cls(
            inbox=inbox,
            in_progress=inbox / IN_PROGRESS,
            processed=Path(processed).expanduser().absolute() if processed else inbox / PROCESSED,
            failed=Path(failed).expanduser().absolute() if failed else inbox / FAILED,
        )

    def make(self) -> None:
        for folder in (self.in_progress, self.processed, self.failed):
            folder.mkdir(parents=True, exist_ok=True)


def free_name(folder: Path, name: str, taken: set[Path] | frozenset[Path] = frozenset()) -> Path:
    """`folder/name`, or `folder/stem-N.suffix` if that (or its sidecar) exists or is reserved.

    The name is made fileable first (names.fileable_name): UTF-8, with room for the counter and the sidecar.
    """
    name = fileable_name(name)
    stem, suffix = os.path.splitext(name)
    for n in range(MAX_NAME_COUNTER):
        candidate = folder / (name if n == 0 else f"{stem}-{n}{suffix}")
        if candidate not in taken and not os.path.lexists(candidate) and not os.path.lexists(sidecar_path(candidate)):
            return candidate
    raise FileExistsError(f"{MAX_NAME_COUNTER} files named like {name} in {folder}")


def move(src: Path, dest: Path) -> Path:
    """Move a file (or a symlink itself, never its target) to `dest`, which must be free.

    A rename when both are on one disk; across disks shutil.move copies and
    removes the source only after the copy is complete.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(dest):
        raise FileExistsError(f"{dest} exists; refusing to overwrite it")
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # processed/ on another disk
            raise
        shutil.move(str(src), str(dest))
    return dest


def sidecar_path(photo: Path) -> Path:
    return photo.with_name(photo.name + SIDECAR_SUFFIX)


def write_sidecar(photo: Path, body: dict[str, Any]) -> Path:
    """NAME.json beside the filed photo; written to a temp name first so it is never half there."""
    sidecar = sidecar_path(photo)
    partial = sidecar.with_name("." + sidecar.name + ".tmp")
    # backslashreplace: a stray undecodable name in `body` must not cost the sidecar (a crash left .json.tmp)
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    partial.write_bytes(text.encode("utf-8", "backslashreplace"))
    os.replace(partial, sidecar)
    return sidecar


def link_leaves(path: Path, root: Path) -> bool:
    """True for a symlink whose target is outside `root` (or missing): such a link is not read.

    A link in the drop folder to /etc/shadow or to another user's photos
    would otherwise be read, recorded and moved into processed/ as if it
    had been dropped there.
    """
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        return True
    return not target.is_relative_to(root.resolve())
