"""The one way orders get into the database, whatever they come from.

Every order source (the CSV export, the Taobao API pull) turns what it read
into `OrderRow` values and hands them to `upsert_orders`.  The
rules that must hold for every source live here, once:

* a full phone number never reaches the database (`mask_phone`);
* a marketplace status, Chinese or API code, means one `OrderStatus`
  (`parse_order_status`);
* importing the same orders again updates them, never duplicates them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from types import SimpleNamespace
from typing import Any, TypedDict

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from capture.evidence import mask_phones
from capture.shops import DEFAULT_SHOP
from capture.store.bulk_insert import insert_rows
from capture.store.tables import Order, OrderStatus, utcnow
from capture.types import RefundState

# --- phones -----------------------------------------------------------------

PHONE_TAIL_DIGITS = 4
# Every masked phone gets the same prefix whatever its real length: the tail
# is all we keep, and a varying length would tell mobiles from landlines.
PHONE_MASK_PREFIX = "*" * 7
# Shorter than this is not a phone number (a landline without area code has 7-8).
MIN_PHONE_LENGTH = 7
# Punctuation people and exports put inside a number: +86 138-1234 5678, (0571)...
PHONE_PUNCTUATION = re.compile(r"[\s\-().+]")
# Several numbers in one cell: keep the first.
PHONE_LIST_SEPARATOR = re.compile(r"[,;/、]")
# Digits and mask characters only, ending in the digits we keep.  The tail
# must be visible digits: "1381234****" hides exactly what we would keep.
PHONE_SHAPE = re.compile(rf"[0-9*xX]*[0-9]{{{PHONE_TAIL_DIGITS}}}")


def mask_phone(raw: str) -> tuple[str, str]:
    """(masked, tail) of a phone number, keeping only its last four digits.

    Already-masked numbers (138****5678) are fine; masking is idempotent, so
    a masked value may be passed through again.  Anything that does not look
    like a phone number gives ("", "") rather than a wrong tail.
    """
    text = unicodedata.normalize("NFKC", raw)  # full-width digits -> ASCII
    first = PHONE_LIST_SEPARATOR.split(text, maxsplit=1)[0]
    compact = PHONE_PUNCTUATION.sub("", first)
    if len(compact) < MIN_PHONE_LENGTH or not PHONE_SHAPE.fullmatch(compact):
        return "", ""
    tail = compact[-PHONE_TAIL_DIGITS:]
    return PHONE_MASK_PREFIX + tail, tail


# --- statuses ---------------------------------------------------------------

# Keys are normalised by `_status_key` (NFKC: full-width ，（） become , ( );
# spaces removed; upper case), so each spelling is listed once.
STATUS_BY_TEXT: dict[str, OrderStatus] = {
    # Taobao API codes (taobao.trades.sold.get), used by the API pull.
    "WAIT_BUYER_PAY": OrderStatus.AWAITING_PAYMENT,
    "TRADE_NO_CREATE_PAY": OrderStatus.AWAITING_PAYMENT,  # no Alipay trade created yet
    "PAY_PENDING": OrderStatus.AWAITING_PAYMENT,  # payment being confirmed
    "WAIT_SELLER_SEND_GOODS": OrderStatus.AWAITING_SHIPMENT,
    # Partly shipped: some items still need a waybill, so a label scanned for
    # this order is still expected.  The export's 物流单号 is the first parcel's.
    "SELLER_CONSIGNED_PART": OrderStatus.AWAITING_SHIPMENT,
    "WAIT_BUYER_CONFIRM_GOODS": OrderStatus.SHIPPED,
    "TRADE_BUYER_SIGNED": OrderStatus.SHIPPED,  # cash on delivery, signed for
    "TRADE_FINISHED": OrderStatus.COMPLETED,
    "TRADE_CLOSED": OrderStatus.CLOSED,  # refunded in full after payment
    "TRADE_CLOSED_BY_TAOBAO": OrderStatus.CLOSED,  # closed before payment
    # PAID_FORBID_CONSIGN (paid, platform forbids shipping for now) is left
    # unknown on purpose: treating it as awaiting shipment would queue an
    # upload the platform refuses.
    # Seller back office (千牛 / 卖家中心) export wording.
    "等待买家付款": OrderStatus.AWAITING_PAYMENT,
    "买家已付款,等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
    "等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
    "买家已付款": OrderStatus.AWAITING_SHIPMENT,
    "卖家部分发货": OrderStatus.AWAITING_SHIPMENT,  # see SELLER_CONSIGNED_PART
    "卖家已发货,等待买家确认": OrderStatus.SHIPPED,
    "卖家已发货,等待买家确认收货": OrderStatus.SHIPPED,
    "卖家已发货": OrderStatus.SHIPPED,
    "已发货": OrderStatus.SHIPPED,
    "等待买家确认收货": OrderStatus.SHIPPED,
    "买家已签收": OrderStatus.SHIPPED,
    "交易成功": OrderStatus.COMPLETED,
    "交易完成": OrderStatus.COMPLETED,
}
# Closing comes in many wordings (交易关闭, 交易关闭(退款), 付款以前，卖家或买家
# 主动关闭交易, ...); all of them mean the order will not ship.
CLOSED_PREFIX = "交易关闭"
CLOSED_MARKER = "关闭交易"


def status_key(raw: str) -> str:
    """How a status is compared: NFKC, no spaces, upper case."""
    return _status_key(raw)


@lru_cache(maxsize=256)  # an export repeats a handful of status wordings on every line
def _status_key(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def parse_order_status(raw: str, extra: Mapping[str, OrderStatus] | None = None) -> OrderStatus:
    """The OrderStatus of a marketplace status, as an export or the API writes it.

    `extra` is a marketplace's own wording (its status map, keys spelled as
    `status_key` gives them); it is looked at first.
    """
    key = _status_key(raw)
    if extra and key in extra:
        return extra[key]
    if key in STATUS_BY_TEXT:
        return STATUS_BY_TEXT[key]
    if key.startswith(CLOSED_PREFIX) or CLOSED_MARKER in key:
        return OrderStatus.CLOSED
    return OrderStatus.UNKNOWN


# --- order numbers ------------------------------------------------------------


@dataclass(frozen=True)
class OrderNumberRule:
    """What a marketplace's order number looks like (each marketplace package has one)."""

    pattern: re.Pattern[str]
    description: str  # completes "order number X is not ...": "all digits"

    def accepts(self, tid: str) -> bool:
        return self.pattern.fullmatch(tid) is not None


