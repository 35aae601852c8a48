"""Lightspeed Retail R-Series API client (polling; R-Series has no webhooks).

* Base URL ``https://api.lightspeedapp.com/API/V3/Account/{accountID}/``
  (configurable; the legacy ``api.merchantos.com/API/Account/{id}/`` answers
  the same JSON).
* OAuth 2 authorization code: :data:`AUTHORIZE_URL`, :data:`TOKEN_URL` (both
  configurable through :class:`~lightspeed_engine.transport.OAuthApp`). A 401
  (recorded body ``{"httpCode": "401", "message": "Invalid username/password
  or API key."}``) triggers one refresh and a retry.
* Leaky bucket: ``X-LS-API-Bucket-Level: used/size`` and
  ``X-LS-API-Drip-Rate`` (units per second). A GET costs 1 unit, a
  POST/PUT/DELETE 10. Before each request the client drains the last seen
  level at the drip rate and sleeps until the request's cost fits.
* Lists: ``@attributes`` holds ``count``/``offset``/``limit`` (legacy offset
  paging) or, in V3, ``next``/``previous`` URLs; the client follows ``next``
  when present, else pages by ``offset``. ``limit`` is at most 100.
* Filters use the API's operator syntax: ``timeStamp=>=,2026-01-01T00:00:00+00:00``;
  relations come with ``load_relations=["SaleLines","SaleLines.Item"]``.

Incremental sales: :meth:`RSeriesClient.iter_sales` reads Sales whose
``timeStamp`` is ``>=`` the cursor's, sorted by ``timeStamp``, and skips those
already read at exactly that time stamp. Persist ``page.cursor`` after each
page: an interrupted run resumes where it stopped and never skips a sale that
shares its time stamp with the last one read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from .common import number, text
from .rseries import api_error, as_list, relation, rows, rs_id
from .transport import (
    BaseClient,
    LightspeedAPIError,
    LightspeedUnknownOutcome,
    OAuthApp,
    Tokens,
    body_or_text,
)

API_BASE = "https://api.lightspeedapp.com/API/V3/Account/{account_id}/"
AUTHORIZE_URL = "https://cloud.lightspeedapp.com/auth/oauth/authorize"
TOKEN_URL = "https://cloud.lightspeedapp.com/auth/oauth/token"
DEFAULT_SCOPE = "employee:register employee:inventory"
BUCKET_HEADER = "X-LS-API-Bucket-Level"
DRIP_HEADER = "X-LS-API-Drip-Rate"
READ_COST = 1.0
WRITE_COST = 10.0
MAX_LIMIT = 100
SALE_RELATIONS = ("SaleLines", "SaleLines.Item")
REFERENCE_MARKER = "odoo-ref:"


def oauth_app(
    client_id: str,
    client_secret: str,
    redirect_uri: str | None = None,
    token_url: str = TOKEN_URL,
    authorize_url: str = AUTHORIZE_URL,
) -> OAuthApp:
    """The R-Series OAuth endpoints for an app (overridable for tests)."""
    return OAuthApp(client_id, client_secret, token_url, authorize_url, redirect_uri)


def operator(op: str, value: Any) -> str:
    """An R-Series filter value: ``operator(">=", ts)`` -> ``">=,<ts>"``."""
    if op not in ("=", "!=", ">", ">=", "<", "<=", "~", "!~"):
        raise ValueError(f"unknown R-Series query operator {op!r}")
    return f"{op},{value}"


def relations(names: Iterable[str]) -> str:
    """The ``load_relations`` value: a JSON array of relation names."""
    return json.dumps(list(names), separators=(",", ":"))


def _time_key(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@dataclass
class LeakyBucket:
    """The last bucket level the API reported, drained at the drip rate."""

    size: float = 60.0
    used: float = 0.0
    drip_rate: float = 1.0
    seen_at: float | None = None

    def level(self, now: float) -> float:
        if self.seen_at is None:
            return self.used
        return max(0.0, self.used - (now - self.seen_at) * self.drip_rate)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds to wait until ``cost`` units fit in the bucket."""
        overflow = self.level(now) + cost - self.size
        if overflow <= 0 or self.drip_rate <= 0:
            return 0.0
        return overflow / self.drip_rate

    def update(self, level_header: str | None, drip_header: str | None, now: float) -> bool:
        """Read ``used/size`` and the drip rate; False when the header is absent."""
        try:
            used, size = (float(part) for part in (level_header or "").split("/"))
        except ValueError:
            return False
        self.used, self.size, self.seen_at = used, size, now
        drip = number(drip_header)
        if drip and drip > 0:
            self.drip_rate = drip
        return True


