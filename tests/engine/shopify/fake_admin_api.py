"""A real local HTTP server speaking the parts of Shopify's Admin API (2024-04)
that ``shopify_engine.admin_api`` uses, for the engine tests.

``ThreadingHTTPServer`` on 127.0.0.1 with an ephemeral port. It checks the
access token (401 with Shopify's own error text), paginates with opaque
``page_info`` cursors in ``Link`` headers (400 for a cursor it never issued or
one sent with other parameters), runs a REST leaky bucket
(``X-Shopify-Shop-Api-Call-Limit``) and a GraphQL cost bucket
(``extensions.cost.throttleStatus``) on an injectable clock, plays scripted
faults (a 429 with ``Retry-After``, a 503...) and records every request.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_PREFIX = "/admin/api/2024-04/"
INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
RATE_LIMITED_BODY = {
    "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
    "uninterrupted service."
}
FIRST_WEBHOOK_ID = 2**53 + 1  # ids beyond 2**53 must survive the client's JSON


class FakeClock:
    """A clock that only moves when someone sleeps on it; shared by the
    client (``sleep``/``clock``) and the server (bucket leaks)."""

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
    """One request the server received."""

    method: str
    path: str  # relative to the API prefix, e.g. "orders.json"
    query: str  # the raw query string
    headers: dict
    body: bytes

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()}


@dataclass
class Fault:
    """Answer the ``nth`` request to ``method path`` (1-based) with ``status``."""

    method: str
    path: str
    nth: int
    status: int
    headers: dict = field(default_factory=dict)
    body: Any = None


@dataclass
class _Cursor:
    resource: str
    start: int
    filters: dict
    limit: int


class FakeShopify:
    """The fake shop: state, scripted faults and the request log."""

    def __init__(
        self,
        *,
        orders: list[dict] = (),
        locations: list[dict] = (),
        inventory_levels: list[dict] = (),
        graphql_data: dict | None = None,
        token: str = "shpat_valid_token",
        clock: Callable[[], float] = time.monotonic,
        bucket_size: int = 40,
        leak_rate: float = 2.0,
        graphql_maximum: float = 1000.0,
        graphql_restore_rate: float = 50.0,
        graphql_cost: float = 10.0,
    ):
        self.orders = sorted(orders, key=lambda o: o["id"])
        self.locations = list(locations)
        self.inventory_levels = list(inventory_levels)
        self.graphql_data = graphql_data or {"shop": {"name": "Fake shop"}}
        self.token = token
        self.clock = clock
        self.bucket_size = bucket_size
        self.leak_rate = leak_rate
        self.bucket_used = 0.0
        self.graphql_maximum = graphql_maximum
        self.graphql_available = graphql_maximum
        self.graphql_restore_rate = graphql_restore_rate
        self.graphql_cost = graphql_cost
        self.webhooks: list[dict] = []
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self.issued_cursors: list[str] = []
        self._cursors: dict[str, _Cursor] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._last_leak = clock()
        self._graphql_seen = clock()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    def __enter__(self) -> FakeShopify:
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
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    # ------------------------------------------------------------------
    # Scripting and inspection
    # ------------------------------------------------------------------
    def add_fault(self, method: str, path: str, nth: int, status: int, **kwargs: Any) -> None:
        self.faults.append(Fault(method, path, nth, status, **kwargs))

    def revoke_token(self) -> None:
        """Every later request with the old token gets a 401."""
        self.token = "revoked-" + self.token

    def requests_to(self, path: str, method: str = "GET") -> list[Recorded]:
        return [r for r in self.requests if r.path == path and r.method == method]

    # ------------------------------------------------------------------
    # Request handling (called from the handler thread, under the lock)
    # ------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict, body: bytes):
        parts = urlsplit(raw_path)
        if not parts.path.startswith(API_PREFIX):
            return 404, {}, {"errors": "Not Found"}
        path = parts.path[len(API_PREFIX) :]
        with self._lock:
            self.requests.append(Recorded(method, path, parts.query, headers, body))
            key = (method, path)
            self._counts[key] = count = self._counts.get(key, 0) + 1
            if headers.get("x-shopify-access-token") != self.token:
                return 401, {}, INVALID_TOKEN_BODY
            for fault in self.faults:
                if (fault.method, fault.path, fault.nth) == (method, path, count):
                    self.faults.remove(fault)
                    return fault.status, fault.headers, fault.body or {"errors": "fault"}
            if path == "graphql.json" and method == "POST":
                return self._graphql(body)
            limited = self._leak_and_count()
            if limited:
                return limited
            status, extra, payload = self._rest(method, path, parse_qs(parts.query), body)
            extra["X-Shopify-Shop-Api-Call-Limit"] = f"{int(self.bucket_used)}/{self.bucket_size}"
            return status, extra, payload

    def _leak_and_count(self):
        now = self.clock()
        self.bucket_used = max(0.0, self.bucket_used - (now - self._last_leak) * self.leak_rate)
        self._last_leak = now
        if self.bucket_used + 1 > self.bucket_size:
            return 429, {"Retry-After": f"{1 / self.leak_rate:.1f}"}, RATE_LIMITED_BODY
        self.bucket_used += 1
        return None

    def _rest(self, method: str, path: str, query: dict, body: bytes):
        routes = {
            ("GET", "orders.json"): self._list_orders,
            ("GET", "locations.json"): lambda q: (200, {}, {"locations": self.locations}),
            ("GET", "inventory_levels.json"): self._list_inventory_levels,
            ("GET", "webhooks.json"): lambda q: self._paginate("webhooks", self.webhooks, q),
        }
        if (method, path) == ("POST", "webhooks.json"):
            return self._create_webhook(body)
        route = routes.get((method, path))
        if not route:
            return 404, {}, {"errors": "Not Found"}
        return route(query)

    # ------------------------------------------------------------------
    # Cursor pagination
    # ------------------------------------------------------------------
    def _issue_cursor(self, cursor: _Cursor) -> str:
        raw = json.dumps(
            {"r": cursor.resource, "last": cursor.start, "n": len(self.issued_cursors)},
            separators=(",", ":"),
        ).encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        self._cursors[token] = cursor
        self.issued_cursors.append(token)
        return token

    def _paginate(self, resource: str, rows: list, query: dict, filters: dict | None = None):
        """Filtered ``rows`` (callable filters re-applied on each page)."""
        limit_text = query.get("limit", ["50"])[0]
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 250:
            return 400, {}, {"errors": {"limit": "Invalid value."}}
        limit = int(limit_text)
        if "page_info" in query:
            others = set(query) - {"page_info", "limit", "fields"}
            if others:
                message = f"page_info cannot be combined with {', '.join(sorted(others))}"
                return 400, {}, {"errors": {"page_info": message}}
            cursor = self._cursors.get(query["page_info"][0])
            if cursor is None or cursor.resource != resource:
                return 400, {}, {"errors": {"page_info": "Invalid value."}}
            start, filters = cursor.start, cursor.filters
        else:
            start, filters = 0, filters or {}
        matching = [row for row in rows if all(check(row) for check in filters.values())]
        page = matching[start : start + limit]
        links = []
        url = f"{self.base_url}{resource}.json"
        if start > 0:
            token = self._issue_cursor(_Cursor(resource, max(0, start - limit), filters, limit))
            links.append(f'<{url}?limit={limit}&page_info={token}>; rel="previous"')
        if start + limit < len(matching):
            token = self._issue_cursor(_Cursor(resource, start + limit, filters, limit))
            links.append(f'<{url}?limit={limit}&page_info={token}>; rel="next"')
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, headers, {resource: page}

    def _list_orders(self, query: dict):
        filters: dict[str, Callable[[dict], bool]] = {}
        status = query.get("status", ["open"])[0]
        if status == "open":
            filters["status"] = lambda o: not o.get("cancelled_at") and not o.get("closed_at")
        elif status == "cancelled":
            filters["status"] = lambda o: bool(o.get("cancelled_at"))
        elif status != "any":
            return 400, {}, {"errors": {"status": "Invalid value."}}
        if "updated_at_min" in query:
            since = datetime.fromisoformat(query["updated_at_min"][0])
            filters["since"] = lambda o: datetime.fromisoformat(o["updated_at"]) >= since
        return self._paginate("orders", self.orders, query, filters)

    def _list_inventory_levels(self, query: dict):
        if "page_info" not in query and not (
            "location_ids" in query or "inventory_item_ids" in query
        ):
            return 422, {}, {"errors": "location_ids or inventory_item_ids is required"}
        filters = {}
        if "location_ids" in query:
            wanted = set(query["location_ids"][0].split(","))
            filters["location"] = lambda lvl: str(lvl["location_id"]) in wanted
        return self._paginate("inventory_levels", self.inventory_levels, query, filters)

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------
    def _create_webhook(self, body: bytes):
        webhook = (json.loads(body or b"{}") or {}).get("webhook") or {}
        topic, address = webhook.get("topic"), webhook.get("address")
        if not topic or not address:
            return 422, {}, {"errors": {"topic": ["can't be blank"]}}
        if any(w["topic"] == topic and w["address"] == address for w in self.webhooks):
            return 422, {}, {"errors": {"address": ["for this topic has already been taken"]}}
        created = {
            "id": FIRST_WEBHOOK_ID + len(self.webhooks),
            "address": address,
            "topic": topic,
            "format": webhook.get("format", "json"),
            "api_version": "2024-04",
            "fields": [],
            "metafield_namespaces": [],
        }
        self.webhooks.append(created)
        return 201, {}, {"webhook": created}

    # ------------------------------------------------------------------
    # GraphQL cost bucket
    # ------------------------------------------------------------------
    def _graphql(self, body: bytes):
        json.loads(body)  # a malformed body would be a client bug: let it raise
        now = self.clock()
        self.graphql_available = min(
            self.graphql_maximum,
            self.graphql_available + (now - self._graphql_seen) * self.graphql_restore_rate,
        )
        self._graphql_seen = now
        cost = self.graphql_cost
        throttled = cost > self.graphql_available + 1e-6  # float noise of the shared clock
        if not throttled:
            self.graphql_available = max(0.0, self.graphql_available - cost)
        extensions = {
            "cost": {
                "requestedQueryCost": cost,
                "actualQueryCost": None if throttled else cost,
                "throttleStatus": {
                    "maximumAvailable": self.graphql_maximum,
                    "currentlyAvailable": self.graphql_available,
                    "restoreRate": self.graphql_restore_rate,
                },
            }
        }
        if throttled:
            error = {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
            return 200, {}, {"errors": [error], "extensions": extensions}
        return 200, {}, {"data": self.graphql_data, "extensions": extensions}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeShopify
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms stalls)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, payload = self.fake.handle(method, self.path, headers, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""
