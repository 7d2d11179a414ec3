"""The database's figures as Prometheus metrics, read at each scrape (a custom collector).

The same names in `waybill serve`'s /metrics and on `watch`/`upload --metrics-port`:

    waybill_database_up                              1, or 0 when the figures could not be read
    waybill_photos{outcome}                          photos recorded, by outcome (queued, review, ...)
    waybill_reviews_waiting                          review items still open
    waybill_upload_jobs{state}                       the upload queue by state (pending, sending, sent, ...)
    waybill_upload_errors{class}                     jobs whose last attempt failed: transient, refused, gave_up
    waybill_oldest_pending_job_age_seconds           age of the oldest job waiting to be sent (0: none)
    waybill_last_successful_send_timestamp_seconds   Unix time of the last send the platform took (0: never)

Gauges, not counters: they are the database's state, which `waybill prune`
and `queue cancel` may lower.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from capture.store.stats import QueueStats

log = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def __init__(self, read: Callable[[], QueueStats]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("waybill_database_up", "Whether the database could be read for these figures")
        try:
            stats = self._read()
        except Exception as exc:  # a scrape must answer even when the database is away
            log.warning("metrics: cannot read the database: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _families(stats, time.time())


def _families(stats: QueueStats, now: float) -> Iterator[GaugeMetricFamily]:
    photos = GaugeMetricFamily("waybill_photos", "Photos recorded, by outcome", labels=["outcome"])
    for outcome, count in sorted(stats.photos_by_outcome.items()):
        photos.add_metric([outcome], count)
    yield photos
    yield GaugeMetricFamily("waybill_reviews_waiting", "Review items waiting for a person", value=stats.reviews_waiting)
    jobs = GaugeMetricFamily("waybill_upload_jobs", "Upload jobs by state", labels=["state"])
    for state, count in sorted(stats.jobs_by_state.items()):
        jobs.add_metric([state], count)
    yield jobs
    errors = GaugeMetricFamily(
        "waybill_upload_errors", "Upload jobs whose last attempt failed, by class", labels=["class"]
    )
    for kind, count in sorted(stats.errors_by_class.items()):
        errors.add_metric([kind], count)
    yield errors
    oldest = stats.oldest_waiting_since
    yield GaugeMetricFamily(
        "waybill_oldest_pending_job_age_seconds",
        "Age of the oldest upload job waiting to be sent (0 when none waits)",
        value=max(0.0, now - oldest.timestamp()) if oldest else 0.0,
    )
    sent = stats.last_sent_at
    yield GaugeMetricFamily(
        "waybill_last_successful_send_timestamp_seconds",
        "Unix time of the last upload the marketplace took (0: none yet)",
        value=sent.timestamp() if sent else 0.0,
    )


def database_registry(read: Callable[[], QueueStats], registry: CollectorRegistry | None = None) -> CollectorRegistry:
    """`registry` (or a new one) with the database's figures registered in it."""
    registry = registry or CollectorRegistry()
    registry.register(DatabaseCollector(read))
    return registry
