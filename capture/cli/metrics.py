"""`--metrics-port` of `watch` and `upload`: say where the metrics are, serve them for the command's life."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from capture.api.monitoring import EnginesCheck, monitoring, no_engines
from capture.settings import Settings

METRICS_PORT_HELP = "answer /metrics (Prometheus) and /healthz on this port (env WAYBILL_METRICS_PORT; 0: none)"


@contextmanager
def serving_metrics(settings: Settings, engines: EnginesCheck = no_engines) -> Iterator[None]:
    port = settings.metrics_port or None
    with monitoring(settings, port, engines) as bound:
        if bound is not None:
            print(f"metrics: http://{settings.metrics_host}:{bound}/metrics and /healthz", file=sys.stderr, flush=True)
        yield
