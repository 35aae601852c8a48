"""A real local HTTP server speaking the parts of the Lightspeed R-Series
(V3) and X-Series (REST 2.0) APIs the engine uses, for the engine tests.

``ThreadingHTTPServer`` on 127.0.0.1, ephemeral port. R-Series: bearer token
check (401 with the recorded expired-token body), OAuth token endpoint
(refresh and code grants, rotating refresh tokens), a leaky bucket on an
injectable clock (``X-LS-API-Bucket-Level: used/size``,
``X-LS-API-Drip-Rate``; GET 1 unit, writes 10; 429 when full), ``timeStamp``
filters with the ``>=,<value>`` operator syntax, ``@attributes.next`` paging
and Order/OrderLine creation. X-Series: ``after``/``page_size`` version
paging with ``version.max`` and consignments. Scripted faults: any status
with headers, or a delay *after* the request was applied (a response slower
than the client's timeout).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

R_PREFIX = "/API/V3/Account/"
X_PREFIX = "/api/2.0/"
R_TOKEN_PATH = "/auth/oauth/token"
X_TOKEN_PATH = "/api/1.0/token"
EXPIRED_BODY = {
    "httpCode": "401",
    "httpMessage": "Unauthorized",
    "message": "Invalid username/password or API key.",
    "errorClass": "BadAuthenticationRequestError",
}
RATE_LIMITED_BODY = {"httpCode": "429", "message": "Rate limit exceeded."}
X_RATE_LIMITED_BODY = {"error": "Too Many Requests", "message": "Rate limiting enforced"}


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: str
    headers: dict
    body: bytes

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()}


@dataclass
class Fault:
    """Answer the ``nth`` request to ``method path`` with ``status``, or (with
    ``delay``) apply it and answer ``delay`` seconds late."""

    method: str
    path: str
    nth: int
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _compare(op: str, left: str, right: str) -> bool:
    a, b = _stamp(left), _stamp(right)
    return {
        "=": a == b,
        ">": a > b,
        ">=": a >= b,
        "<": a < b,
        "<=": a <= b,
    }[op]


class FakeLightspeed:
    """The fake account and store: state, faults and the request log."""

    def __init__(
        self,
        *,
        account_id: str = "120645",
        sales: list[dict] = (),
        items: list[dict] = (),
        vendors: list[dict] = (),
        shops: list[dict] = (),
        x_sales: list[dict] = (),
        x_inventory: list[dict] = (),
        x_suppliers: list[dict] = (),
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        bucket_size: float = 60.0,
        drip_rate: float = 1.0,
        access_token: str = "access-1",
        refresh_token: str = "refresh-1",
    ):
        self.account_id = account_id
        self.sales = list(sales)
        self.items = list(items)
        self.vendors = list(vendors)
        self.shops = list(shops)
        self.orders: list[dict] = []
        self.x_sales = list(x_sales)
        self.x_inventory = list(x_inventory)
        self.x_suppliers = list(x_suppliers)
        self.consignments: list[dict] = []
        self.consignment_products: dict[str, list[dict]] = {}
        self.clock = clock
        self.wall_clock = wall_clock
        self.bucket_size = bucket_size
        self.drip_rate = drip_rate
        self.bucket_used = 0.0
        self._last_leak = clock()
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.codes = {"good-code"}
        self.token_requests: list[dict] = []
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self._counts: dict[tuple[str, str], int] = {}
        self._cursors: dict[str, tuple[str, dict, int]] = {}
        self._next_id = 100
        self._version = 9_000_000
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    def __enter__(self) -> FakeLightspeed:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def r_base_url(self) -> str:
        return f"{self.root}{R_PREFIX}{self.account_id}/"

    @property
    def x_base_url(self) -> str:
        return f"{self.root}{X_PREFIX}"

    @property
    def r_token_url(self) -> str:
        return f"{self.root}{R_TOKEN_PATH}"

    @property
    def x_token_url(self) -> str:
        return f"{self.root}{X_TOKEN_PATH}"

    def add_fault(self, method: str, path: str, nth: int, status: int = 200, **kw: Any) -> None:
        self.faults.append(Fault(method, path, nth, status, **kw))

    def expire_token(self) -> None:
        self.access_token = "expired-" + self.access_token

    def requests_to(self, path: str, method: str = "GET") -> list[Recorded]:
        return [r for r in self.requests if r.path == path and r.method == method]

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _new_version(self) -> int:
        self._version += 7
        return self._version

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict, body: bytes):
        """(status, headers, payload, delay after applying)."""
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append(Recorded(method, path, parts.query, headers, body))
            key = (method, path)
            self._counts[key] = count = self._counts.get(key, 0) + 1
            if path in (R_TOKEN_PATH, X_TOKEN_PATH) and method == "POST":
                return (*self._token(body), 0.0)
            is_r = path.startswith(R_PREFIX) or path == "/API/V3/Account.json"
            extra: dict[str, str] = {}
            if is_r:
                limited = self._leak_and_count(10.0 if method != "GET" else 1.0)
                extra = self._bucket_headers()
                if limited:
                    return 429, {**extra, "Retry-After": "3"}, RATE_LIMITED_BODY, 0.0
            if headers.get("authorization") != f"Bearer {self.access_token}":
                return 401, extra, EXPIRED_BODY, 0.0
            delay = 0.0
            for fault in list(self.faults):
                if (fault.method, fault.path, fault.nth) == (method, path, count):
                    self.faults.remove(fault)
                    if not fault.delay:
                        merged = {**extra, **fault.headers}
                        return fault.status, merged, fault.body or {"error": "fault"}, 0.0
                    delay = fault.delay
            if is_r:
                status, more, payload = self._rseries(method, path, query, body)
            else:
                status, more, payload = self._xseries(method, path, query, body)
            return status, {**extra, **more}, payload, delay

    # ------------------------------------------------------------------
    # OAuth
    # ------------------------------------------------------------------
    def _token(self, body: bytes):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.token_requests.append(form)
        grant = form.get("grant_type")
        if grant == "refresh_token" and form.get("refresh_token") == self.refresh_token:
            pass
        elif grant == "authorization_code" and form.get("code") in self.codes:
            self.codes.discard(form["code"])
        else:
            return 400, {}, {"error": "invalid_grant"}
        number = len(self.token_requests) + 1
        self.access_token = f"access-{number}"
        self.refresh_token = f"refresh-{number}"
        return (
            200,
            {},
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": 3600,
                "token_type": "Bearer",
                "scope": "employee:all",
            },
        )

    # ------------------------------------------------------------------
    # R-Series
    # ------------------------------------------------------------------
    def _leak_and_count(self, cost: float) -> bool:
        now = self.clock()
        self.bucket_used = max(0.0, self.bucket_used - (now - self._last_leak) * self.drip_rate)
        self._last_leak = now
        if self.bucket_used + cost > self.bucket_size + 1e-9:
            return True
        self.bucket_used += cost
        return False

    def _bucket_headers(self) -> dict[str, str]:
        return {
            "X-LS-API-Bucket-Level": f"{self.bucket_used:.4f}/{self.bucket_size:g}",
            "X-LS-API-Drip-Rate": f"{self.drip_rate:g}",
        }

    def _rseries(self, method: str, path: str, query: dict, body: bytes):
        if path == "/API/V3/Account.json":
            account = {"accountID": self.account_id, "name": "Fake account"}
            return 200, {}, {"@attributes": {"count": "1"}, "Account": account}
        resource = path[len(R_PREFIX) + len(self.account_id) + 1 :].removesuffix(".json")
        if method == "POST" and resource == "Order":
            return self._create_order(json.loads(body))
        if method == "POST" and resource == "OrderLine":
            return self._create_order_line(json.loads(body))
        tables = {
            "Sale": self.sales,
            "Item": self.items,
            "Vendor": self.vendors,
            "Shop": self.shops,
            "Order": self.orders,
        }
        if method != "GET" or resource not in tables:
            return 404, {}, {"httpCode": "404", "message": "not found"}
        return self._list(resource, tables[resource], query)

    def _filters(self, query: dict) -> dict[str, str]:
        reserved = {"limit", "offset", "after", "load_relations", "sort"}
        return {k: v[0] for k, v in query.items() if k not in reserved}

    def _matches(self, row: dict, filters: dict[str, str]) -> bool:
        for name, condition in filters.items():
            op, sep, value = condition.partition(",")
            if not sep:
                op, value = "=", condition
            if name == "timeStamp":
                if not _compare(op, str(row.get(name)), value):
                    return False
            elif str(row.get(name)) != value:
                return False
        return True

    def _list(self, resource: str, table: list[dict], query: dict):
        limit = int(query.get("limit", ["100"])[0])
        if not 1 <= limit <= 100:
            return 400, {}, {"httpCode": "400", "message": "limit must be 1-100"}
        if "after" in query:
            token = query["after"][0]
            if token not in self._cursors or self._cursors[token][0] != resource:
                return 400, {}, {"httpCode": "400", "message": "bad after cursor"}
            _, filters, start = self._cursors[token]
        else:
            filters, start = self._filters(query), 0
        matching = [row for row in table if self._matches(row, filters)]
        if query.get("sort", [""])[0] == "timeStamp" or "after" in query:
            matching.sort(key=lambda row: (_stamp(row["timeStamp"]), int(row.get("saleID", 0))))
        page = matching[start : start + limit]
        attributes = {"next": "", "previous": ""}
        if start + limit < len(matching):
            token = f"c{len(self._cursors) + 1}"
            self._cursors[token] = (resource, filters, start + limit)
            attributes["next"] = f"{self.r_base_url}{resource}.json?limit={limit}&after={token}"
        payload = {"@attributes": attributes}
        if page:
            payload[resource] = page[0] if len(page) == 1 else page  # the collapse quirk
        return 200, {}, payload

    def _create_order(self, body: dict):
        order = {
            "orderID": self._new_id(),
            "vendorID": str(body["vendorID"]),
            "shopID": str(body["shopID"]),
            "complete": "false",
            "archived": "false",
            "timeStamp": "2026-11-27T10:00:00+00:00",
            "Note": {"note": (body.get("Note") or {}).get("note", ""), "isPublic": "false"},
        }
        self.orders.append(order)
        return 200, {}, {"@attributes": {"count": "1"}, "Order": order}

    def _create_order_line(self, body: dict):
        order = next((o for o in self.orders if o["orderID"] == str(body["orderID"])), None)
        if not order:
            return 400, {}, {"httpCode": "400", "message": "Order not found"}
        line = {
            "orderLineID": self._new_id(),
            "orderID": order["orderID"],
            "itemID": str(body["itemID"]),
            "quantity": str(body["quantity"]),
            "price": str(body.get("price", "0")),
        }
        lines = order.setdefault("OrderLines", {"OrderLine": []})["OrderLine"]
        lines.append(line)
        return 200, {}, {"@attributes": {"count": "1"}, "OrderLine": line}

    # ------------------------------------------------------------------
    # X-Series
    # ------------------------------------------------------------------
    def _xseries(self, method: str, path: str, query: dict, body: bytes):
        resource = path[len(X_PREFIX) :].strip("/")
        if method == "POST" and resource == "consignments":
            return self._create_consignment(json.loads(body))
        if method == "POST" and resource.endswith("/products"):
            return self._add_consignment_product(resource.split("/")[1], json.loads(body))
        tables = {
            "sales": self.x_sales,
            "inventory": self.x_inventory,
            "suppliers": self.x_suppliers,
            "consignments": self.consignments,
        }
        if resource.startswith("consignments/") and resource.endswith("/products"):
            table = self.consignment_products.get(resource.split("/")[1], [])
        elif resource in tables:
            table = tables[resource]
        else:
            return 404, {}, {"error": "Not Found"}
        after = int(query.get("after", ["0"])[0] or 0)
        size = int(query.get("page_size", ["100"])[0])
        wanted = {k: v[0] for k, v in query.items() if k not in ("after", "page_size")}
        rows = sorted(
            (
                r
                for r in table
                if r["version"] > after and all(str(r.get(k)) == v for k, v in wanted.items())
            ),
            key=lambda r: r["version"],
        )[:size]
        if not rows:
            return 200, {}, {"data": [], "version": {"min": None, "max": None}}
        versions = [r["version"] for r in rows]
        return 200, {}, {"data": rows, "version": {"min": min(versions), "max": max(versions)}}

    def _create_consignment(self, body: dict):
        consignment = {**body, "id": f"cons-{self._new_id()}", "version": self._new_version()}
        self.consignments.append(consignment)
        self.consignment_products[consignment["id"]] = []
        return 201, {}, {"data": consignment}

    def _add_consignment_product(self, consignment_id: str, body: dict):
        if consignment_id not in self.consignment_products:
            return 404, {}, {"error": "Not Found"}
        row = {**body, "version": self._new_version()}
        self.consignment_products[consignment_id].append(row)
        return 201, {}, {"data": row}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLightspeed
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, payload, delay = self.fake.handle(method, self.path, headers, body)
        if delay:
            time.sleep(delay)  # applied already; the answer comes too late
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""
