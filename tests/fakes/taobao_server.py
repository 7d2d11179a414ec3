"""A stand-in Taobao Open Platform router: a real HTTP server on 127.0.0.1.

It does what the platform does, as far as our connector can tell:

* checks every request like the router: app key, session, v=2.0,
  format=json, sign method, the signature (its own implementation of the
  published algorithm, not the product's), and a timestamp in GMT+8 within
  ten minutes of now;
* keeps order state: orders awaiting shipment, shipped with an out_sid;
  refuses to ship an order twice (B04) or a number that breaks the
  company's rule (B60; one number on several orders is a merged shipment,
  which the platform allows);
* serves taobao.logistics.companies.get, taobao.logistics.offline.send,
  taobao.logistics.orders.get, taobao.trades.sold.get (paged),
  taobao.trades.sold.increment.get (by modified time, at most one day a
  call, as the platform) and taobao.trade.fullinfo.get; each order has one sub-order whose
  refund_status (NO_REFUND, WAIT_SELLER_AGREE, ... as the platform names
  them) `set_refund` changes; offline.send does not look at it, as the
  platform's own check is not something a seller may rely on;
* fails on request: `fail(kind, ...)` plans timeouts (hold the request past
  the client's timeout; with APPLY_THEN_HANG the order is shipped first),
  5xx pages, rate limits with a ban time, platform errors (B60, isp.*),
  or an invalid-session reply that quotes the session back;
* counts: `sends[tid]` every offline.send that reached it, `ships[tid]` the
  ones that shipped the order, so tests can assert "never sent twice";
* changes a shipped order (tests/fakes/taobao_parcels.py): its number
  (taobao.logistics.consign.resend) and its packages
  (alibaba.ascp.logistics.consign.resend with consign_pkgs), each package
  one shipping in taobao.logistics.orders.get.

Use `with FakeTaobao(...) as fake:`; `fake.url` is the router endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes import taobao_parcels
from tests.fakes.taobao_parcels import PackageRow

GMT8 = timezone(timedelta(hours=8))
MAX_CLOCK_SKEW_S = 600  # the platform's ten minutes
SEND = "taobao.logistics.offline.send"
COMPANIES = "taobao.logistics.companies.get"
SHIPPINGS = "taobao.logistics.orders.get"
TRADES = "taobao.trades.sold.get"
FULLINFO = "taobao.trade.fullinfo.get"
INCREMENT = "taobao.trades.sold.increment.get"
MAX_INCREMENT_WINDOW = timedelta(days=1)
AWAITING = "WAIT_SELLER_SEND_GOODS"
SHIPPED = "WAIT_BUYER_CONFIRM_GOODS"
OFFLINE_ERROR = "isv.logistics-offline-service-error"
DEFAULT_HOLD_S = 5.0
MAX_PAGE_SIZE = 100
SHUTDOWN_POLL_S = 0.05  # how soon stop() is noticed

# code, name, reg_mail_no: plausible rules for the carriers our table knows,
# and two it does not.
DEFAULT_COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("SF", "顺丰速运", r"^SF[0-9]{13}$"),
    ("ZTO", "中通快递", r"^7[3-9][0-9]{12}$"),
    ("YTO", "圆通速递", r"^YT[0-9]{13}$"),
    ("STO", "申通快递", r"^77[0-9]{13}$"),
    ("YUNDA", "韵达快递", r"^(31|43|46)[0-9]{11}$"),
    ("JTSD", "极兔速递", r"^JT[0-9]{13}$"),
    ("JD", "京东快递", r"^JD[0-9A-Z]{2}[0-9]{11}$"),
    ("POST", "中国邮政", r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$"),
    ("EMS", "EMS", r"^([A-Z]{2}[0-9]{9}[A-Z]{2}|(10|11|50|51|95|97|98|99)[0-9]{11})$"),
    ("DBKD", "德邦快递", r"^DPK[0-9]{12}$"),
    ("HTKY", "百世快递", r"^[0-9]{12}$"),
    ("OTHER", "其他", ""),
)


class Fault(StrEnum):
    TIMEOUT = "timeout"  # hold the request, do nothing, then answer normally (too late)
    APPLY_THEN_HANG = "apply_then_hang"  # ship the order, then hold the reply
    SERVER_ERROR = "server_error"  # 502 with an HTML page, nothing done
    RATE_LIMIT = "rate_limit"  # start a ban of ban_s seconds; this call and all until it ends get code 7
    ERROR = "error"  # an error_response with the given code / sub_code / sub_msg
    INVALID_SESSION = "invalid_session"  # code 27, quoting the session it was sent


@dataclass
class PlannedFault:
    kind: Fault
    method: str
    tid: str | None
    times: int
    hold_s: float
    ban_s: int
    code: int
    sub_code: str
    sub_msg: str


@dataclass
class FakeOrder:
    tid: str
    status: str = AWAITING
    out_sid: str = ""
    company_code: str = ""
    buyer_nick: str = "tb_buyer"
    receiver_name: str = "张三"
    receiver_mobile: str = "13812345678"
    receiver_state: str = "浙江省"
    receiver_city: str = "杭州市"
    receiver_district: str = "西湖区"
    receiver_address: str = "文三路1号"
    refund_status: str = "NO_REFUND"  # of its one sub-order (orders.order[0].refund_status)
    modified: datetime = field(default_factory=lambda: datetime.now(GMT8))
    shipped_at: datetime | None = None
    self_arranged: bool = True  # shipped by offline.send (自己联系), not an online pickup (在线下单)
    packages: list[PackageRow] = field(default_factory=list)  # set by consign_pkgs; first is out_sid

    def parcels(self) -> list[PackageRow]:
        """Every package of the order, its own number first; none while it waits."""
        if self.packages:
            return list(self.packages)
        return [PackageRow(self.out_sid, self.company_code)] if self.out_sid else []

    def as_trade(self, fields: set[str]) -> dict:
        full = {**self.__dict__, "tid": int(self.tid), "tid_str": self.tid}
        hidden = ("refund_status", "modified", "shipped_at", "self_arranged", "packages")
        trade = {k: v for k, v in full.items() if k in fields and k not in hidden}
        if fields & {"orders", "orders.refund_status"}:
            trade["orders"] = {"order": [{"oid": int(self.tid) + 1, "refund_status": self.refund_status}]}
        return trade


@dataclass
class Stats:
    sends: Counter = field(default_factory=Counter)  # offline.send requests per tid
    ships: Counter = field(default_factory=Counter)  # offline.send that shipped the order, per tid
    calls: Counter = field(default_factory=Counter)  # requests per method (after the router's checks)
    refused: Counter = field(default_factory=Counter)  # router refusals by code (bad sign, ban, ...)
    ship_times: list[float] = field(default_factory=list)  # time.monotonic() of each ship
    send_times: dict[str, list[float]] = field(default_factory=dict)
    resends: Counter = field(default_factory=Counter)  # numbers changed by consign.resend, per tid
    package_lists: Counter = field(default_factory=Counter)  # consign_pkgs lists taken, per tid
    packages_added: Counter = field(default_factory=Counter)  # packages those lists added, per tid


def top_sign(params: dict[str, str], secret: str, method: str) -> str:
    """The published signing algorithm, written out again for the fake."""
    pieces = [key + params[key] for key in sorted(params) if key != "sign" and params[key]]
    text = "".join(pieces)
    if method == "md5":
        return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict:
    body: dict = {"code": code, "msg": msg, "request_id": uuid.uuid4().hex[:12]}
    if sub_code:
        body["sub_code"] = sub_code
    if sub_msg:
        body["sub_msg"] = sub_msg
    return {"error_response": body}


class FakeTaobao:
    def __init__(
        self, app_key: str = "12345678", app_secret: str = "fake-app-secret", session: str = "fake-session"
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.session = session
        self.companies = [{"code": c, "name": n, "reg_mail_no": r} for c, n, r in DEFAULT_COMPANIES]
        self.orders: dict[str, FakeOrder] = {}
        self.stats = Stats()
        self.send_delay_s = 0.0  # added to every offline.send (a slower platform)
        self.resend_window = taobao_parcels.DEFAULT_RESEND_WINDOW
        self._faults: list[PlannedFault] = []
        self._banned_until = 0.0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- life -------------------------------------------------------------------

    def start(self) -> FakeTaobao:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/router/rest"
        self._thread = threading.Thread(
            target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name="fake-taobao", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # held requests end now
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> FakeTaobao:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state ------------------------------------------------------------------

    def add_orders(self, *tids: str, **fields: Any) -> None:
        with self._lock:
            for tid in tids:
                self.orders[tid] = FakeOrder(tid=tid, **fields)

    def ship_by_hand(self, tid: str, out_sid: str, company_code: str = "SF", self_arranged: bool = True) -> None:
        """The seller shipped it in the back office (not counted as our send); online: a courier pickup."""
        with self._lock:
            order = self.orders[tid]
            order.status, order.out_sid, order.company_code = SHIPPED, out_sid, company_code
            order.modified = order.shipped_at = datetime.now(GMT8)
            order.self_arranged = self_arranged

    def age_shipment(self, tid: str, by: timedelta) -> None:
        """Say the order was shipped `by` earlier than it was (past the time a number may change)."""
        with self._lock:
            order = self.orders[tid]
            order.shipped_at = (order.shipped_at or datetime.now(GMT8)) - by

    def set_refund(self, tid: str, refund_status: str) -> None:
        """The buyer asks for a refund (WAIT_SELLER_AGREE), the seller refuses it (SELLER_REFUSE_BUYER), ..."""
        with self._lock:
            self.orders[tid].refund_status = refund_status
            self.orders[tid].modified = datetime.now(GMT8)

    def close_order(self, tid: str) -> None:
        with self._lock:
            self.orders[tid].status = "TRADE_CLOSED"
            self.orders[tid].modified = datetime.now(GMT8)

    def fail(
        self,
        kind: Fault,
        *,
        method: str = SEND,
        tid: str | None = None,
        times: int = 1,
        hold_s: float = DEFAULT_HOLD_S,
        ban_s: int = 2,
        code: int = 15,
        sub_code: str = "",
        sub_msg: str = "",
    ) -> None:
        with self._lock:
            self._faults.append(PlannedFault(kind, method, tid, times, hold_s, ban_s, code, sub_code, sub_msg))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def wait_for(self, condition: Callable[[Stats], bool], timeout_s: float) -> bool:
        """Block until `condition(stats)` holds (checked whenever state changes)."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self.stats), timeout=timeout_s)

    @property
    def banned_for_s(self) -> float:
        return max(0.0, self._banned_until - time.monotonic())

    # --- the router ---------------------------------------------------------------

    def handle(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        """(HTTP status, body, content type) for one request."""
        refusal = self._check_request(params)
        if refusal is not None:
            with self._changed:
                self.stats.refused[refusal["error_response"]["code"]] += 1
                self._changed.notify_all()
            return 200, json.dumps(refusal).encode(), "application/json"
        method = params["method"]
        tid = params.get("tid")
        with self._changed:
            self.stats.calls[method] += 1
            if method == SEND and tid:
                self.stats.sends[tid] += 1
                self.stats.send_times.setdefault(tid, []).append(time.monotonic())
            fault = self._take_fault(method, tid)
            self._changed.notify_all()
        if fault is not None and fault.kind is not Fault.APPLY_THEN_HANG:
            return self._faulty(fault, params)
        if method == SEND and self.send_delay_s:
            time.sleep(self.send_delay_s)
        body = self._dispatch(method, params)
        if fault is not None:  # APPLY_THEN_HANG: applied; the reply comes too late
            self.stopping.wait(fault.hold_s)
        return 200, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8"

    def _check_request(self, params: dict[str, str]) -> dict | None:
        for name in ("method", "app_key", "timestamp", "v", "format", "sign_method", "sign"):
            if not params.get(name):
                return _error(40, "Missing Required Arguments", f"isv.missing-parameter:{name}", f"missing {name}")
        if params["app_key"] != self.app_key:
            return _error(29, "Invalid App Key")
        if params["v"] != "2.0" or params["format"] != "json":
            return _error(33, "Invalid Version")
        if params["sign_method"] not in ("md5", "hmac-sha256"):
            return _error(25, "Invalid Signature", sub_msg="unsupported sign_method")
        if not hmac.compare_digest(top_sign(params, self.app_secret, params["sign_method"]), params["sign"]):
            return _error(25, "Invalid Signature")
        try:
            sent_at = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=GMT8)
        except ValueError:
            return _error(31, "Invalid Timestamp", sub_msg="timestamp must be yyyy-MM-dd HH:mm:ss")
        if abs((datetime.now(GMT8) - sent_at).total_seconds()) > MAX_CLOCK_SKEW_S:
            return _error(31, "Invalid Timestamp", sub_msg="timestamp is more than 10 minutes off")
        if params.get("session") != self.session:
            return _error(27, "Invalid session", "invalid-sessionkey", "session invalid")
        banned = self._banned_until - time.monotonic()
        if banned > 0:
            return _error(
                7,
                "App Call Limited",
                "accesscontrol.limited-by-app-access-count",
                f"This ban will last for {math.ceil(banned)} more seconds",
            )
        return None

    def _take_fault(self, method: str, tid: str | None) -> PlannedFault | None:
        for fault in self._faults:
            if fault.method == method and (fault.tid is None or fault.tid == tid) and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _faulty(self, fault: PlannedFault, params: dict[str, str]) -> tuple[int, bytes, str]:
        if fault.kind is Fault.TIMEOUT:
            self.stopping.wait(fault.hold_s)
            return (
                200,
                json.dumps(_error(15, "Remote service error", "isp.top-remote-connection-timeout")).encode(),
                "application/json",
            )
        if fault.kind is Fault.SERVER_ERROR:
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"
        if fault.kind is Fault.RATE_LIMIT:
            with self._lock:
                self._banned_until = time.monotonic() + fault.ban_s
            sub_msg = f"This ban will last for {fault.ban_s} more seconds"
            body = _error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count", sub_msg)
            return 200, json.dumps(body).encode(), "application/json"
        if fault.kind is Fault.INVALID_SESSION:
            body = _error(
                27, "Invalid session", "invalid-sessionkey", f"session {params.get('session')} is invalid or expired"
            )
            return 200, json.dumps(body).encode(), "application/json"
        body = _error(fault.code, "Remote service error", fault.sub_code, fault.sub_msg)
        return 200, json.dumps(body, ensure_ascii=False).encode(), "application/json"

    def _dispatch(self, method: str, params: dict[str, str]) -> dict:
        if method == SEND:
            return self._send(params)
        if method == COMPANIES:
            return {
                "logistics_companies_get_response": {
                    "logistics_companies": {"logistics_company": self.companies},
                    "request_id": "rc",
                }
            }
        if method == SHIPPINGS:
            return self._shippings(params)
        if method == TRADES:
            return self._trades(params)
        if method == FULLINFO:
            return self._fullinfo(params)
        if method == INCREMENT:
            return self._increment(params)
        if method == taobao_parcels.RESEND:
            return taobao_parcels.resend(self, params, datetime.now(GMT8))
        if method == taobao_parcels.PACKAGES:
            return taobao_parcels.set_packages(self, params, datetime.now(GMT8))
        return _error(22, "Invalid Method", sub_msg=f"no method {method}")

    def _send(self, params: dict[str, str]) -> dict:
        tid, out_sid, company_code = params.get("tid", ""), params.get("out_sid", ""), params.get("company_code", "")
        with self._changed:
            order = self.orders.get(tid)
            if order is None:
                return _error(15, "Remote service error", f"{OFFLINE_ERROR}:B01", "订单不存在")
            if order.status != AWAITING:
                return _error(
                    15,
                    "Remote service error",
                    f"{OFFLINE_ERROR}:B04",
                    "订单状态不对该物流订单已经发货或者已关闭，不能重复发货",
                )
            company = next((c for c in self.companies if c["code"] == company_code), None)
            if company is None:
                return _error(
                    15, "Remote service error", "isv.invalid-parameter:company_code", f"无效的物流公司 {company_code}"
                )
            # One number on several orders is allowed: a merged shipment (合并发货).
            if company["reg_mail_no"] and not re.match(company["reg_mail_no"], out_sid):
                return _error(15, "Remote service error", f"{OFFLINE_ERROR}:B60", "运单号不符合规则或已经被使用")
            order.status, order.out_sid, order.company_code = SHIPPED, out_sid, company_code
            order.modified = order.shipped_at = datetime.now(GMT8)
            self.stats.ships[tid] += 1
            self.stats.ship_times.append(time.monotonic())
            self._changed.notify_all()
        return {
            "logistics_offline_send_response": {"shipping": {"is_success": True}, "request_id": uuid.uuid4().hex[:12]}
        }

    def _shippings(self, params: dict[str, str]) -> dict:
        with self._lock:
            order = self.orders.get(params.get("tid", ""))
            shipping = []
            if order is not None and not order.out_sid:
                shipping.append({"tid": int(order.tid), "out_sid": "", "company_name": "", "status": order.status})
            for package in order.parcels() if order is not None else ():
                name = next((c["name"] for c in self.companies if c["code"] == package.company_code), "")
                shipping.append(
                    {"tid": int(order.tid), "out_sid": package.out_sid, "company_name": name, "status": order.status}  # type: ignore[union-attr]
                )
        return {
            "logistics_orders_get_response": {
                "shippings": {"shipping": shipping},
                "total_results": len(shipping),
                "request_id": "rs",
            }
        }

    def _trades(self, params: dict[str, str]) -> dict:
        page_no = int(params.get("page_no", "1"))
        page_size = min(int(params.get("page_size", "40")), MAX_PAGE_SIZE)
        fields = set(params.get("fields", "").split(","))
        with self._lock:
            matching = sorted(
                (o for o in self.orders.values() if o.status == params.get("status", o.status)), key=lambda o: o.tid
            )
            page = matching[(page_no - 1) * page_size : page_no * page_size]
            trades = [order.as_trade(fields) for order in page]
        body: dict = {"trades": {"trade": trades}, "request_id": "rt"}
        if params.get("use_has_next") == "true":
            body["has_next"] = page_no * page_size < len(matching)
        else:
            body["total_results"] = len(matching)
        return {"trades_sold_get_response": body}

    def _increment(self, params: dict[str, str]) -> dict:
        try:
            start, end = (
                datetime.strptime(params[name], "%Y-%m-%d %H:%M:%S").replace(tzinfo=GMT8)
                for name in ("start_modified", "end_modified")
            )
        except (KeyError, ValueError):
            return _error(40, "Missing or invalid parameter", sub_msg="start_modified, end_modified")
        if not start <= end or end - start > MAX_INCREMENT_WINDOW:
            return _error(15, "Remote service error", "isv.invalid-parameter", "时间跨度不能超过一天")
        page_no = int(params.get("page_no", "1"))
        page_size = min(int(params.get("page_size", "40")), MAX_PAGE_SIZE)
        fields = set(params.get("fields", "").split(","))
        with self._lock:
            # The platform keeps modified times to the second.
            changed = sorted(
                (o for o in self.orders.values() if start <= o.modified.replace(microsecond=0) <= end),
                key=lambda o: o.tid,
            )
            page = changed[(page_no - 1) * page_size : page_no * page_size]
            trades = [order.as_trade(fields) for order in page]
        body = {"trades": {"trade": trades}, "request_id": "ri", "has_next": page_no * page_size < len(changed)}
        return {"trades_sold_increment_get_response": body}

    def touch(self, tid: str, at: datetime) -> None:
        """Say the order was last modified `at` (a test's clock for the incremental pull)."""
        with self._lock:
            self.orders[tid].modified = at

    def _fullinfo(self, params: dict[str, str]) -> dict:
        with self._lock:
            order = self.orders.get(params.get("tid", ""))
            if order is None:
                return _error(15, "Remote service error", "isv.trade-not-exist", "交易不存在")
            trade = order.as_trade(set(params.get("fields", "").split(",")))
        return {"trade_fullinfo_get_response": {"trade": trade, "request_id": "rf"}}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeTOP/1.0"

    def do_POST(self) -> None:
        fake: FakeTaobao = self.server.fake  # type: ignore[attr-defined]
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
            pass  # the client gave up waiting (a planned timeout)

    def log_message(self, format: str, *args: object) -> None:
        pass
