"""GET /metrics: outcomes by status and how long requests take, in Prometheus text format.

A registry per app (not the library's global one), so two apps in one
process (tests) count apart.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from capture.monitoring.metrics import database_registry
from capture.store.stats import QueueStats

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self, read_stats: Callable[[], QueueStats] | None = None) -> None:
        self.registry = CollectorRegistry()
        if read_stats is not None:  # the database's figures, under the names watch and upload use too
            database_registry(read_stats, self.registry)
        self.outcomes = Counter(
            "waybill_desk_outcomes", "Outcomes of desk reads", ["source", "status"], registry=self.registry
        )
        self.requests = Histogram(
            "waybill_http_request_seconds",
            "Time to answer an HTTP request",
            ["method", "route", "code"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def outcome(self, source: str, body: dict[str, Any]) -> None:
        self.outcomes.labels(source=source, status=body["status"]).inc()

    def text(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    async def timed(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # The route's pattern (/api/review/{item_id}/accept), not the path: one series per route.
        name = getattr(route, "path", "unmatched")
        self.requests.labels(request.method, name, str(response.status_code)).observe(time.perf_counter() - started)
        return response
