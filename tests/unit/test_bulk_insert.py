"""Rows inserted by an import are stored exactly as the ORM stores them (real SQLite file).

The import writes new orders and item lines with one driver executemany
(capture.store.bulk_insert); a value the driver converts on its own (a
datetime with its time zone, a bool) would be stored in another form than
every other write, and text comparisons on it (newest first, retention's
"older than") would go wrong.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from capture.store.db import open_engine, session_scope
from capture.store.orders_import import import_orders
from capture.store.tables import Order, OrderItem, utcnow

HEADER = "订单编号,订单状态,收货人姓名,宝贝标题,宝贝总数量"
IMPORTED_TID = "2751925651837878487"
ORM_TID = "2751925651837878488"


def test_imported_rows_store_times_and_flags_in_the_orms_own_form(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path}/t.db")
    export = tmp_path / "orders.csv"
    export.write_bytes(f"{HEADER}\r\n{IMPORTED_TID},交易成功,王伟,帆布包,2\r\n".encode("gbk"))
    with session_scope(engine) as session:
        import_orders(session, export)
        session.add(Order(tid=ORM_TID, updated_at=utcnow()))
        session.add(OrderItem(order_tid=ORM_TID, title="帆布包", quantity=1, itemised=False))
    with engine.connect() as connection:
        times: dict[str, str] = dict(connection.execute(text("SELECT tid, updated_at FROM orders")).all())
        flags = connection.execute(text("SELECT order_tid, typeof(itemised), itemised FROM order_items")).all()
    imported, orm = times[IMPORTED_TID], times[ORM_TID]
    assert len(imported) == len(orm) and imported[10] == orm[10]  # same text form: no "+00:00", same separator
    assert {(kind, value) for _, kind, value in flags} == {("integer", 0)}  # both lines, the same form
