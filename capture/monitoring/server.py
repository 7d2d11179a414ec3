"""`--metrics-port`: GET /metrics (Prometheus text) and GET /healthz (JSON) from a thread of `watch` or `upload`.

The standard library's HTTP server: these commands need no web framework.
It answers on 127.0.0.1 unless `metrics_host` says otherwise, because it
has no login: the figures are counts, never a buyer's data.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from capture.errors import SourceUnavailable

log = logging.getLogger(__name__)
HealthAnswer = Callable[[], tuple[bool, dict[str, Any]]]


def _handler(registry: CollectorRegistry, health: HealthAnswer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path == "/healthz":
                ok, body = health()
                self._answer(200 if ok else 503, "application/json", json.dumps(body, ensure_ascii=False).encode())
            else:
                self._answer(404, "text/plain; charset=utf-8", b"not found: /metrics or /healthz\n")

        def _answer(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("metrics: " + format, *args)

    return Handler


@contextmanager
def serving(host: str, port: int, registry: CollectorRegistry, health: HealthAnswer) -> Iterator[int]:
    """Answer /metrics and /healthz on host:port for the block; yields the port (0 picks a free one)."""
    try:
        server = ThreadingHTTPServer((host, port), _handler(registry, health))
    except OSError as exc:
        raise SourceUnavailable(
            f"cannot serve metrics on {host}:{port}: {exc.strerror}", "choose another --metrics-port"
        ) from exc
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="waybill-metrics", daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
