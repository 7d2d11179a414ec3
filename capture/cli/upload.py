"""`waybill upload` and `waybill queue list|retry|cancel|export`: the upload queue and its worker."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from capture import api, views
from capture.api.backups import backups_while_running
from capture.cli.common import Commands, Parents, load_settings, print_json
from capture.cli.metrics import METRICS_PORT_HELP, serving_metrics
from capture.errors import QueueActionError
from capture.settings import UPLOAD_CONNECTORS
from capture.store.job_views import JobView
from capture.store.tables import JobStatus
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
    (views.LEASE_LOST, "lease lost"),
)
STATUSES = tuple(s.value for s in JobStatus)
QUEUE_HEADER = (
    f"{'id':>5}  {'order':<23} {'waybill':<18} {'carrier':<8} {'status':<10} {'queued at (UTC)':<19} "
    f"{'shop':<12} {'tries':>5}  {'next attempt (UTC)':<19}  last error"
)


def register(commands: Commands, parents: Parents) -> None:
    """Add upload and the `queue` group to the `waybill` parser."""
    upload = commands.add_parser(
        "upload", parents=[parents.common], help="send queued waybills to the marketplace (runs a worker)"
    )
    upload.add_argument(
        "--until-empty", action="store_true", help="exit once nothing is pending, waiting to retry or being sent"
    )
    upload.add_argument("--connector", choices=UPLOAD_CONNECTORS, help="default taobao (env WAYBILL_UPLOAD_CONNECTOR)")
    upload.add_argument("--json", action="store_true", help="one JSON object per attempt on stdout")
    upload.add_argument("--metrics-port", type=int, metavar="PORT", help=METRICS_PORT_HELP)
    upload.add_argument(
        "--shop",
        action="append",
        default=[],
        metavar="NAME",
        help="send only this shop's jobs (repeatable; default all)",
    )
    upload.set_defaults(run=cmd_upload)
    _register_queue(commands, parents.common)


def _register_queue(commands: Commands, common: argparse.ArgumentParser) -> None:
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

    resend = queue.add_parser(
        "resend",
        parents=[common],
        help="change a sent job's number on the marketplace (a reprinted or wrong label); Taobao only",
    )
    resend.add_argument("id", type=int, metavar="JOB")
    resend.add_argument("--waybill", required=True, metavar="NUMBER", help="the right number, off the new label")
    resend.add_argument("--carrier", metavar="C", help="its carrier code (default: told by the number's format)")
    resend.add_argument("--reason", required=True, metavar="TEXT", help="why, for the audit trail")
    resend.add_argument(
        "--by", metavar="NAME", help="who changes it (default: the login name); recorded as person:NAME"
    )
    resend.set_defaults(run=cmd_queue_resend)

    export = queue.add_parser(
        "export",
        parents=[common],
        help="write pending jobs to a CSV (or, named .xlsx, a workbook of text cells) for bulk shipping in the back office",
    )
    export.add_argument("file", type=Path, help="a new file (never overwritten)")
    export.add_argument("--encoding", choices=ENCODINGS, default=ENCODINGS[0])
    export.add_argument(
        "--shop", default="default", metavar="NAME", help="the shop whose pending jobs to export (one file per shop)"
    )
    export.set_defaults(run=cmd_queue_export)


def _when(moment: datetime | None) -> str:
    return f"{moment:{TIME_FORMAT}}" if moment else "-"


# --- upload -----------------------------------------------------------------


def cmd_upload(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)

    def show(result: JobResult) -> None:
        if args.json:
            print_json(views.upload_result_json(result), out, flush=True)
        else:
            print(attempt_line(result), file=out, flush=True)

    with backups_while_running(settings), serving_metrics(settings):
        report = api.run_upload(
            settings, connector=args.connector, until_empty=args.until_empty, on_result=show, shops=tuple(args.shop)
        )
    print(format_report(report), file=sys.stderr if args.json else out)
    return 0


def attempt_line(result: JobResult) -> str:
    status = result.status or views.LEASE_LOST
    retry = f" (again in {result.retry_in_s:.0f}s)" if result.retry_in_s is not None else ""
    return (
        f"{status:<10} job {result.job_id:>6}  {result.order_tid:<20} {result.waybill:<18} "
        f"try {result.attempts}{retry}  {result.message}"
    )


def format_report(report: WorkerReport) -> str:
    return "upload: " + ", ".join(f"{label} {report.count(key)}" for key, label in REPORT_ORDER)


# --- queue ------------------------------------------------------------------


def cmd_queue_list(args: argparse.Namespace, out: TextIO) -> int:
    entries = api.list_jobs(load_settings(args), tuple(args.status))
    if args.json:
        for job in entries:
            print_json(views.queue_entry_json(job), out)
        return 0
    print(QUEUE_HEADER, file=out)
    for job in entries:
        print(queue_row(job), file=out)
    print(f"{len(entries)} in queue", file=out)
    return 0


def queue_row(job: JobView) -> str:
    next_attempt = _when(job.next_attempt_at) if job.status == JobStatus.PENDING.value else "-"
    error = (
        job.last_error if len(job.last_error) <= ERROR_COLUMN_CHARS else job.last_error[: ERROR_COLUMN_CHARS - 1] + "…"
    )
    return (
        f"{job.id:>5}  {job.order_tid:<23} {job.waybill:<18} {job.carrier:<8} {job.status:<10} "
        f"{_when(job.created_at):<19} {job.shop:<12} {job.attempts:>5}  {next_attempt:<19}  {error}"
    )


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
    change = api.retry_jobs(load_settings(args), list(args.ids), tuple(args.status))
    return _print_change(change, "retried", out)


def cmd_queue_cancel(args: argparse.Namespace, out: TextIO) -> int:
    change = api.cancel_jobs(load_settings(args), list(args.ids))
    return _print_change(change, "cancelled", out)


def cmd_queue_resend(args: argparse.Namespace, out: TextIO) -> int:
    by = args.by or getpass.getuser()
    done = api.resend_job(load_settings(args), args.id, args.waybill, args.reason, by, args.carrier)
    print(
        f"job {done.job_id}: order {done.order_tid} now ships with {done.waybill} ({done.carrier}), "
        f"was {done.old_waybill}{'; ' + done.note if done.note else ''}",
        file=out,
    )
    return 0


def cmd_queue_export(args: argparse.Namespace, out: TextIO) -> int:
    report = api.export_csv(load_settings(args), args.file, args.encoding, args.shop)
    if report.exported:
        print(
            f"exported {report.exported} job(s) to {report.path}; they are marked exported and will not be sent",
            file=out,
        )
    else:
        print("nothing pending to export; no file written", file=out)
    return 0