@dataclass(frozen=True)
class SaleCursor:
    """Where the sales sync stopped: the last ``timeStamp`` read and the ids
    of the Sales read at exactly that time stamp."""

    time_stamp: str
    sale_ids: tuple[str, ...] = ()

    @property
    def last_id(self) -> str | None:
        return self.sale_ids[-1] if self.sale_ids else None

    def to_json(self) -> str:
        return json.dumps({"timeStamp": self.time_stamp, "saleIDs": list(self.sale_ids)})

    @classmethod
    def from_json(cls, value: str | None) -> SaleCursor | None:
        if not value:
            return None
        data = json.loads(value)
        return cls(str(data["timeStamp"]), tuple(str(i) for i in data.get("saleIDs") or ()))

    def advance(self, sales: Iterable[dict]) -> SaleCursor:
        """The cursor after reading ``sales``."""
        stamp, ids = self.time_stamp, list(self.sale_ids)
        for sale in sales:
            sale_stamp = text(sale.get("timeStamp"))
            sale_id = rs_id(sale.get("saleID"))
            if not sale_stamp or not sale_id:
                continue
            if not stamp or _time_key(sale_stamp) > _time_key(stamp):
                stamp, ids = sale_stamp, [sale_id]
            elif _time_key(sale_stamp) == _time_key(stamp) and sale_id not in ids:
                ids.append(sale_id)
        return SaleCursor(stamp, tuple(ids))

    def already_read(self, sale: dict) -> bool:
        stamp = text(sale.get("timeStamp"))
        if not stamp or not self.time_stamp:
            return False
        key, mine = _time_key(stamp), _time_key(self.time_stamp)
        return key < mine or (key == mine and rs_id(sale.get("saleID")) in self.sale_ids)


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and what fetched it."""

    items: list[dict]
    count: int | None = None
    next_url: str | None = None


@dataclass(frozen=True)
class SalePage:
    """New Sales of one page and the cursor to persist after handling them."""

    sales: list[dict]
    cursor: SaleCursor
    skipped: int = 0  # rows already read before (same time stamp and id)


@dataclass(frozen=True)
class OrderLineSpec:
    """One line of a purchase order to push."""

    item_id: str
    quantity: float
    price: float | None = None


@dataclass
class OrderResult:
    """What :meth:`RSeriesClient.create_purchase_order` did."""

    order: dict
    created: bool
    lines_created: list[str] = field(default_factory=list)
    lines_existing: list[str] = field(default_factory=list)

    @property
    def order_id(self) -> str:
        return str(rs_id(self.order.get("orderID")))


class RSeriesClient(BaseClient):
    """R-Series client for one account."""

    service = "Lightspeed R-Series"

    def __init__(
        self,
        account_id: str,
        tokens: Tokens | str,
        *,
        base_url: str | None = None,
        oauth: OAuthApp | None = None,
        on_tokens: Callable[[Tokens], Any] | None = None,
        session: requests.Session | None = None,
        bucket: LeakyBucket | None = None,
        **kwargs: Any,
    ):
        self.account_id = str(account_id)
        super().__init__(
            base_url or API_BASE.format(account_id=self.account_id),
            tokens,
            oauth=oauth,
            on_tokens=on_tokens,
            session=session,
            **kwargs,
        )
        self.bucket = bucket or LeakyBucket()

    # ------------------------------------------------------------------
    # Rate limit
    # ------------------------------------------------------------------
    def _before_request(self, method: str) -> None:
        cost = READ_COST if method == "GET" else WRITE_COST
        seconds = self.bucket.wait_for(cost, self.clock())
        if seconds > 0:
            self._wait(
                f"bucket {self.bucket.level(self.clock()):.1f}/{self.bucket.size:g}", seconds
            )

    def _after_response(self, method: str, response: requests.Response) -> None:
        self.bucket.update(
            response.headers.get(BUCKET_HEADER), response.headers.get(DRIP_HEADER), self.clock()
        )

    def _default_429_wait(self) -> float:
        # Without Retry-After: wait for a write's worth of units to drip out.
        return max(self.default_retry_after, WRITE_COST / (self.bucket.drip_rate or 1.0))

    def _error_text(self, response: requests.Response) -> str:
        return api_error(body_or_text(response))

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------
    def pages(
        self, resource: str, params: dict | None = None, limit: int = MAX_LIMIT
    ) -> Iterator[Page]:
        """Every page of ``<resource>.json``: follows ``@attributes.next``
        (V3), else pages by ``offset`` up to ``@attributes.count``."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        url: str = f"{resource}.json"
        query: dict | None = {**(params or {}), "limit": limit}
        offset = 0
        while True:
            body = self.get_json(url, query)
            attributes = body.get("@attributes") or {} if isinstance(body, dict) else {}
            items = rows(body, resource)
            count = number(attributes.get("count"))
            next_url = text(attributes.get("next"))
            yield Page(items, int(count) if count is not None else None, next_url)
            if next_url:
                url, query = next_url, None
                continue
            if "next" in attributes or not items:
                return
            offset += len(items)
            if count is None or offset >= count:
                return
            query = {**(params or {}), "limit": limit, "offset": offset}

    def iter_sales(
        self,
        cursor: SaleCursor | None = None,
        since: str | None = None,
        limit: int = MAX_LIMIT,
        extra_params: dict | None = None,
    ) -> Iterator[SalePage]:
        """Pages of Sales changed at or after the cursor (or ``since``), with
        their lines and items; persist ``page.cursor`` after each page."""
        cursor = cursor or SaleCursor(since or "")
        params: dict[str, Any] = {
            "load_relations": relations(SALE_RELATIONS),
            "sort": "timeStamp",
            **(extra_params or {}),
        }
        if cursor.time_stamp:
            params["timeStamp"] = operator(">=", cursor.time_stamp)
        for page in self.pages("Sale", params, limit):
            fresh = [sale for sale in page.items if not cursor.already_read(sale)]
            cursor = cursor.advance(fresh)
            yield SalePage(fresh, cursor, len(page.items) - len(fresh))

    def iter_items(self, limit: int = MAX_LIMIT, since: str | None = None) -> Iterator[Page]:
        """Pages of Items with their ItemShops (per-shop quantity on hand)."""
        params: dict[str, Any] = {"load_relations": relations(["ItemShops"])}
        if since:
            params["timeStamp"] = operator(">=", since)
        return self.pages("Item", params, limit)

    def list_vendors(self) -> list[dict]:
        """Every Vendor with its Contact."""
        params = {"load_relations": relations(["Contact"])}
        return [row for page in self.pages("Vendor", params) for row in page.items]

    def list_shops(self) -> list[dict]:
        """Every Shop of the account."""
        return [row for page in self.pages("Shop") for row in page.items]

    def get_account(self) -> dict:
        """The Account record (``GET Account.json`` on the account base)."""
        base = self.base_url.rstrip("/")
        url = base.rsplit("/", 1)[0] + ".json" if base.endswith(self.account_id) else "Account.json"
        found = rows(self.get_json(url), "Account")
        if not found:
            raise LightspeedAPIError("the Account response holds no Account")
        for account in found:
            if rs_id(account.get("accountID")) == self.account_id:
                return account
        return found[0]

    # ------------------------------------------------------------------
    # Purchase orders (idempotent)
    # ------------------------------------------------------------------
    @staticmethod
    def reference_note(reference: str, note: str = "") -> str:
        """The Order note carrying our reference (``odoo-ref:<reference>``)."""
        marker = f"{REFERENCE_MARKER}{reference}"
        return f"{note}\n{marker}".strip() if note else marker

    def find_order_by_reference(
        self, reference: str, vendor_id: str, shop_id: str | None = None
    ) -> dict | None:
        """The open Order of this vendor whose note carries our reference."""
        params: dict[str, Any] = {
            "vendorID": vendor_id,
            "complete": "false",
            "archived": "false",
            "load_relations": relations(["Note", "OrderLines"]),
        }
        if shop_id:
            params["shopID"] = shop_id
        marker = f"{REFERENCE_MARKER}{reference}"
        for page in self.pages("Order", params):
            for order in page.items:
                note = order.get("Note") if isinstance(order.get("Note"), dict) else {}
                if marker in (text(note.get("note")) or "").split():
                    return order
        return None

    def _post_or_find(
        self, path: str, body: dict, find: Callable[[], dict | None], key: str
    ) -> tuple[dict, bool]:
        """POST ``body``; after an unknown outcome look it up with ``find``
        before posting again. Returns (record, created by this call)."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                created = rows(self.json(self.request("POST", path, json_body=body)), key)
            except LightspeedUnknownOutcome:
                existing = find()
                if existing:
                    return existing, True
                if attempt == self.max_attempts:
                    raise
                self._wait("unknown outcome back-off", self._backoff(attempt))
                continue
            if not created:
                raise LightspeedAPIError(f"POST {path} answered without a {key}")
            return created[0], True
        raise AssertionError("unreachable")  # pragma: no cover

    def create_purchase_order(
        self,
        reference: str,
        vendor_id: str,
        shop_id: str,
        lines: Iterable[OrderLineSpec],
        *,
        note: str = "",
        extra: dict | None = None,
    ) -> OrderResult:
        """Create (or find) the purchase Order carrying ``reference`` and make
        sure it has every line; safe to call again after any failure."""
        lines = list(lines)
        existing = self.find_order_by_reference(reference, vendor_id, shop_id)
        if existing:
            order, created = existing, False
        else:
            body = {
                "vendorID": str(vendor_id),
                "shopID": str(shop_id),
                "Note": {"note": self.reference_note(reference, note), "isPublic": "false"},
                **(extra or {}),
            }
            order, created = self._post_or_find(
                "Order.json",
                body,
                lambda: self.find_order_by_reference(reference, vendor_id, shop_id),
                "Order",
            )
        result = OrderResult(order, created)
        self._ensure_lines(result, lines, reference, vendor_id, shop_id)
        return result

    def _order_item_ids(self, order: dict) -> set[str]:
        return {
            str(rs_id(line.get("itemID"))) for line in relation(order, "OrderLines", "OrderLine")
        }

    def _ensure_lines(
        self,
        result: OrderResult,
        lines: list[OrderLineSpec],
        reference: str,
        vendor_id: str,
        shop_id: str,
    ) -> None:
        order_id = result.order_id
        present = self._order_item_ids(result.order)

        def refreshed_ids() -> set[str]:
            order = self.find_order_by_reference(reference, vendor_id, shop_id) or {}
            return self._order_item_ids(order)

        for spec in lines:
            item_id = str(spec.item_id)
            if item_id in present:
                result.lines_existing.append(item_id)
                continue
            body = {"orderID": order_id, "itemID": item_id, "quantity": _num(spec.quantity)}
            if spec.price is not None:
                body["price"] = _num(spec.price)

            def find_line(item_id: str = item_id) -> dict | None:
                return {"itemID": item_id} if item_id in refreshed_ids() else None

            self._post_or_find("OrderLine.json", body, find_line, "OrderLine")
            present.add(item_id)
            result.lines_created.append(item_id)


def _num(value: float) -> str:
    """R-Series takes numbers as strings; ``2.0`` -> ``"2"``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a URL (``next`` links), for tests and logs."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


__all__ = [
    "API_BASE",
    "AUTHORIZE_URL",
    "DEFAULT_SCOPE",
    "TOKEN_URL",
    "LeakyBucket",
    "OrderLineSpec",
    "OrderResult",
    "Page",
    "RSeriesClient",
    "SaleCursor",
    "SalePage",
    "as_list",
    "oauth_app",
    "operator",
    "relations",
]
