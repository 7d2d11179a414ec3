"""Orders as sellers have them: buyer message, seller note and refund state on the order, its item lines;
where the incremental orders pull has read up to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

The two text columns come with an empty server default so orders already
stored get "" (NOT NULL).  order_items has no foreign key to orders: the
item report may be imported before the order report.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buyer_message", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("seller_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("refund_status", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "order_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_tid", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("outer_id", sa.String(length=128), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("itemised", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index("ix_order_items_order_tid", ["order_tid"], unique=False)
    op.create_table(
        "order_pulls",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("pulled_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("order_pulls")
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_order_tid")
    op.drop_table("order_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("refund_status")
        batch_op.drop_column("seller_note")
        batch_op.drop_column("buyer_message")
