"""The application facade: every operation the CLI, the web page and the workers need.

They raise CaptureError, never exit, and return typed values; the CLI and
the pages only render them.  One set of engines and one database engine per
process (capture.api.runtime), the schema checked when it is first opened.
"""

from capture.api.database import (
    DatabaseBackup,
    DatabaseRestore,
    DatabaseStatus,
    DatabaseUpgrade,
    backup_database,
    database_status,
    refuse_missing_db_folder,
    restore_database,
    upgrade_database,
)
from capture.api.orders import import_orders, order_count
from capture.api.resending import ResendDone, resend_job
from capture.api.reviewing import History, history, pair_order, resolve_review, review_entries
from capture.api.runtime import close, database, engines
from capture.api.scanning import (
    decode_paths,
    files_not_photos,
    record_unreadable,
    scan_frame,
    scan_frame_if_queued,
    scan_one,
    scan_paths,
)
from capture.api.sources import run_camera, run_folder
from capture.api.uploading import (
    PullReport,
    cancel_jobs,
    export_csv,
    list_jobs,
    make_connector,
    pull_orders,
    retry_jobs,
    run_upload,
    taobao_client,
)

__all__ = [
    "DatabaseBackup",
    "DatabaseRestore",
    "DatabaseStatus",
    "DatabaseUpgrade",
    "History",
    "PullReport",
    "ResendDone",
    "backup_database",
    "cancel_jobs",
    "close",
    "database",
    "database_status",
    "decode_paths",
    "engines",
    "export_csv",
    "files_not_photos",
    "history",
    "import_orders",
    "list_jobs",
    "make_connector",
    "order_count",
    "pair_order",
    "pull_orders",
    "record_unreadable",
    "refuse_missing_db_folder",
    "resend_job",
    "resolve_review",
    "restore_database",
    "retry_jobs",
    "review_entries",
    "run_camera",
    "run_folder",
    "run_upload",
    "scan_frame",
    "scan_frame_if_queued",
    "scan_one",
    "scan_paths",
    "taobao_client",
    "upgrade_database",
]
