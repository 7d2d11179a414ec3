"""Queries: the order lookup matching uses, scan records and the outbox."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import Executable, bindparam, func, or_, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from capture.shops import DEFAULT_SHOP
from capture.store.tables import JobStatus, Order, OrderItem, Scan, UploadJob
from capture.types import OrderRef, OrderStatus, ScanSummary

# Jobs in these states hold their order and their number: a second number for
# the order, or the number for another order, is not queued.  Everything but
# `cancelled`: a job being sent, sent, exported to the back office, or waiting
# for a person (review, dead) still stands for that parcel.
ACTIVE_JOB_STATES = (
    JobStatus.PENDING.value,
    JobStatus.SENDING.value,
    JobStatus.SENT.value,
    JobStatus.REVIEW.value,
    JobStatus.DEAD.value,
    JobStatus.EXPORTED.value,
    JobStatus.FAILED.value,
)


def _ref(order: Order) -> OrderRef:
    return OrderRef(
        tid=order.tid,
        status=order.status,
        receiver_name=order.receiver_name,
        phone_tail=order.phone_tail,
        address=order.receiver_address,
        waybill=order.waybill,
        refund=order.refund_status,
        shop=order.shop,
    )


# The columns matching reads, selected as plain rows: building ORM objects
# costs more than the indexed query itself (bench/match.py, 50,000 orders).
ORDER_REF_COLUMNS = (
    col(Order.tid),
    col(Order.status),
    col(Order.receiver_name),
    col(Order.phone_tail),
    col(Order.receiver_address),
    col(Order.waybill),
    col(Order.refund_status),
    col(Order.shop),
)
_ACTIVE_JOB = col(UploadJob.status).in_(ACTIVE_JOB_STATES)

# Matching runs these for every photo.  Built once with bound parameters, so a
# call only binds values: building and hashing a statement per call cost as
# much as running it.  Each is an indexed lookup (see tables.py).  SQLAlchemy's
# own select for the six columns: sqlmodel's is typed for at most four.
_BY_TAIL = sa_select(*ORDER_REF_COLUMNS).where(col(Order.phone_tail) == bindparam("tail"))
_BY_NAME = sa_select(*ORDER_REF_COLUMNS).where(col(Order.receiver_name) == bindparam("name"))
_BY_TAILS = sa_select(*ORDER_REF_COLUMNS).where(col(Order.phone_tail).in_(bindparam("tails", expanding=True)))
_BY_TAILS_NAMED = _BY_TAILS.where(
    or_(
        col(Order.receiver_name).like(bindparam("first"), escape="\\"),
        col(Order.receiver_name).like(bindparam("last"), escape="\\"),
    )
)
_OPEN_AT_ADDRESS = sa_select(*ORDER_REF_COLUMNS).where(
    col(Order.status) == OrderStatus.AWAITING_SHIPMENT.value,
    col(Order.receiver_address).like(bindparam("fragment"), escape="\\"),
)
_WITH_WAYBILL = union(
    select(Order.tid).where(Order.waybill == bindparam("waybill")),
    select(UploadJob.order_tid).where(UploadJob.waybill == bindparam("waybill"), _ACTIVE_JOB),
)
_QUEUED_WAYBILL = (
    select(UploadJob.waybill)
    .where(UploadJob.order_tid == bindparam("tid"), _ACTIVE_JOB)
    .order_by(col(UploadJob.parcel), col(UploadJob.id))
)
_JOB_OF_ORDER = select(UploadJob.scan_id, UploadJob.waybill).where(UploadJob.order_tid == bindparam("tid"), _ACTIVE_JOB)
_SAME_SHIPMENT = select(UploadJob.order_tid).where(
    UploadJob.waybill == bindparam("waybill"),
    UploadJob.scan_id == bindparam("scan_id"),
    UploadJob.order_tid != bindparam("tid"),
    _ACTIVE_JOB,
)
_LIKE_SPECIAL = re.compile(r"([\\%_])")


def _like_literal(text: str) -> str:
    return _LIKE_SPECIAL.sub(r"\\\1", text)


class SqlOrderLookup:
    """store-backed implementation of pipeline.match.OrderLookup (indexed queries only)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_tid(self, tid: str) -> OrderRef | None:
        order = self._session.get(Order, tid)
        return _ref(order) if order else None

    def by_phone_tail(self, tail: str) -> list[OrderRef]:
        if not tail:
            return []
        return self._refs(_BY_TAIL, tail=tail)

    def orders_with_waybill(self, waybill: str) -> list[str]:
        # One round trip for both (indexed: ix_orders_waybill, ix_upload_jobs_waybill).
        return sorted(self._session.execute(_WITH_WAYBILL, {"waybill": waybill}).scalars())

    def queued_waybill(self, tid: str) -> str | None:
        """The number that ships the order (its first parcel), if one is queued or sent."""
        return self._session.execute(_QUEUED_WAYBILL, {"tid": tid}).scalars().first()

    def queued_waybills(self, tid: str) -> list[str]:
        """Every number queued or sent for the order, first parcel first."""
        return list(self._session.execute(_QUEUED_WAYBILL, {"tid": tid}).scalars())

    def item_quantity(self, tid: str) -> int | None:
        """How many pieces the order holds, by its item lines; None when an export did not say."""
        return order_quantity(self._session, tid)

    def by_name(self, name: str, limit: int) -> list[OrderRef]:
        """Orders whose receiver name is exactly `name` (indexed: ix_orders_receiver_name)."""
        if not name:
            return []
        return self._refs(_BY_NAME, limit, name=name)

    def by_phone_tails(self, tails: list[str], limit: int, name_like: str = "") -> list[OrderRef]:
        """Orders with any of these phone tails (indexed: ix_orders_phone_tail), at most `limit`.

        `name_like`: keep only receivers whose name shares its first or last
        character with this one, so a near miss brings a handful of rows, not
        every order with a tail one digit away.
        """
        if not tails:
            return []
        if name_like:
            first, last = _like_literal(name_like[0]) + "%", "%" + _like_literal(name_like[-1])
            return self._refs(_BY_TAILS_NAMED, limit, tails=tails, first=first, last=last)
        return self._refs(_BY_TAILS, limit, tails=tails)

    def open_at_address(self, fragment: str, limit: int) -> list[OrderRef]:
        """Open orders whose address contains `fragment` (a road and house number), at most `limit`.

        A scan of the open orders, not an index: it runs only for a label
        whose name and phone tail both failed to find its order.
        """
        if not fragment:
            return []
        return self._refs(_OPEN_AT_ADDRESS, limit, fragment=f"%{_like_literal(fragment)}%")

    def shipment_siblings(self, waybill: str, tid: str) -> list[str]:
        """Orders queued with `waybill` by the same scan as `tid`: one parcel for several orders.

        Such orders are the same shipment (merge_shipments, or a person's
        accept with several orders), not "the number on another order".
        """
        job = self._session.execute(_JOB_OF_ORDER, {"tid": tid}).first()
        if job is None or job[0] is None or job[1] != waybill:
            return []
        return sorted(
            self._session.execute(_SAME_SHIPMENT, {"waybill": waybill, "scan_id": job[0], "tid": tid}).scalars()
        )

    def _refs(self, query: Executable, max_rows: int | None = None, **params: object) -> list[OrderRef]:
        """Rows as OrderRefs, at most `max_rows` (the bound a lookup promises), ordered by tid."""
        rows = self._session.execute(query, params)
        refs = [OrderRef(*row) for row in (rows.fetchmany(max_rows) if max_rows else rows)]
        rows.close()
        return sorted(refs, key=lambda r: r.tid)


