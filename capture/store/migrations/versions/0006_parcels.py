"""Parcels: one order may leave in several parcels, each number its own upload job.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Until now one order held one number (uq_upload_jobs_order).  Now:

* `parcel` numbers an order's parcels: 1 ships the order, 2 and on are
  packages added to it.  Every existing job is its order's first parcel
  (the column default fills them in; no row moves);
* one first parcel per order still (uq_upload_jobs_order_first), and one
  number once per order (uq_upload_jobs_order_waybill), both outside
  cancelled jobs as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_CANCELLED = "status != 'cancelled'"
FIRST_NOT_CANCELLED = "status != 'cancelled' AND parcel = 1"


def upgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parcel", sa.Integer(), nullable=False, server_default="1"))
        batch_op.drop_index(
            "uq_upload_jobs_order", sqlite_where=sa.text(NOT_CANCELLED), postgresql_where=sa.text(NOT_CANCELLED)
        )
        batch_op.create_index(
            "uq_upload_jobs_order_first",
            ["order_tid"],
            unique=True,
            sqlite_where=sa.text(FIRST_NOT_CANCELLED),
            postgresql_where=sa.text(FIRST_NOT_CANCELLED),
        )
        batch_op.create_index(
            "uq_upload_jobs_order_waybill",
            ["order_tid", "waybill"],
            unique=True,
            sqlite_where=sa.text(NOT_CANCELLED),
            postgresql_where=sa.text(NOT_CANCELLED),
        )


def downgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_upload_jobs_order_waybill", sqlite_where=sa.text(NOT_CANCELLED), postgresql_where=sa.text(NOT_CANCELLED)
        )
        batch_op.drop_index(
            "uq_upload_jobs_order_first",
            sqlite_where=sa.text(FIRST_NOT_CANCELLED),
            postgresql_where=sa.text(FIRST_NOT_CANCELLED),
        )
        batch_op.create_index(
            "uq_upload_jobs_order",
            ["order_tid"],
            unique=True,
            sqlite_where=sa.text(NOT_CANCELLED),
            postgresql_where=sa.text(NOT_CANCELLED),
        )
        batch_op.drop_column("parcel")
