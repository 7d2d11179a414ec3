"""Many new rows into one table in one executemany, without per-row SQLAlchemy work.

An order import inserts hundreds of thousands of rows.  Through
`connection.execute(insert(model), dicts)` SQLAlchemy builds the bound
parameters of every row itself, which was a fifth of a 200,000-row import
(bench/orders_import.py).  Here the statement is compiled once, each
column's bind processor (SQLite's datetime-to-text, for one) is applied to
its values, and the driver gets plain tuples.  Databases whose driver takes
named parameters (PostgreSQL) keep the Core path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, insert, inspect


def insert_rows(connection: Connection, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (all with the same keys, column names) into the table of `model` (a table class)."""
    if not rows:
        return
    table = inspect(model).local_table
    keys = list(rows[0])
    compiled = insert(model).compile(dialect=connection.dialect, column_keys=keys)
    if not compiled.positional or compiled.positiontup is None:
        connection.execute(insert(model), list(rows))
        return
    order = list(compiled.positiontup)
    values_of = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
    dialect = connection.dialect
    processed = [
        (index, process)
        for index, key in enumerate(order)
        if (process := table.columns[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    params: list[tuple[Any, ...]] = [values_of(row) for row in rows]
    if processed:
        params = [_processed(values, processed) for values in params]
    connection.exec_driver_sql(compiled.string, params)


def _processed(values: Sequence[Any], processed: Sequence[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    row = list(values)
    for index, process in processed:
        row[index] = process(row[index])
    return tuple(row)
