"""Shops: every order and upload job belongs to one of the seller's shops.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Rows from before shops belong to the shop "default": the single Taobao shop
whose secrets are the WAYBILL_TAOBAO_* ones (capture/shops.py).  The column
default fills them in; nothing else moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SHOP = "default"  # capture.shops.DEFAULT_SHOP, spelled here so the revision never changes with the code


def upgrade() -> None:
    for table in ("orders", "upload_jobs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("shop", sa.String(length=64), nullable=False, server_default=DEFAULT_SHOP))
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_upload_jobs_shop_status", ["shop", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_jobs_shop_status")
    for table in ("upload_jobs", "orders"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("shop")
