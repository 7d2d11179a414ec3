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

from capture.api.runtime import database
from capture.errors import QueueActionError
from capture.marketplaces import registry
from capture.marketplaces import taobao as taobao_market
from capture.marketplaces.plugin import ShopContext
from capture.marketplaces.router import ShopRouter
from capture.pipeline.run import match_policy
from capture.rematch import RematchReport, rematch_waiting
from capture.settings import Settings
from capture.shops import DEFAULT_SHOP
from capture.store import job_views, jobs, pull_cursor
from capture.store.db import session_scope
from capture.store.order_source import upsert_orders
from capture.upload import credentials, queue
from capture.upload.connector import Connector
from capture.upload.csv_export import ENCODINGS, ExportReport, export_pending
from capture.upload.queue import Outbox, QueueChange
from capture.upload.single_worker import sqlite_single_worker
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
    """The default shop's Taobao client (today's WAYBILL_TAOBAO_* secrets)."""
    return TopClient(credentials.load_taobao(settings, env), settings.upload_timeout_s)


def _marketplace_of(settings: Settings) -> Callable[[str], str]:
    def of(shop: str) -> str:
        return settings.shop(shop).marketplace

    return of


def _router(settings: Settings, env: Mapping[str, str] | None, shops: tuple[str, ...]) -> ShopRouter:
    router = ShopRouter(registry.ShopConnectors(settings, env).builder(), _marketplace_of(settings))
    # Shops named (or, without names, the configured ones, else the default shop) are built
    # now: missing secrets fail before anything is locked.  Others are built when a job needs them.
    for shop in shops or tuple(s.name for s in settings.shops) or (DEFAULT_SHOP,):
        router.prepare(shop)
    return router


def make_connector(
    settings: Settings,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
    shops: tuple[str, ...] = (),
) -> Connector:
    """The webhook, or each job's own shop's marketplace connector (`taobao`, the old name, means the same)."""
    name = name or settings.upload_connector
    if name == "webhook":
        return WebhookConnector(credentials.load_webhook(settings, env), settings.upload_timeout_s)
    return _router(settings, env, shops)


def run_upload(
    settings: Settings,
    connector: str | None = None,
    until_empty: bool = False,
    stop: threading.Event | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    env: Mapping[str, str] | None = None,
    handle_signals: bool = True,
    shops: tuple[str, ...] = (),
) -> WorkerReport:
    """Run one worker until stopped (or, with `until_empty`, until nothing is left to send).

    `shops`: send only these shops' jobs (empty: every shop's).
    """
    for shop in shops:
        settings.shop(shop)  # an unknown name fails here, naming the known ones
    chosen = make_connector(settings, connector, env, shops)  # missing secrets fail before anything is locked
    engine = database(settings)
    stop = stop or threading.Event()
    recorded_as = chosen.connector_name if isinstance(chosen, ShopRouter) else chosen.name
    with sqlite_single_worker(settings.db_url):
        outbox = Outbox(engine, settings, new_worker_id(), recorded_as, shops=shops)
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


def export_csv(settings: Settings, path: Path, encoding: str = ENCODINGS[0], shop: str = DEFAULT_SHOP) -> ExportReport:
    """One shop's pending jobs as a CSV for its back office's bulk shipping."""
    settings.shop(shop)  # an unknown name fails here, naming the known ones
    return export_pending(database(settings), path, encoding, shop)


@dataclass(frozen=True)
class PullReport:
    shop: str
    marketplace: str  # its title: "Taobao/Tmall", "Pinduoduo"
    pages: int  # pages of order lists fetched
    added: int
    updated: int
    unchanged: int
    skipped: int
    elsewhere: int  # order numbers another shop already has: left alone
    status_kept: int = 0  # orders whose stored status was further along than the pulled one
    changes_since: datetime | None = None  # incremental: changes since this moment were asked for; None: a full pull
    rematch: RematchReport = field(default_factory=RematchReport)


def pull_orders(
    settings: Settings, env: Mapping[str, str] | None = None, shop: str = DEFAULT_SHOP, full: bool = False
) -> PullReport:
    """Fetch the shop's orders from its marketplace into the orders table; then match the labels waiting for them.

    Taobao: what changed since the last pull, or (the first time, `full`, or
    after a long gap) every order awaiting shipment.  Everything is fetched
    before anything is written: a pull that fails half-way changes nothing,
    and the next one asks from the same point.
    """
    ctx = registry.context(settings, shop, env)
    market = registry.of_shop(ctx.shop)
    if ctx.shop.marketplace == "taobao":
        return _pull_taobao(settings, ctx, market.title, full)
    pulled = market.pull(ctx)
    with session_scope(database(settings)) as session:
        counts = upsert_orders(session, pulled.rows, source=pulled.source, shop=shop)
        rematch = rematch_waiting(session, match_policy(settings), f"pulling orders from {market.title}")
    if pulled.after_commit:
        pulled.after_commit()
    return PullReport(
        shop=shop,
        marketplace=market.title,
        pages=pulled.pages,
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=pulled.skipped,
        elsewhere=len(counts.elsewhere),
        status_kept=len(counts.status_kept),
        rematch=rematch,
    )


def _pull_taobao(settings: Settings, ctx: ShopContext, title: str, full: bool) -> PullReport:
    """Taobao's pull, incremental by trades.sold.increment.get from where this shop's last pull got to."""
    shop = ctx.shop.name
    client = taobao_market.client(ctx)
    # The default shop keeps the cursor it had before there were shops.
    source = PULL_SOURCE if shop == DEFAULT_SHOP else f"{PULL_SOURCE}:{shop}"
    until = datetime.now(UTC)
    with session_scope(database(settings)) as session:
        since = None if full else pull_cursor.pulled_until(session, source)
    if since is not None and until - since > MAX_GAP:
        since = None
    if since is None:
        pages = list(pull_pages(client, settings.taobao_page_size))
    else:
        pages = list(changed_pages(client, settings.taobao_page_size, since, until))
    rows = [row for page in pages for row in page.rows]
    with session_scope(database(settings)) as session:
        counts = upsert_orders(session, rows, source=PULL_SOURCE, shop=shop)
        pull_cursor.advance(session, source, until)
        rematch = rematch_waiting(session, match_policy(settings), f"pulling orders from {title}")
    return PullReport(
        shop=shop,
        marketplace=title,
        pages=len(pages),
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=sum(page.skipped for page in pages),
        elsewhere=len(counts.elsewhere),
        status_kept=len(counts.status_kept),
        changes_since=since,
        rematch=rematch,
    )
