"""Uploading: the worker that sends queued jobs, the queue as people act on it, and order pulls.

The marketplaces' own parts (connectors, clients, carrier codes) live in
capture/upload/; this is the facade's side of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_cache_dir

from capture.api.runtime import database
from capture.errors import QueueActionError
from capture.pipeline.run import match_policy
from capture.rematch import RematchReport, rematch_waiting
from capture.settings import APP_NAME, Settings
from capture.store import job_views, jobs, pull_cursor
from capture.store.db import session_scope
from capture.store.order_source import upsert_orders
from capture.upload import credentials, queue
from capture.upload.connector import Connector
from capture.upload.csv_export import ENCODINGS, ExportReport, export_pending
from capture.upload.queue import Outbox, QueueChange
from capture.upload.single_worker import sqlite_single_worker
from capture.upload.taobao import TaobaoConnector
from capture.upload.taobao_carriers import CompanyDirectory, cache_path, parse_overrides
from capture.upload.taobao_increment import MAX_GAP, changed_pages
from capture.upload.taobao_orders import SOURCE as PULL_SOURCE
from capture.upload.taobao_orders import pull_pages
from capture.upload.top_client import TopClient
from capture.upload.webhook import WebhookConnector
from capture.upload.worker import (
    JobResult,
    Worker,
    WorkerReport,
    new_worker_id,
    stop_on_signals,
)


def taobao_client(settings: Settings, env: Mapping[str, str] | None = None) -> TopClient:
    return TopClient(credentials.load_taobao(settings, env), settings.upload_timeout_s)


def _cache_dir(settings: Settings) -> Path:
    return Path(settings.cache_dir).expanduser() if settings.cache_dir else Path(user_cache_dir(APP_NAME))


def make_connector(settings: Settings, name: str | None = None, env: Mapping[str, str] | None = None) -> Connector:
    name = name or settings.upload_connector
    if name == "webhook":
        return WebhookConnector(credentials.load_webhook(settings, env), settings.upload_timeout_s)
    creds = credentials.load_taobao(settings, env)
    client = TopClient(creds, settings.upload_timeout_s)
    directory = CompanyDirectory(
        client,
        cache_path(_cache_dir(settings), creds.endpoint),
        settings.taobao_companies_max_age_s,
        parse_overrides(settings.taobao_carrier_codes),
    )
    return TaobaoConnector(client, directory)


def run_upload(
    settings: Settings,
    connector: str | None = None,
    until_empty: bool = False,
    stop: threading.Event | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    env: Mapping[str, str] | None = None,
    handle_signals: bool = True,
) -> WorkerReport:
    """Run one worker until stopped (or, with `until_empty`, until nothing is left to send)."""
    chosen = make_connector(settings, connector, env)  # missing secrets fail before anything is locked
    engine = database(settings)
    stop = stop or threading.Event()
    with sqlite_single_worker(settings.db_url):
        outbox = Outbox(engine, settings, new_worker_id(), chosen.name)
        worker = Worker(outbox, chosen, settings, until_empty=until_empty, stop=stop, on_result=on_result)
        if not handle_signals:
            return worker.run()
        with stop_on_signals(stop):
            return worker.run()


def list_jobs(settings: Settings, statuses: tuple[str, ...] = ()) -> list[job_views.JobView]:
    return queue.list_jobs(database(settings), statuses)


def _check_statuses(statuses: tuple[str, ...], allowed: tuple[str, ...], action: str) -> None:
    wrong = [s for s in statuses if s not in allowed]
    if wrong:
        raise QueueActionError(
            f"cannot {action} jobs that are {', '.join(wrong)}", f"{action} works on: {', '.join(allowed)}"
        )


def retry_jobs(settings: Settings, ids: list[int], statuses: tuple[str, ...] = ()) -> QueueChange:
    """Send again now: the ids given, or every job in `statuses` (default review and dead)."""
    _check_statuses(statuses, jobs.RETRYABLE, "retry")
    return queue.retry(database(settings), ids, statuses)


def cancel_jobs(settings: Settings, ids: list[int]) -> QueueChange:
    if not ids:
        raise QueueActionError("no job ids given to cancel", "name them: waybill queue cancel 12 13")
    return queue.cancel(database(settings), ids)


def export_csv(settings: Settings, path: Path, encoding: str = ENCODINGS[0]) -> ExportReport:
    return export_pending(database(settings), path, encoding)


@dataclass(frozen=True)
class PullReport:
    pages: int
    added: int
    updated: int
    unchanged: int
    skipped: int
    status_kept: int = 0  # orders whose stored status was further along than the pulled one
    changes_since: datetime | None = None  # incremental: changes since this moment were asked for; None: a full pull
    rematch: RematchReport = field(default_factory=RematchReport)


def pull_orders(settings: Settings, env: Mapping[str, str] | None = None, full: bool = False) -> PullReport:
    """Fetch from Taobao what changed since the last pull, or (the first time, `full`, or after a long
    gap) every order awaiting shipment, into the orders table.

    All pages are fetched before anything is written: a pull that fails
    half-way changes nothing, and the next one asks from the same point.
    """
    client = taobao_client(settings, env)
    until = datetime.now(UTC)
    with session_scope(database(settings)) as session:
        since = None if full else pull_cursor.pulled_until(session, PULL_SOURCE)
    if since is not None and until - since > MAX_GAP:
        since = None
    if since is None:
        pages = list(pull_pages(client, settings.taobao_page_size))
    else:
        pages = list(changed_pages(client, settings.taobao_page_size, since, until))
    rows = [row for page in pages for row in page.rows]
    with session_scope(database(settings)) as session:
        counts = upsert_orders(session, rows, source=PULL_SOURCE)
        pull_cursor.advance(session, PULL_SOURCE, until)
        rematch = rematch_waiting(session, match_policy(settings), "pulling orders from Taobao")
    return PullReport(
        pages=len(pages),
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=sum(page.skipped for page in pages),
        status_kept=len(counts.status_kept),
        changes_since=since,
        rematch=rematch,
    )
