"""Database tables (SQLModel).  Reached only through capture.store.

Phone numbers are never stored whole: `receiver_phone_masked` keeps the
last four digits only (138****1234 -> *******1234), `phone_tail` those four
for lookups.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from capture.shops import DEFAULT_SHOP
from capture.types import OrderStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_phone_tail", "phone_tail"),
        Index("ix_orders_waybill", "waybill"),
        Index("ix_orders_receiver_name", "receiver_name"),
    )

    tid: str = Field(primary_key=True, max_length=32)  # marketplace order number
    status: str = Field(default=OrderStatus.UNKNOWN.value, max_length=32)
    status_raw: str = Field(default="", max_length=64)  # as the export wrote it
    buyer: str = Field(default="", max_length=128)
    receiver_name: str = Field(default="", max_length=128)
    receiver_phone_masked: str = Field(default="", max_length=32)
    phone_tail: str = Field(default="", max_length=4)
    receiver_address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    waybill: str | None = Field(default=None, max_length=64)  # already shipped with this number
    carrier_name: str = Field(default="", max_length=64)
    source: str = Field(default="", max_length=256)  # file or connector it came from
    # The seller's shop it belongs to (capture/shops.py); an order number is
    # unique across all shops, so a label's printed number names one order.
    shop: str = Field(default=DEFAULT_SHOP, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
    # What the packer must know before sealing the box (issue 14), phones masked.
    buyer_message: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    seller_note: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    refund_status: str = Field(  # capture.types.RefundState
        default="", sa_column=Column(String(16), nullable=False, default="", server_default="")
    )


class OrderPull(SQLModel, table=True):
    """How far `waybill orders pull` has read a marketplace's changes: the next pull asks from there."""

    __tablename__ = "order_pulls"

    source: str = Field(primary_key=True, max_length=64)  # the pull's source name (taobao:trades.sold.get)
    pulled_until: datetime  # every change up to this moment was read and stored
    updated_at: datetime = Field(default_factory=utcnow)


class OrderItem(SQLModel, table=True):
    """One item line of an order: what goes in the box, as the export said it.

    Keyed by the order number without a foreign key: the item report (宝贝报表)
    may be imported before the order report.  `itemised` rows come from the
    item report and replace the one summary row the order report gives
    (宝贝标题 x 宝贝总数量).
    """

    __tablename__ = "order_items"
    __table_args__ = (Index("ix_order_items_order_tid", "order_tid"),)

    id: int | None = Field(default=None, primary_key=True)
    order_tid: str = Field(max_length=32)
    position: int = 0  # its place in the report, first line 0
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    properties: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # colour, size (SKU)
    outer_id: str = Field(default="", max_length=128)  # the seller's own code (商家编码)
    quantity: int | None = None  # None: the report did not say
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    itemised: bool = False
    source: str = Field(default="", max_length=256)


