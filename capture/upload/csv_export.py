"""Export pending jobs as a CSV for the seller back office's bulk shipping (批量发货).

Columns: 订单编号 (order number), 物流公司 (carrier, as the back office names
it), 运单号 (waybill).  UTF-8 with a BOM by default (what the back office and
Excel read); `gbk` for older templates.  A file named .xlsx is a workbook
with every cell text (capture.upload.xlsx_export), for sellers who open the
file in Excel before uploading it: a CSV's order numbers do not survive that.
A cell that would start with = + - @ gets a leading ' so no spreadsheet
takes it for a formula (none of ours should; the guard is for what a
marketplace's carrier name might one day hold).

Exporting hands the jobs over: they become `exported`, so a second export
does not list them again and no worker sends them.  `waybill queue retry`
puts them back (a lost file), `waybill queue cancel` drops them.  The file
and the state change go together: the jobs are marked in a transaction that
commits only after the file is complete on disk, and the file is removed if
that commit fails.  An existing file is never overwritten: it may hold
jobs no longer listed anywhere else.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from capture.errors import InputFileError
from capture.pipeline.carriers import BY_CODE
from capture.shops import DEFAULT_SHOP
from capture.store import jobs
from capture.store.db import session_scope
from capture.upload.xlsx_export import render_xlsx

HEADER = ("订单编号", "物流公司", "运单号")
ENCODINGS = ("utf-8-sig", "gbk")
XLSX_SUFFIX = ".xlsx"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ExportReport:
    path: Path
    exported: int


def carrier_name(code: str) -> str:
    carrier = BY_CODE.get(code)
    return carrier.name if carrier else code


def _not_a_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cells(rows: list[jobs.ExportedJob]) -> list[tuple[str, str, str]]:
    return [(row.order_tid, _not_a_formula(carrier_name(row.carrier)), _not_a_formula(row.waybill)) for row in rows]


def render(rows: list[jobs.ExportedJob]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # the back office is a Windows world
    writer.writerow(HEADER)
    writer.writerows(_cells(rows))
    return out.getvalue()


def _file_bytes(path: Path, rows: list[jobs.ExportedJob], encoding: str) -> bytes:
    if path.suffix.lower() == XLSX_SUFFIX:
        return render_xlsx(HEADER, _cells(rows))
    return render(rows).encode(encoding)


def _write_new(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all; never replaces an existing file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)  # fails if `path` appeared meanwhile, unlike a rename
    finally:
        os.unlink(tmp)


def export_pending(engine: Engine, path: Path, encoding: str = ENCODINGS[0], shop: str = DEFAULT_SHOP) -> ExportReport:
    if encoding not in ENCODINGS:
        raise InputFileError(f"unknown export encoding {encoding!r}", f"use one of {', '.join(ENCODINGS)}")
    path = path.expanduser().resolve()
    if path.exists():
        raise InputFileError(
            f"{path} already exists", "choose a new file name: an earlier export may still need uploading"
        )
    if not path.parent.is_dir():
        raise InputFileError(f"folder {path.parent} does not exist", "create it or export elsewhere")
    written = False
    try:
        with session_scope(engine) as session:
            rows = jobs.take_for_export(session, str(path), shop)
            if rows:
                try:
                    _write_new(path, _file_bytes(path, rows, encoding))
                except UnicodeEncodeError as exc:
                    raise InputFileError(
                        f"a value cannot be written as {encoding}: {exc.object[exc.start : exc.end]!r}",
                        "export as utf-8-sig",
                    ) from exc
                except FileExistsError as exc:
                    raise InputFileError(f"{path} already exists", "choose a new file name") from exc
                except OSError as exc:
                    raise InputFileError(
                        f"cannot write {path}: {exc.strerror}", "check the folder and free space"
                    ) from exc
                written = True
    except BaseException:
        if written:
            path.unlink(missing_ok=True)  # the jobs stayed pending: the file must not exist either
        raise
    return ExportReport(path=path, exported=len(rows))
