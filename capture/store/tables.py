"""Database tables (SQLModel).  Reached only through capture.store.

Phone numbers are never stored whole: `receiver_phone_masked` keeps the
last four digits only (138****1234 -> *******1234), `phone_tail` those four
for lookups.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"  # seller shipped, buyer has not confirmed
    COMPLETED = "completed"  # trade finished
    CLOSED = "closed"  # cancelled, refunded in full, or closed by the platform
    UNKNOWN = "unknown"


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
    updated_at: datetime = Field(default_factory=utcnow)


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
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class UploadJob(SQLModel, table=True):
    """The outbox: one row per order to mark shipped, written with its scan."""

    __tablename__ = "upload_jobs"
    __table_args__ = (
        # One order is shipped with one number: a second, different number for
        # the same order must go through review, never a second send.
        UniqueConstraint("order_tid", name="uq_upload_jobs_order"),
        Index("ix_upload_jobs_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_tid: str = Field(max_length=32)
    waybill: str = Field(max_length=64)
    carrier: str = Field(max_length=16)
    scan_id: int | None = Field(default=None, foreign_key="scans.id")
    status: str = Field(default=JobStatus.PENDING.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
