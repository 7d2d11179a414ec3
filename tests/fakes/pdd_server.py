"""A stand-in Pinduoduo open platform router: a real HTTP server on 127.0.0.1.

It does what the router does, as far as our connector can tell:

* checks every request: type, client_id, access_token, data_type=JSON,
  the signature (written out again here from the published rule: MD5 of
  client_secret + sorted name/value pairs + client_secret, upper case) and
  a Unix timestamp within ten minutes of now;
* keeps order state: awaiting shipment (order_status 1), shipped (2) with a
  tracking number and logistics id, refunded (refund_status 4); refuses to
  ship an order twice or one that is not awaiting shipment;
* serves pdd.logistics.companies.get, pdd.logistics.online.send,
  pdd.order.information.get, pdd.order.number.list.get (paged) and
  pdd.order.number.list.increment.get (by update time, windows of at most
  30 minutes, as the platform requires);
* fails on request: `fail(kind, ...)` plans timeouts (with APPLY_THEN_HANG
  the order is shipped first), 502 pages, rate limits (70031, a ban for
  every call until it ends), or any error_response;
* counts `sends[order_sn]` (every online.send that reached it) and
  `ships[order_sn]` (the ones that shipped the order).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

MAX_CLOCK_SKEW_S = 600
SEND = "pdd.logistics.online.send"
COMPANIES = "pdd.logistics.companies.get"
INFO = "pdd.order.information.get"
LIST = "pdd.order.number.list.get"
INCREMENT = "pdd.order.number.list.increment.get"
EXTRA = "pdd.order.upload.extra.logistics"  # 订单额外运单信息上传: a further parcel's number, beside the order's own
AWAITING, SHIPPED = 1, 2
NO_REFUND, REFUNDED = 1, 4
MAX_WINDOW_S = 30 * 60
MAX_PAGE_SIZE = 100
DEFAULT_HOLD_S = 5.0
SHUTDOWN_POLL_S = 0.05
RATE_LIMITED = 70031
BUSINESS_ERROR = 30000  # what the fake answers for a refused send (the real code is not documented publicly)

COMPANY_LIST: tuple[tuple[int, str, str], ...] = (
    (44, "顺丰快递", "SF"),
    (115, "中通快递", "ZTO"),
    (85, "圆通快递", "YTO"),
    (1, "申通快递", "STO"),
    (121, "韵达快递", "YUNDA"),
    (384, "极兔速递", "JTSD"),
    (120, "京东快递", "JD"),
    (132, "邮政快递包裹", "YZXB"),
)


class Fault(StrEnum):
    TIMEOUT = "timeout"
    APPLY_THEN_HANG = "apply_then_hang"
    SERVER_ERROR = "server_error"
    RATE_LIMIT = "rate_limit"
    ERROR = "error"


@dataclass
class PlannedFault:
    kind: Fault
    method: str
    order_sn: str | None
    times: int
    hold_s: float
    ban_s: int
    code: int
    msg: str


@dataclass
class FakeOrder:
    order_sn: str
    order_status: int = AWAITING
    refund_status: int = NO_REFUND
    tracking_number: str = ""
    logistics_id: int = 0
    receiver_name: str = "李四"
    receiver_phone: str = "13912345678"
    province: str = "广东省"
    city: str = "深圳市"
    town: str = "南山区"
    address: str = "科技园1号"
    updated_at: int = field(default_factory=lambda: int(time.time()))
    extra_tracks: list[tuple[int, str]] = field(default_factory=list)  # (shipping_id, tracking_number)


@dataclass
class Stats:
    sends: Counter = field(default_factory=Counter)
    ships: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    ship_times: list[float] = field(default_factory=list)


def pdd_sign(params: dict[str, str], secret: str) -> str:
    text = secret + "".join(k + params[k] for k in sorted(params) if k != "sign") + secret
    return hashlib.md5(text.encode()).hexdigest().upper()


def _error(code: int, msg: str, sub_msg: str = "") -> dict:
    body: dict = {"error_code": code, "error_msg": msg, "request_id": uuid.uuid4().hex[:12]}
    if sub_msg:
        body["sub_code"], body["sub_msg"] = str(code), sub_msg
    return {"error_response": body}


class FakePdd:
    def __init__(
        self,
        client_id: str = "pdd-client-id",
        client_secret: str = "pdd-client-secret",
        access_token: str = "pdd-token",
    ) -> None:
        self.client_id, self.client_secret, self.access_token = client_id, client_secret, access_token
        self.companies = [{"id": i, "logistics_company": n, "code": c, "available": 1} for i, n, c in COMPANY_LIST]
        self.orders: dict[str, FakeOrder] = {}
        self.stats = Stats()
        self.send_delay_s = 0.0
        self._faults: list[PlannedFault] = []
        self._banned_until = 0.0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> FakePdd:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/api/router"
        self._thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> FakePdd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state ------------------------------------------------------------------

    def add_orders(self, *order_sns: str, **fields: object) -> None:
        with self._lock:
            for sn in order_sns:
                self.orders[sn] = FakeOrder(order_sn=sn, **fields)  # type: ignore[arg-type]

    def ship_by_hand(self, order_sn: str, tracking_number: str, logistics_id: int = 44) -> None:
        with self._lock:
            order = self.orders[order_sn]
            order.order_status, order.tracking_number, order.logistics_id = SHIPPED, tracking_number, logistics_id
            order.updated_at = int(time.time())

    def refund(self, order_sn: str) -> None:
        with self._lock:
            self.orders[order_sn].refund_status = REFUNDED
            self.orders[order_sn].updated_at = int(time.time())

    def fail(
        self,
        kind: Fault,
        *,
        method: str = SEND,
        order_sn: str | None = None,
        times: int = 1,
        hold_s: float = DEFAULT_HOLD_S,
        ban_s: int = 2,
        code: int = BUSINESS_ERROR,
        msg: str = "",
    ) -> None:
        with self._lock:
            self._faults.append(PlannedFault(kind, method, order_sn, times, hold_s, ban_s, code, msg))

    def wait_for(self, condition: Callable[[Stats], bool], timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: condition(self.stats), timeout=timeout_s)

    # --- the router ---------------------------------------------------------------

    def handle(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        refusal = self._check_request(params)
        if refusal is not None:
            with self._changed:
                self.stats.refused[refusal["error_response"]["error_code"]] += 1
                self._changed.notify_all()
            return 200, json.dumps(refusal).encode(), "application/json"
        method, sn = params["type"], params.get("order_sn")
        with self._changed:
            self.stats.calls[method] += 1
            if method == SEND and sn:
                self.stats.sends[sn] += 1
            fault = self._take_fault(method, sn)
            self._changed.notify_all()
        if fault is not None and fault.kind is not Fault.APPLY_THEN_HANG:
            return self._faulty(fault)
        if method == SEND and self.send_delay_s:
            time.sleep(self.send_delay_s)
        body = self._dispatch(method, params)
        if fault is not None:
            self.stopping.wait(fault.hold_s)
        return 200, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8"

    def _check_request(self, params: dict[str, str]) -> dict | None:
        for name in ("type", "client_id", "timestamp", "sign", "data_type"):
            if not params.get(name):
                return _error(10000, "参数错误", f"missing {name}")
        if params["client_id"] != self.client_id:
            return _error(10016, "client_id不存在")
        if params["data_type"] != "JSON":
            return _error(10000, "参数错误", "data_type must be JSON")
        if not hmac.compare_digest(pdd_sign(params, self.client_secret), params["sign"]):
            return _error(20004, "签名错误")
        try:
            sent_at = int(params["timestamp"])
        except ValueError:
            return _error(20005, "timestamp错误", "timestamp must be Unix seconds")
        if abs(time.time() - sent_at) > MAX_CLOCK_SKEW_S:
            return _error(20005, "timestamp错误", "timestamp is more than 10 minutes off")
        if params.get("access_token") != self.access_token:
            return _error(10019, "access_token已过期", f"access_token {params.get('access_token')} is invalid")
        if self._banned_until - time.monotonic() > 0:
            return _error(RATE_LIMITED, "调用过于频繁，请调整调用频率")
        return None

    def _take_fault(self, method: str, sn: str | None) -> PlannedFault | None:
        for fault in self._faults:
            if fault.method == method and (fault.order_sn is None or fault.order_sn == sn) and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _faulty(self, fault: PlannedFault) -> tuple[int, bytes, str]:
        if fault.kind is Fault.TIMEOUT:
            self.stopping.wait(fault.hold_s)
            return 200, json.dumps(_error(50000, "系统繁忙")).encode(), "application/json"
        if fault.kind is Fault.SERVER_ERROR:
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"
        if fault.kind is Fault.RATE_LIMIT:
            with self._lock:
                self._banned_until = time.monotonic() + fault.ban_s
            body = _error(RATE_LIMITED, "调用过于频繁，请调整调用频率", f"请{fault.ban_s}秒后重试")
            return 200, json.dumps(body, ensure_ascii=False).encode(), "application/json"
        return (
            200,
            json.dumps(_error(fault.code, fault.msg or "业务错误"), ensure_ascii=False).encode(),
            "application/json",
        )

    def _dispatch(self, method: str, params: dict[str, str]) -> dict:
        if method == SEND:
            return self._send(params)
        if method == COMPANIES:
            return {"logistics_companies_get_response": {"logistics_companies": self.companies}}
        if method == INFO:
            with self._lock:
                order = self.orders.get(params.get("order_sn", ""))
                if order is None:
                    return _error(BUSINESS_ERROR, "订单不存在")
                info = {k: v for k, v in order.__dict__.items() if k != "extra_tracks"}
                return {"order_info_get_response": {"order_info": info}}
        if method == LIST:
            return self._list(params)
        if method == INCREMENT:
            return self._increment(params)
        if method == EXTRA:
            return self._extra(params)
        return _error(10000, "接口不存在", f"no method {method}")

    def _send(self, params: dict[str, str]) -> dict:
        sn, number = params.get("order_sn", ""), params.get("tracking_number", "")
        with self._changed:
            order = self.orders.get(sn)
            if order is None:
                return _error(BUSINESS_ERROR, "订单不存在")
            if order.order_status != AWAITING or order.refund_status == REFUNDED:
                return _error(BUSINESS_ERROR, "订单已发货或已取消，不能重复发货")
            if not any(str(c["id"]) == params.get("logistics_id") for c in self.companies):
                return _error(BUSINESS_ERROR, f"快递公司不存在 {params.get('logistics_id')}")
            order.order_status, order.tracking_number = SHIPPED, number
            order.logistics_id, order.updated_at = int(params["logistics_id"]), int(time.time())
            self.stats.ships[sn] += 1
            self.stats.ship_times.append(time.monotonic())
            self._changed.notify_all()
        return {"logistics_online_send_response": {"is_success": True, "request_id": uuid.uuid4().hex[:12]}}

    def _extra(self, params: dict[str, str]) -> dict:
        """order_sn and extra_track_list required; only for a shipped order; the same number again is no change."""
        for name in ("order_sn", "extra_track_list"):
            if not params.get(name):
                return _error(BUSINESS_ERROR, f"缺少参数 {name}")
        try:
            tracks = [
                (int(t["shipping_id"]), str(t["tracking_number"])) for t in json.loads(params["extra_track_list"])
            ]
        except (ValueError, KeyError, TypeError):
            return _error(BUSINESS_ERROR, "extra_track_list 格式不对")
        with self._changed:
            order = self.orders.get(params["order_sn"])
            if order is None:
                return _error(BUSINESS_ERROR, "订单不存在")
            if order.order_status == AWAITING or not order.tracking_number:
                return _error(BUSINESS_ERROR, "订单未发货，不能上传额外运单")
            for shipping_id, number in tracks:
                if not any(c["id"] == shipping_id for c in self.companies):
                    return _error(BUSINESS_ERROR, f"快递公司不存在 {shipping_id}")
                if number != order.tracking_number and (shipping_id, number) not in order.extra_tracks:
                    order.extra_tracks.append((shipping_id, number))
            self._changed.notify_all()
        return {"order_upload_extra_logistics_response": {"success": True, "request_id": uuid.uuid4().hex[:12]}}

    def _list(self, params: dict[str, str]) -> dict:
        page, size = int(params.get("page", "1")), min(int(params.get("page_size", "100")), MAX_PAGE_SIZE)
        with self._lock:
            matching = sorted(
                (o for o in self.orders.values() if str(o.order_status) == params.get("order_status", "1")),
                key=lambda o: o.order_sn,
            )
            chunk = [{"order_sn": o.order_sn} for o in matching[(page - 1) * size : page * size]]
        return {"order_sn_list_get_response": {"order_sn_list": chunk, "total_count": len(matching)}}

    def _increment(self, params: dict[str, str]) -> dict:
        start, end = int(params["start_updated_at"]), int(params["end_updated_at"])
        if end - start > MAX_WINDOW_S or end < start:
            return _error(10000, "参数错误", "end_updated_at - start_updated_at must be 0 to 30 minutes")
        page, size = int(params.get("page", "1")), min(int(params.get("page_size", "100")), MAX_PAGE_SIZE)
        with self._lock:
            matching = sorted(
                (o for o in self.orders.values() if start <= o.updated_at <= end), key=lambda o: o.order_sn
            )
            chunk = [dict(o.__dict__) for o in matching[(page - 1) * size : page * size]]
        return {"order_sn_increment_get_response": {"order_sn_list": chunk, "total_count": len(matching)}}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakePDD/1.0"

    def do_POST(self) -> None:
        fake: FakePdd = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        params = dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        status, body, content_type = fake.handle(params)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass
