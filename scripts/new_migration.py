"""Write a new Alembic revision for what changed in capture/store/tables.py.

usage: .venv/bin/python scripts/new_migration.py "orders: add shop"     (or: make migration MESSAGE="...")

It builds a throwaway SQLite database at the current head, compares it with
the tables the code declares, and writes the difference as the next numbered
revision under capture/store/migrations/versions/.  Read it before committing:
spell types in SQLAlchemy's terms (sa.String, sa.DateTime(timezone=True)) as
0001_baseline.py does, and check what autogenerate cannot see (renames,
data to move, server defaults).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from capture.store import schema
from capture.store.db import open_engine


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].strip():
        raise SystemExit(__doc__)
    next_id = f"{int(schema.head_revision()) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        with engine.begin() as conn:
            command.revision(schema._alembic_config(conn), message=sys.argv[1], autogenerate=True, rev_id=next_id)
        engine.dispose()


if __name__ == "__main__":
    main()