class Scan(SQLModel, table=True):
    """One photo's decision and the evidence behind it (the audit record)."""

    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_sha256", "sha256"), Index("ix_scans_waybill", "waybill"))

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(default="", max_length=64)
    status: str = Field(max_length=16)
    waybill: str | None = Field(default=None, max_length=64)
    carrier: str | None = Field(default=None, max_length=16)
    via: str | None = Field(default=None, max_length=16)
    confidence: float = 0.0
    order_tid: str | None = Field(default=None, max_length=32)
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON list
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON
    engines: str = Field(default="", max_length=64)  # "zxing+rapidocr"
    ms: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class JobStatus(StrEnum):
    """Where an upload job is; the state machine is in capture/upload/queue.py.

    pending -> sending -> sent            the platform took it (or already had our number)
                       -> pending         transient error, retried at next_attempt_at
                       -> review          refused for good, with the platform's message
                       -> dead            transient errors for upload_max_attempts tries
    pending -> exported                   written to a CSV for the back office instead
    pending | review | dead | exported -> cancelled   by a person
    review | dead | exported -> pending               `waybill queue retry`
    A `sending` job whose lease ran out (its worker died) is claimed again.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    REVIEW = "review"
    DEAD = "dead"
    EXPORTED = "exported"
    CANCELLED = "cancelled"
    # Written by earlier versions only; read as "needs a person", like review.
    FAILED = "failed"


class UploadJob(SQLModel, table=True):
    """The outbox: one row per order and parcel to tell the marketplace of, written with its scan."""

    __tablename__ = "upload_jobs"
    __table_args__ = (
        # An order may leave in several parcels (parcel 1 ships it, 2 and on
        # are packages added to it), but one number goes once per order and
        # one parcel is the first.  A cancelled job gives its order and its
        # number back (a wrong number taken off the queue).
        Index(
            "uq_upload_jobs_order_first",
            "order_tid",
            unique=True,
            sqlite_where=text("status != 'cancelled' AND parcel = 1"),
            postgresql_where=text("status != 'cancelled' AND parcel = 1"),
        ),
        Index(
            "uq_upload_jobs_order_waybill",
            "order_tid",
            "waybill",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_upload_jobs_status_next", "status", "next_attempt_at"),
        Index("ix_upload_jobs_status_lease", "status", "lease_until"),
        Index("ix_upload_jobs_shop_status", "shop", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_tid: str = Field(max_length=32)
    waybill: str = Field(max_length=64)
    carrier: str = Field(max_length=16)
    # 1: the number that ships the order; 2 and on: a further parcel, added as a package.
    parcel: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    scan_id: int | None = Field(default=None, foreign_key="scans.id")
    status: str = Field(default=JobStatus.PENDING.value, max_length=16)
    attempts: int = 0  # claims so far, counted when claimed (a crash still counts)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The lease: the worker sending it, and until when no other worker may.
    claimed_by: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = None
    connector: str = Field(default="", max_length=16)  # what sent it: taobao, pdd, douyin, webhook, csv
    shop: str = Field(default=DEFAULT_SHOP, max_length=64)  # the order's shop: whose credentials send it
    response_id: str = Field(default="", max_length=128)  # the platform's request id for the send
    sent_at: datetime | None = None
    exported_to: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # CSV file
    exported_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# --- matching: the audit trail, review and desk pairing (issue 4) -------------


class AuditEntry(SQLModel, table=True):
    """One decision about a parcel, automatic or by a person: who, when, on what evidence.

    Written in the transaction that carries the decision out and never
    changed.  A decision for several orders (a merged shipment) writes one row
    per order, so `waybill history ORDER` finds it by index.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_waybill", "waybill"),
        Index("ix_audit_log_order_tid", "order_tid"),
        Index("ix_audit_log_scan_id", "scan_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=128)  # "auto:pipeline", "auto:desk:<station>", "person:<name>"
    action: str = Field(max_length=32)  # store.audit.Action
    scan_id: int | None = Field(default=None, foreign_key="scans.id")
    review_id: int | None = Field(default=None)  # the review item a person's decision settles
    status: str = Field(max_length=16)  # what it came to: queued, review, rejected, no_waybill, error
    waybill: str | None = Field(default=None, max_length=64)
    carrier: str | None = Field(default=None, max_length=16)
    order_tid: str | None = Field(default=None, max_length=32)
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON list
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON


class ReviewState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # a person took a candidate (order and/or number) as read
    CORRECTED = "corrected"  # a person typed the right number
    REJECTED = "rejected"  # a person said: do not send
    PAIRED = "paired"  # desk pairing named the order and the checks passed
    REMATCHED = "rematched"  # new orders (an import or a pull) made it match, through the same checks


class ReviewItem(SQLModel, table=True):
    """A scan that waits for a person; its evidence is the scan's."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("scan_id", name="uq_review_items_scan"),
        Index("ix_review_items_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scans.id")
    state: str = Field(default=ReviewState.OPEN.value, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by: str = Field(default="", max_length=128)
    order_tid: str | None = Field(default=None, max_length=32)  # what it was settled with
    waybill: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class DeskPair(SQLModel, table=True):
    """What a packing desk has scanned and waits to pair: a pick list or a label, until `expires_at`."""

    __tablename__ = "desk_pairs"

    station: str = Field(primary_key=True, max_length=64)
    order_tid: str | None = Field(default=None, max_length=32)  # a pick list waiting for its label
    label_scan_id: int | None = Field(default=None, foreign_key="scans.id")  # a label waiting for its pick list
    expires_at: datetime
    updated_at: datetime = Field(default_factory=utcnow)


# "Is this number on another order?" runs for every photo; upload_jobs has no
# index on the number of its own.  Declared here, beside the table rather than
# in it, so the outbox's definition stays the upload code's.
Index("ix_upload_jobs_waybill", UploadJob.__table__.c.waybill)  # type: ignore[attr-defined]


# --- the desk's people: `waybill users` and `waybill serve` (issue 13) --------


class User(SQLModel, table=True):
    """A person who signs in to the pages, or a script with a token.

    Only hashes are kept: an argon2 hash of the password, a SHA-256 of the API
    token (a token is random and long, so a fast hash is safe for it).
    """

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_token_hash", "token_hash"),)

    name: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)  # capture.accounts.UserRole
    password_hash: str = Field(default="", max_length=256)
    token_hash: str | None = Field(default=None, max_length=64)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its cookie, whose user, until when.

    In the database rather than process memory, so every `waybill serve`
    process sharing the database knows the login and a restart keeps it.
    """

    __tablename__ = "web_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_name: str = Field(foreign_key="users.name", max_length=64)
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


class Clip(SQLModel, table=True):
    """A packing video (打包视频) of one parcel: the file under the evidence folder, and what it shows."""

    __tablename__ = "clips"
    __table_args__ = (
        Index("ix_clips_waybill", "waybill"),
        Index("ix_clips_order_tid", "order_tid"),
        Index("ix_clips_started_at", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(default="", max_length=64)  # of the file as written, for a dispute's export
    waybill: str = Field(max_length=64)
    order_tid: str | None = Field(default=None, max_length=32)
    station: str = Field(default="", max_length=64)
    scan_id: int | None = Field(default=None, foreign_key="scans.id")
    started_at: datetime
    ended_at: datetime
    frames: int = 0
    bytes: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None  # retention deleted the file; the row stays for the history
    removed_reason: str = Field(default="", max_length=16)  # "age" or "quota"


class Dispute(SQLModel, table=True):
    """A buyer's complaint about an order (empty or short parcel): its packing videos are kept while open."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_order_tid", "order_tid"),)

    id: int | None = Field(default=None, primary_key=True)
    order_tid: str = Field(max_length=32)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    opened_by: str = Field(max_length=128)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: str = Field(default="", max_length=128)
