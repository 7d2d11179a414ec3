"""Baseline: the schema of release 166f131, the last one made by create_all.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01

Types are spelled in SQLAlchemy's own terms (String, DateTime with a time
zone) rather than SQLModel's wrappers, so this revision makes the same DDL
whatever SQLModel release is installed.  A database made by 166f131 holds
exactly these tables: an upgrade stamps it with this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_orders()
    _create_scans()
    _create_audit_log()
    _create_desk_pairs()
    _create_review_items()
    _create_upload_jobs()


def _create_orders() -> None:
    op.create_table(
        "orders",
        sa.Column("tid", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_raw", sa.String(length=64), nullable=False),
        sa.Column("buyer", sa.String(length=128), nullable=False),
        sa.Column("receiver_name", sa.String(length=128), nullable=False),
        sa.Column("receiver_phone_masked", sa.String(length=32), nullable=False),
        sa.Column("phone_tail", sa.String(length=4), nullable=False),
        sa.Column("receiver_address", sa.Text(), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=True),
        sa.Column("carrier_name", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tid"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_phone_tail", ["phone_tail"], unique=False)
        batch_op.create_index("ix_orders_receiver_name", ["receiver_name"], unique=False)
        batch_op.create_index("ix_orders_waybill", ["waybill"], unique=False)


def _create_scans() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=True),
        sa.Column("carrier", sa.String(length=16), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("order_tid", sa.String(length=32), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("engines", sa.String(length=64), nullable=False),
        sa.Column("ms", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.create_index("ix_scans_sha256", ["sha256"], unique=False)
        batch_op.create_index("ix_scans_waybill", ["waybill"], unique=False)


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=True),
        sa.Column("carrier", sa.String(length=16), nullable=True),
        sa.Column("order_tid", sa.String(length=32), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_order_tid", ["order_tid"], unique=False)
        batch_op.create_index("ix_audit_log_scan_id", ["scan_id"], unique=False)
        batch_op.create_index("ix_audit_log_waybill", ["waybill"], unique=False)


def _create_desk_pairs() -> None:
    op.create_table(
        "desk_pairs",
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("order_tid", sa.String(length=32), nullable=True),
        sa.Column("label_scan_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_scan_id"],
            ["scans.id"],
        ),
        sa.PrimaryKeyConstraint("station"),
    )


def _create_review_items() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=False),
        sa.Column("order_tid", sa.String(length=32), nullable=True),
        sa.Column("waybill", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scan_id", name="uq_review_items_scan"),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index("ix_review_items_state", ["state"], unique=False)


def _create_upload_jobs() -> None:
    op.create_table(
        "upload_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_tid", sa.String(length=32), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connector", sa.String(length=16), nullable=False),
        sa.Column("response_id", sa.String(length=128), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_to", sa.Text(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_upload_jobs_status_lease", ["status", "lease_until"], unique=False)
        batch_op.create_index("ix_upload_jobs_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_upload_jobs_waybill", ["waybill"], unique=False)
        batch_op.create_index(
            "uq_upload_jobs_order",
            ["order_tid"],
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_upload_jobs_order",
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )
        batch_op.drop_index("ix_upload_jobs_waybill")
        batch_op.drop_index("ix_upload_jobs_status_next")
        batch_op.drop_index("ix_upload_jobs_status_lease")

    op.drop_table("upload_jobs")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_state")

    op.drop_table("review_items")
    op.drop_table("desk_pairs")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_waybill")
        batch_op.drop_index("ix_audit_log_scan_id")
        batch_op.drop_index("ix_audit_log_order_tid")

    op.drop_table("audit_log")
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index("ix_scans_waybill")
        batch_op.drop_index("ix_scans_sha256")

    op.drop_table("scans")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_waybill")
        batch_op.drop_index("ix_orders_receiver_name")
        batch_op.drop_index("ix_orders_phone_tail")

    op.drop_table("orders")
