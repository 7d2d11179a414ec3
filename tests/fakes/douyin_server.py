"""A stand-in Douyin shop (抖店) open platform gateway: a real HTTP server on 127.0.0.1.

* checks every request: the path matches `method` (order.logisticsAdd ->
  /order/logisticsAdd), app_key, access_token, v=2, sign_method md5 or
  hmac-sha256, the signature (written out again here: app_secret +
  app_key.. method.. param_json.. timestamp.. v.. + app_secret, MD5 or
  HMAC-SHA256 keyed with app_secret, lower-case hex) and a Beijing-time
  timestamp within ten minutes of now;
* keeps order state: order_status 2 (备货中) until shipped (3) with its
  parcels' tracking numbers; refuses to ship an order twice;
* serves order.logisticsCompanyList, order.logisticsAdd, order.orderDetail,
  order.searchList (pages from 0);
* fails on request: timeouts (APPLY_THEN_HANG ships first), 502 pages,
  flow-limit bans, any error code;
* counts sends and ships per order.
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
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

GMT8 = timezone(timedelta(hours=8))
MAX_CLOCK_SKEW_S = 600
SEND = "order.logisticsAdd"
COMPANIES = "order.logisticsCompanyList"
DETAIL = "order.orderDetail"
SEARCH = "order.searchList"
AWAITING, SHIPPED, CANCELLED = 2, 3, 4
SUCCESS = 10000
BUSINESS = 80000
DEFAULT_HOLD_S = 5.0
SHUTDOWN_POLL_S = 0.05
COMPANY_LIST = (
    (7, "顺丰速运", "shunfeng"),
    (15, "中通快递", "zhongtong"),
    (12, "圆通速递", "yuantong"),
    (8, "申通快递", "shentong"),
    (9, "韵达快递", "yunda"),
    (1020, "极兔速递", "jtexpress"),
    (10, "京东快递", "jd"),
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
    order_id: str | None
    times: int
    hold_s: float
    ban_s: int
    code: int


@dataclass
class FakeOrder:
    order_id: str
    order_status: int = AWAITING
    tracking: list[str] = field(default_factory=list)
    company: str = ""
    post_receiver: str = "#王五#"  # encrypted, as the platform gives it
    post_tel: str = "139****5678"


@dataclass
class Stats:
    sends: Counter = field(default_factory=Counter)
    ships: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    ship_times: list[float] = field(default_factory=list)


def douyin_sign(params: dict[str, str], secret: str) -> str:
    text = (
        secret + "".join(k + params.get(k, "") for k in ("app_key", "method", "param_json", "timestamp", "v")) + secret
    )
    if params.get("sign_method") == "hmac-sha256":
        return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return hashlib.md5(text.encode()).hexdigest()


def _reply(
    code: int = SUCCESS, msg: str = "success", data: object = None, sub_code: str = "", sub_msg: str = ""
) -> dict:
    body: dict = {"code": code, "msg": msg, "log_id": uuid.uuid4().hex[:12], "data": data}
    if sub_code:
        body["sub_code"], body["sub_msg"] = sub_code, sub_msg
    return body


class FakeDouyin:
    def __init__(
        self, app_key: str = "dy-app-key", app_secret: str = "dy-app-secret", access_token: str = "dy-token"
    ) -> None:
        self.app_key, self.app_secret, self.access_token = app_key, app_secret, access_token
        self.companies = [{"id": i, "name": n, "code": c} for i, n, c in COMPANY_LIST]
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

    def start(self) -> FakeDouyin:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
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

    def __enter__(self) -> FakeDouyin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_orders(self, *order_ids: str) -> None:
        with self._lock:
            for oid in order_ids:
                self.orders[oid] = FakeOrder(order_id=oid)

    def ship_by_hand(self, order_id: str, number: str) -> None:
        with self._lock:
            order = self.orders[order_id]
            order.order_status, order.tracking = SHIPPED, [number]

    def cancel(self, order_id: str) -> None:
        with self._lock:
            self.orders[order_id].order_status = CANCELLED

    def fail(
        self,
        kind: Fault,
        *,
        method: str = SEND,
        order_id: str | None = None,
        times: int = 1,
        hold_s: float = DEFAULT_HOLD_S,
        ban_s: int = 2,
        code: int = BUSINESS,
    ) -> None:
        with self._lock:
            self._faults.append(PlannedFault(kind, method, order_id, times, hold_s, ban_s, code))

    def wait_for(self, condition: Callable[[Stats], bool], timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: condition(self.stats), timeout=timeout_s)

    # --- the gateway ---------------------------------------------------------------

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, bytes]:
        refusal = self._check_request(path, params)
        if refusal is not None:
            with self._changed:
                self.stats.refused[refusal["code"]] += 1
                self._changed.notify_all()
            return 200, json.dumps(refusal, ensure_ascii=False).encode()
        method, business = params["method"], json.loads(params["param_json"])
        oid = str(business.get("order_id") or business.get("shop_order_id") or "") or None
        with self._changed:
            self.stats.calls[method] += 1
            if method == SEND and oid:
                self.stats.sends[oid] += 1
            fault = self._take_fault(method, oid)
            self._changed.notify_all()
        if fault is not None and fault.kind is not Fault.APPLY_THEN_HANG:
            return self._faulty(fault)
        if method == SEND and self.send_delay_s:
            time.sleep(self.send_delay_s)
        body = self._dispatch(method, business)
        if fault is not None:
            self.stopping.wait(fault.hold_s)
        return 200, json.dumps(body, ensure_ascii=False).encode()

    def _check_request(self, path: str, params: dict[str, str]) -> dict | None:
        for name in ("method", "app_key", "param_json", "timestamp", "v", "sign"):
            if not params.get(name):
                return _reply(40001, "缺少参数", sub_code="isv.missing-parameter", sub_msg=f"missing {name}")
        if path.strip("/") != params["method"].replace(".", "/"):
            return _reply(40002, "method与路径不符")
        if params["app_key"] != self.app_key:
            return _reply(40003, "app_key不存在")
        if params["v"] != "2" or params.get("sign_method", "md5") not in ("md5", "hmac-sha256"):
            return _reply(40001, "参数错误", sub_msg="v must be 2, sign_method md5 or hmac-sha256")
        if not hmac.compare_digest(douyin_sign(params, self.app_secret), params["sign"]):
            return _reply(40004, "签名错误")
        try:
            sent_at = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=GMT8)
        except ValueError:
            return _reply(40005, "timestamp错误")
        if abs((datetime.now(GMT8) - sent_at).total_seconds()) > MAX_CLOCK_SKEW_S:
            return _reply(40005, "timestamp错误", sub_msg="more than 10 minutes off")
        if params.get("access_token") != self.access_token:
            return _reply(30001, "access_token无效", sub_msg=f"access_token {params.get('access_token')} is invalid")
        if self._banned_until - time.monotonic() > 0:
            return _reply(70000, "流控", sub_code="dop.flow-limit", sub_msg="调用过于频繁")
        return None

    def _take_fault(self, method: str, oid: str | None) -> PlannedFault | None:
        for fault in self._faults:
            if fault.method == method and (fault.order_id is None or fault.order_id == oid) and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _faulty(self, fault: PlannedFault) -> tuple[int, bytes]:
        if fault.kind is Fault.TIMEOUT:
            self.stopping.wait(fault.hold_s)
            return 200, json.dumps(_reply(50002, "系统繁忙")).encode()
        if fault.kind is Fault.SERVER_ERROR:
            return 502, b"<html><body>502 Bad Gateway</body></html>"
        if fault.kind is Fault.RATE_LIMIT:
            with self._lock:
                self._banned_until = time.monotonic() + fault.ban_s
            body = _reply(70000, "流控", sub_code="dop.flow-limit", sub_msg=f"请{fault.ban_s}秒后重试")
            return 200, json.dumps(body, ensure_ascii=False).encode()
        return 200, json.dumps(_reply(fault.code, "业务错误"), ensure_ascii=False).encode()

    def _dispatch(self, method: str, business: dict) -> dict:
        if method == COMPANIES:
            return _reply(data=self.companies)
        if method == SEND:
            return self._send(business)
        if method == DETAIL:
            with self._lock:
                order = self.orders.get(str(business.get("shop_order_id")))
                if order is None:
                    return _reply(BUSINESS, "订单不存在")
                parcels = [{"tracking_no": n, "company": order.company} for n in order.tracking]
                detail = {"order_id": order.order_id, "order_status": order.order_status, "logistics_info": parcels}
            return _reply(data={"shop_order_detail": detail})
        if method == SEARCH:
            page, size = int(business.get("page", 0)), int(business.get("size", 100))
            with self._lock:
                matching = sorted(
                    (o for o in self.orders.values() if o.order_status == int(business.get("order_status", AWAITING))),
                    key=lambda o: o.order_id,
                )
                chunk = [
                    {
                        "order_id": o.order_id,
                        "order_status": o.order_status,
                        "post_receiver": o.post_receiver,
                        "post_tel": o.post_tel,
                    }
                    for o in matching[page * size : (page + 1) * size]
                ]
            return _reply(data={"shop_order_list": chunk, "total": len(matching), "page": page, "size": size})
        return _reply(40002, "method不存在")

    def _send(self, business: dict) -> dict:
        oid, number, code = (
            str(business.get("order_id")),
            str(business.get("logistics_code")),
            business.get("company_code"),
        )
        with self._changed:
            order = self.orders.get(oid)
            if order is None:
                return _reply(BUSINESS, "订单不存在")
            if order.order_status != AWAITING:
                return _reply(
                    BUSINESS, "订单状态不允许发货", sub_code="isv.business-failed", sub_msg="订单已发货或已取消"
                )
            if not any(c["code"] == code for c in self.companies):
                return _reply(BUSINESS, f"物流公司不存在 {code}")
            order.order_status, order.tracking, order.company = SHIPPED, [number], str(code)
            self.stats.ships[oid] += 1
            self.stats.ship_times.append(time.monotonic())
            self._changed.notify_all()
        return _reply(data={})


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeDoudian/1.0"

    def do_POST(self) -> None:
        fake: FakeDouyin = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        params = dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        status, body = fake.handle(urlsplit(self.path).path, params)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8" if status == 200 else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass
