"""Many new rows into one table in one executemany, without per-row SQLAlchemy work.

An order import inserts hundreds of thousands of rows.  Through
`connection.execute(insert(table), dicts)` SQLAlchemy builds the bound
parameters of every row itself, which was a fifth of a 200,000-row import
(bench/orders_import.py).  Here the statement is compiled once, each
column's bind processor (SQLite's datetime-to-text, for one) is applied to
its values, and the driver gets plain tuples.  Databases whose driver takes
named parameters (PostgreSQL) keep the Core path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (all with the same keys, column names of `table`) into `table`."""
    if not rows:
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=keys)
    if not compiled.positional or compiled.positiontup is None:
        connection.execute(insert(table), list(rows))
        return
    order = list(compiled.positiontup)
    processors: list[Callable[[Any], Any] | None] = [
        table.columns[key].type.dialect_impl(connection.dialect).bind_processor(connection.dialect) for key in order
    ]
    params = [
        tuple(value if process is None else process(value) for value, process in zip(values, processors, strict=True))
        for values in ([row[key] for key in order] for row in rows)
    ]
    connection.exec_driver_sql(compiled.string, params)