# Taobao/Tmall tids: digits only, and what an import checked before shops.
ALL_DIGITS = OrderNumberRule(re.compile(r"[0-9]+"), "all digits")


@dataclass(frozen=True)
class Dialect:
    """What differs between marketplaces' orders: their order numbers and status wording."""

    order_number: OrderNumberRule = ALL_DIGITS
    statuses: Mapping[str, OrderStatus] = field(default_factory=dict)


TAOBAO_DIALECT = Dialect()


# --- rows -------------------------------------------------------------------


def _column_limits() -> dict[str, int]:
    """Longest text each `orders` column takes (PostgreSQL refuses more)."""
    return {c.name: length for c in inspect(Order).local_table.columns if (length := getattr(c.type, "length", None))}


COLUMN_LIMITS = _column_limits()


class InvalidOrderRow(ValueError):
    """A row that cannot be stored; `field` names the OrderRow field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)  # slots: an import holds one per line of the file
class OrderRow:
    """One order as a source read it, ready to store.

    Text fields left empty (and `waybill` None) mean "this source does not
    know", never "erase": see `upsert_orders`.  Building a row checks that it
    fits the table, so a source finds out per row (InvalidOrderRow) instead
    of the whole import failing at commit.
    """

    tid: str
    status: OrderStatus
    status_raw: str
    buyer: str
    receiver_name: str
    receiver_phone_masked: str
    phone_tail: str
    receiver_address: str
    waybill: str | None
    carrier_name: str
    line: int = 0  # where the source found it (1-based file line), 0 if not from a file
    buyer_message: str = ""  # 买家留言
    seller_note: str = ""  # 订单备注 / seller memo
    refund_status: RefundState = RefundState.UNKNOWN

    def __post_init__(self) -> None:
        if not self.tid:
            raise InvalidOrderRow("tid", "is empty")
        for name, limit in COLUMN_LIMITS.items():
            value = getattr(self, name, None)
            if isinstance(value, str) and len(value) > limit:
                raise InvalidOrderRow(name, f"is {len(value)} characters long, at most {limit} fit")


@dataclass(frozen=True)
class StatusKept:
    """A row whose status was behind what the database knew; the stored one was kept."""

    tid: str
    line: int
    stored: OrderStatus
    offered: OrderStatus
    offered_raw: str


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    status_kept: tuple[StatusKept, ...] = ()
    # (row, the shop that already has the order number): left as they were.
    elsewhere: tuple[tuple[OrderRow, str], ...] = ()


# Rows looked up per query: well under SQLite's bound-parameter limit.
UPSERT_BATCH_SIZE = 500

# Fields a blank value in a row does not overwrite.  An export template without
# the phone or waybill column, or a later export that hides the receiver, must
# not wipe what an earlier import learnt.  Status is the latest word unless it
# would go back (PROGRESS).
KEPT_WHEN_BLANK = (
    "buyer",
    "receiver_name",
    "receiver_address",
    "carrier_name",
    "waybill",
    "buyer_message",
    "seller_note",
    "refund_status",
)
PHONE_FIELDS = ("receiver_phone_masked", "phone_tail")  # kept or replaced together


class _StoredValues(TypedDict):
    """The Order fields a row sets."""

    status: str
    status_raw: str
    buyer: str
    receiver_name: str
    receiver_phone_masked: str
    phone_tail: str
    receiver_address: str
    waybill: str | None
    carrier_name: str
    buyer_message: str
    seller_note: str
    refund_status: str


# How far along an order is.  An order never goes back: an export made
# yesterday, imported after today's, must not reopen an order already
# shipped (its label would be queued again).  Closed and completed are
# ends; unknown is no word on progress and always taken (it stops queueing).
PROGRESS = {
    OrderStatus.AWAITING_PAYMENT: 0,
    OrderStatus.AWAITING_SHIPMENT: 1,
    OrderStatus.SHIPPED: 2,
    OrderStatus.COMPLETED: 3,
    OrderStatus.CLOSED: 3,
}


def goes_backwards(stored: OrderStatus, offered: OrderStatus) -> bool:
    """True when `offered` would put an order back to an earlier state (or from one end to another)."""
    if stored not in PROGRESS or offered not in PROGRESS or stored == offered:
        return False
    return PROGRESS[offered] <= PROGRESS[stored]


def _stored_values(row: OrderRow) -> _StoredValues:
    # Masked again here so no source can store a full number by mistake; the
    # tail is derived from the mask so the two never disagree.
    masked, tail = mask_phone(row.receiver_phone_masked)
    return {
        "status": OrderStatus(row.status).value,
        "status_raw": row.status_raw,
        "buyer": mask_phones(row.buyer),
        "receiver_name": mask_phones(row.receiver_name),
        "receiver_phone_masked": masked,
        "phone_tail": tail,
        "receiver_address": mask_phones(row.receiver_address),
        "waybill": row.waybill or None,
        "carrier_name": row.carrier_name,
        "buyer_message": mask_phones(row.buyer_message),
        "seller_note": mask_phones(row.seller_note),
        "refund_status": RefundState(row.refund_status).value,
    }


def _merged_values(order: Order, incoming: Mapping[str, object]) -> dict[str, object]:
    merged = dict(incoming)
    for name in KEPT_WHEN_BLANK:
        if not incoming[name]:
            merged[name] = getattr(order, name)
    if not incoming["receiver_phone_masked"]:
        for name in PHONE_FIELDS:
            merged[name] = getattr(order, name)
    return merged


def _trimmed_source(source: str) -> str:
    # The end of a long path (the file name) says more than its start.
    return source[-COLUMN_LIMITS["source"] :]


def _batches(rows: Iterable[OrderRow], size: int) -> Iterator[list[OrderRow]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _orders_by_tid(session: Session, tids: set[str]) -> dict[str, Order]:
    found = session.exec(select(Order).where(col(Order.tid).in_(tids)))
    return {order.tid: order for order in found}


def _update(order: Any, row: OrderRow, source: str, kept: list[StatusKept]) -> bool:
    """Bring `order` up to `row`; False when nothing would change.  A status behind the stored one is kept out."""
    values = _merged_values(order, _stored_values(row))
    stored = OrderStatus(order.status)
    if goes_backwards(stored, row.status):
        kept.append(StatusKept(row.tid, row.line, stored, row.status, row.status_raw))
        values["status"], values["status_raw"] = order.status, order.status_raw
    if all(getattr(order, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(order, name, value)
    order.source = source
    order.updated_at = utcnow()
    return True


def upsert_orders(session: Session, rows: Iterable[OrderRow], source: str, shop: str = DEFAULT_SHOP) -> UpsertCounts:
    """Insert new orders and update known ones of `shop`, by order number (tid).

    Idempotent: importing the same rows again changes nothing and counts them
    as unchanged.  When `rows` holds one tid twice, the later row wins.
    `source` (a file path or connector name) is recorded on rows it adds or
    changes.  An order number another shop already has is left alone and
    reported (`elsewhere`): a label's printed number must name one order
    across all shops, and an export loaded under the wrong --shop must not
    move orders.  Flushes but does not commit: the caller's session_scope does.
    """
    source = _trimmed_source(source)
    added = updated = unchanged = 0
    kept: list[StatusKept] = []
    elsewhere: list[tuple[OrderRow, str]] = []
    for batch in _batches(rows, UPSERT_BATCH_SIZE):
        known = _orders_by_tid(session, {row.tid for row in batch})
        # New orders go in as plain rows, one driver executemany per batch: an ORM
        # object per order cost 2 ms each, the ORM's bulk insert a third of the import.
        fresh: dict[str, SimpleNamespace] = {}
        for row in batch:
            order: Any = known.get(row.tid) or fresh.get(row.tid)
            if order is not None and order.shop != shop:
                elsewhere.append((row, order.shop))
                continue
            if order is None:
                now = utcnow()
                fresh[row.tid] = SimpleNamespace(
                    tid=row.tid, source=source, shop=shop, updated_at=now, **_stored_values(row)
                )
                added += 1
            elif _update(order, row, source, kept):
                updated += 1
            else:
                unchanged += 1
        if fresh:
            insert_rows(session.connection(), Order, [vars(order) for order in fresh.values()])
        session.flush()
    return UpsertCounts(
        added=added, updated=updated, unchanged=unchanged, status_kept=tuple(kept), elsewhere=tuple(elsewhere)
    )
