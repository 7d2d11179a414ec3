"""A shop's own system receiving our webhook: a real HTTP server on 127.0.0.1.

It does what a careful receiver should: verifies the HMAC-SHA256 signature
over "<timestamp>.<body>" with the shared secret (its own code, not the
product's), refuses stale timestamps, and keeps the idempotency keys it has
seen, answering a repeat with the first answer instead of shipping again.
`hang_after_apply` makes it record the next shipment and then hold the
reply, as a slow receiver whose answer is lost to the client's timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_AGE_S = 300
SHUTDOWN_POLL_S = 0.05


@dataclass
class Received:
    requests: list[dict] = field(default_factory=list)  # headers and body of every request
    shipments: dict[str, dict] = field(default_factory=dict)  # idempotency key -> payload, first one wins
    bad_signatures: int = 0


class WebhookReceiver:
    def __init__(self, secret: str, path: str = "/hooks/waybill?token=HOOKTOKEN-5772") -> None:
        self.secret = secret
        self.path = path
        self.received = Received()
        self.hang_after_apply_s = 0.0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def __enter__(self) -> WebhookReceiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.receiver = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}{self.path}"
        self._thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        with self._lock:
            self.received.requests.append({"headers": headers, "body": body})
        timestamp = headers.get("x-waybill-timestamp", "")
        expected = (
            "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, headers.get("x-waybill-signature", "")):
            with self._lock:
                self.received.bad_signatures += 1
            return 401, {"error": "bad signature"}
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_S:
            return 401, {"error": "stale timestamp"}
        key = headers.get("idempotency-key", "")
        if not key:
            return 400, {"error": "no idempotency key"}
        payload = json.loads(body)
        with self._lock:
            first = key not in self.received.shipments
            if first:
                self.received.shipments[key] = payload
            hang, self.hang_after_apply_s = self.hang_after_apply_s, 0.0
        if hang:
            self.stopping.wait(hang)
        return 200, {"id": f"ship-{key[-8:]}", "duplicate": not first}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: WebhookReceiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, reply = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
        data = json.dumps(reply).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass
