"""The incremental orders pull: only what changed since the last pull, taobao.trades.sold.increment.get.

The platform answers for a window of modified times no longer than one day,
so a longer gap is asked for day by day.  Every status comes back (shipped,
closed, a refund asked): that is the point, an order that changed in the
back office must change here too; store.order_source never lets a status go
back.  Windows overlap the last pull by a few minutes, as trades written
just before a pull may be indexed just after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from capture.upload.taobao_orders import PulledPage, pull_pages
from capture.upload.top_client import GMT8, TIMESTAMP_FORMAT, TopClient

INCREMENT_METHOD = "taobao.trades.sold.increment.get"
MAX_WINDOW = timedelta(days=1)  # the platform's bound on end_modified - start_modified
OVERLAP = timedelta(minutes=5)
# Past this, asking day by day costs more than one full pull of what awaits shipment.
MAX_GAP = timedelta(days=7)


def windows(since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
    start = since - OVERLAP
    while start < until:
        end = min(start + MAX_WINDOW, until)
        yield start, end
        start = end


def _stamp(moment: datetime) -> str:
    return moment.astimezone(GMT8).strftime(TIMESTAMP_FORMAT)


def changed_pages(client: TopClient, page_size: int, since: datetime, until: datetime) -> Iterator[PulledPage]:
    """Every page of trades modified between `since` (less the overlap) and `until`."""
    for start, end in windows(since, until):
        query = {"start_modified": _stamp(start), "end_modified": _stamp(end)}
        yield from pull_pages(client, page_size, method=INCREMENT_METHOD, query=query)
