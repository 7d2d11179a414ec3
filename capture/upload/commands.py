"""`waybill upload`, `waybill queue list|retry|cancel|export`, `waybill orders pull`.

Argument parsing and printing only; the work is in capture/upload/service.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from capture import settings as settings_mod
from capture.errors import QueueActionError
from capture.settings import UPLOAD_CONNECTORS, Settings
from capture.store.jobs import JobView
from capture.store.tables import JobStatus
from capture.upload import service
from capture.upload.csv_export import ENCODINGS
from capture.upload.queue import QueueChange
from capture.upload.worker import JobResult, WorkerReport

EXIT_NOT_ALL_CHANGED = QueueActionError.exit_code  # some ids could not be retried or cancelled
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ERROR_COLUMN_CHARS = 60
# (worker report key, how the summary names it)
REPORT_ORDER = (
    (JobStatus.SENT.value, "sent"),
    (JobStatus.REVIEW.value, "review"),
    (JobStatus.DEAD.value, "dead"),
    (JobStatus.PENDING.value, "to retry"),
    ("lease_lost", "lease lost"),
)
STATUSES = tuple(s.value for s in JobStatus)


def register(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    orders: argparse._SubParsersAction | None = None,
) -> None:
    """Add the upload commands to the `waybill` parser (and `pull` to its `orders` group)."""
    upload = commands.add_parser(
        "upload", parents=[common], help="send queued waybills to the marketplace (runs a worker)"
    )
    upload.add_argument(
        "--until-empty", action="store_true", help="exit once nothing is pending, waiting to retry or being sent"
    )
    upload.add_argument("--connector", choices=UPLOAD_CONNECTORS, help="default taobao (env WAYBILL_UPLOAD_CONNECTOR)")
    upload.add_argument("--json", action="store_true", help="one JSON object per attempt on stdout")
    upload.set_defaults(run=cmd_upload)

    queue = commands.add_parser("queue", help="the upload queue").add_subparsers(
        dest="queue_command", required=True, metavar="ACTION"
    )
    qlist = queue.add_parser(
        "list", parents=[common], help="queued uploads: order, waybill, carrier, status, time, attempts, errors"
    )
    qlist.add_argument("--status", action="append", default=[], choices=STATUSES, help="only this status (repeatable)")
    qlist.add_argument("--json", action="store_true")
    qlist.set_defaults(run=cmd_queue_list)

    retry = queue.add_parser(
        "retry", parents=[common], help="send jobs again now (default: every job in review or dead)"
    )
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.add_argument(
        "--status", action="append", default=[], choices=STATUSES, help="every job with this status (repeatable)"
    )
    retry.set_defaults(run=cmd_queue_retry)

    cancel = queue.add_parser(
        "cancel", parents=[common], help="drop jobs that are not sent (frees the order for another number)"
    )
    cancel.add_argument("ids", nargs="+", type=int, metavar="ID")
    cancel.set_defaults(run=cmd_queue_cancel)

    export = queue.add_parser(
        "export", parents=[common], help="write pending jobs to a CSV for bulk shipping in the back office"
    )
    export.add_argument("file", type=Path, help="a new file (never overwritten)")
    export.add_argument("--encoding", choices=ENCODINGS, default=ENCODINGS[0])
    export.set_defaults(run=cmd_queue_export)

    if orders is not None:
        pull = orders.add_parser("pull", parents=[common], help="fetch the orders awaiting shipment from Taobao")
        pull.set_defaults(run=cmd_orders_pull)


def load_settings(args: argparse.Namespace) -> Settings:
    return settings_mod.load(config=args.config, db_url=args.db, upload_connector=getattr(args, "connector", None))


def _when(moment: datetime | None) -> str:
    return f"{moment:{TIME_FORMAT}}" if moment else "-"


# --- upload -----------------------------------------------------------------


def cmd_upload(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)

    def show(result: JobResult) -> None:
        status = result.status or "lease_lost"
        if args.json:
            body = {
                "job": result.job_id,
                "order": result.order_tid,
                "waybill": result.waybill,
                "status": status,
                "attempts": result.attempts,
                "message": result.message or None,
                "retry_in_s": round(result.retry_in_s, 1) if result.retry_in_s is not None else None,
            }
            print(json.dumps(body, ensure_ascii=False), file=out, flush=True)
        else:
            retry = f" (again in {result.retry_in_s:.0f}s)" if result.retry_in_s is not None else ""
            print(
                f"{status:<10} job {result.job_id:>6}  {result.order_tid:<20} {result.waybill:<18} try {result.attempts}{retry}  {result.message}",
                file=out,
                flush=True,
            )

    report = service.run_upload(settings, connector=args.connector, until_empty=args.until_empty, on_result=show)
    print(format_report(report), file=sys.stderr if args.json else out)
    return 0


def format_report(report: WorkerReport) -> str:
    return "upload: " + ", ".join(f"{label} {report.count(key)}" for key, label in REPORT_ORDER)


# --- queue ------------------------------------------------------------------


def job_json(job: JobView) -> dict:
    return {
        "id": job.id,
        "order": job.order_tid,
        "waybill": job.waybill,
        "carrier": job.carrier,
        "status": job.status,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "next_attempt_at": job.next_attempt_at.isoformat() if job.status == JobStatus.PENDING.value else None,
        "last_error": job.last_error,
        "claimed_by": job.claimed_by,
        "lease_until": job.lease_until.isoformat() if job.lease_until else None,
        "sent_at": job.sent_at.isoformat() if job.sent_at else None,
        "response_id": job.response_id,
        "exported_to": job.exported_to or None,
    }


def cmd_queue_list(args: argparse.Namespace, out: TextIO) -> int:
    entries = service.list_jobs(load_settings(args), tuple(args.status))
    if args.json:
        for job in entries:
            print(json.dumps(job_json(job), ensure_ascii=False), file=out)
        return 0
    print(
        f"{'id':>5}  {'order':<20} {'waybill':<18} {'carrier':<8} {'status':<10} {'queued at (UTC)':<19} "
        f"{'tries':>5}  {'next attempt (UTC)':<19}  last error",
        file=out,
    )
    for e in entries:
        next_attempt = _when(e.next_attempt_at) if e.status == JobStatus.PENDING.value else "-"
        error = (
            e.last_error if len(e.last_error) <= ERROR_COLUMN_CHARS else e.last_error[: ERROR_COLUMN_CHARS - 1] + "…"
        )
        print(
            f"{e.id:>5}  {e.order_tid:<20} {e.waybill:<18} {e.carrier:<8} {e.status:<10} {_when(e.created_at):<19} "
            f"{e.attempts:>5}  {next_attempt:<19}  {error}",
            file=out,
        )
    print(f"{len(entries)} in queue", file=out)
    return 0


def _print_change(change: QueueChange, verb: str, out: TextIO) -> int:
    print(
        f"{verb} {len(change.changed)} job(s){': ' + ', '.join(map(str, change.changed)) if change.changed else ''}",
        file=out,
    )
    for job_id, status in sorted(change.refused.items()):
        print(f"  job {job_id} not {verb}: it is {status}", file=out)
    for job_id in change.unknown:
        print(f"  job {job_id} not {verb}: no such job", file=out)
    return EXIT_NOT_ALL_CHANGED if change.refused or change.unknown else 0


def cmd_queue_retry(args: argparse.Namespace, out: TextIO) -> int:
    change = service.retry_jobs(load_settings(args), list(args.ids), tuple(args.status))
    return _print_change(change, "retried", out)


def cmd_queue_cancel(args: argparse.Namespace, out: TextIO) -> int:
    change = service.cancel_jobs(load_settings(args), list(args.ids))
    return _print_change(change, "cancelled", out)


def cmd_queue_export(args: argparse.Namespace, out: TextIO) -> int:
    report = service.export_csv(load_settings(args), args.file, args.encoding)
    if report.exported:
        print(
            f"exported {report.exported} job(s) to {report.path}; they are marked exported and will not be sent",
            file=out,
        )
    else:
        print("nothing pending to export; no file written", file=out)
    return 0


# --- orders -----------------------------------------------------------------


def cmd_orders_pull(args: argparse.Namespace, out: TextIO) -> int:
    report = service.pull_orders(load_settings(args))
    print(
        f"pulled {report.pages} page(s) from Taobao: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} not stored",
        file=out,
    )
    return 0
