"""Alembic environment: runs on the connection capture.store.schema hands over.

There is no alembic.ini and no URL here: the product opens the database
itself (capture.store.db) and passes the connection in `config.attributes`.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from capture.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