@dataclass(frozen=True)
class ScanRecord:
    path: str
    sha256: str
    status: str
    waybill: str | None
    carrier: str | None
    via: str | None
    confidence: float
    order_tid: str | None
    reasons: list[str]
    evidence: dict
    engines: str
    ms: float


def insert_scan(session: Session, record: ScanRecord) -> int:
    """Write the scan row in the caller's transaction (capture.decisions adds the rest of its decision)."""
    scan = Scan(
        path=record.path,
        sha256=record.sha256,
        status=record.status,
        waybill=record.waybill,
        carrier=record.carrier,
        via=record.via,
        confidence=record.confidence,
        order_tid=record.order_tid,
        reasons=json.dumps(record.reasons, ensure_ascii=False),
        evidence=json.dumps(record.evidence, ensure_ascii=False),
        engines=record.engines,
        ms=record.ms,
    )
    session.add(scan)
    session.flush()
    assert scan.id is not None
    return scan.id


def scan_by_sha256(session: Session, sha256: str) -> ScanSummary | None:
    """The first scan of a photo with these bytes (indexed on scans.sha256), if any."""
    scan = session.exec(select(Scan).where(Scan.sha256 == sha256).order_by(col(Scan.id))).first()
    if scan is None or scan.id is None:
        return None
    return ScanSummary(
        id=scan.id,
        path=scan.path,
        status=scan.status,
        waybill=scan.waybill,
        carrier=scan.carrier,
        via=scan.via,
        confidence=scan.confidence,
        order_tid=scan.order_tid,
        reasons=json.loads(scan.reasons),
        created_at=scan.created_at,
    )


def queue_jobs(session: Session, scan_id: int, waybill: str, carrier: str, tids: tuple[str, ...]) -> None:
    """Upload jobs for one decision (capture.decisions), in the caller's transaction.

    Jobs of one scan with one number are one parcel (see SqlOrderLookup.shipment_siblings).
    """
    shops = dict(session.exec(select(Order.tid, Order.shop).where(col(Order.tid).in_(tids))).all())
    for tid in tids:
        # An order not (or no longer) in the table goes out with the default shop's credentials.
        shop = shops.get(tid, DEFAULT_SHOP)
        parcel = next_parcel(session, tid)
        session.add(
            UploadJob(order_tid=tid, waybill=waybill, carrier=carrier, scan_id=scan_id, shop=shop, parcel=parcel)
        )
    session.flush()


def next_parcel(session: Session, tid: str) -> int:
    """The parcel number a new number for `tid` gets: 1 ships the order, 2 and on add a package.

    An order already shipped with a number we did not queue (the back office,
    an import that says so) counts that number as its first parcel.
    """
    held = set(session.execute(_QUEUED_WAYBILL, {"tid": tid}).scalars())
    order = session.get(Order, tid)
    if order is not None and order.waybill:
        held.add(order.waybill)
    return len(held) + 1


def order_quantity(session: Session, tid: str) -> int | None:
    quantities = session.exec(select(OrderItem.quantity).where(OrderItem.order_tid == tid)).all()
    if not quantities or any(q is None for q in quantities):
        return None
    return sum(q for q in quantities if q is not None)


def order_count(session: Session) -> int:
    """How many orders are loaded, open or not (a scan against none can only send everything to review)."""
    return session.exec(select(func.count()).select_from(Order)).one()
