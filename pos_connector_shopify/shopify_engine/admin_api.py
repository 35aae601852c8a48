"""A small Shopify Admin API client (REST + GraphQL) on ``requests.Session``.

* Auth: header ``X-Shopify-Access-Token``. A 401 (token invalid, expired or
  revoked, e.g. the app was uninstalled) raises :class:`ShopifyAuthError` at
  once; retrying cannot help.
* REST pagination: cursor in the ``Link`` header (``rel="next"``); the
  ``page_info`` value is used unchanged and only ``limit`` may accompany it.
  Each :class:`Page` carries the cursor that fetched it and the next one, so a
  caller can persist ``next_page_info`` and resume after an interruption.
* REST rate limit (leaky bucket): ``X-Shopify-Shop-Api-Call-Limit: used/max``;
  the client pauses when fewer than ``rest_headroom`` calls are left, waits
  ``Retry-After`` seconds on a 429, and backs off exponentially on a 5xx or a
  network error, for at most ``max_attempts`` attempts.
* GraphQL: calculated query cost; ``extensions.cost.throttleStatus`` tells what
  is available and the restore rate. Before a query the client waits until
  its expected cost is available, and on a ``THROTTLED`` error it waits and
  retries.

``sleep`` and ``clock`` are injectable, so tests run fast and still see every
wait requested (also kept in :attr:`ShopifyAdminClient.waits`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

_logger = logging.getLogger(__name__)

DEFAULT_API_VERSION = "2024-04"
CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
TOKEN_HEADER = "X-Shopify-Access-Token"
MAX_PAGE_LIMIT = 250
MAX_IDS_PER_REQUEST = 50


class ShopifyAPIError(RuntimeError):
    """The Admin API refused a request or stayed unavailable."""

    def __init__(self, message: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


class ShopifyAuthError(ShopifyAPIError):
    """401: the access token is invalid, expired or revoked. Not retried."""


@dataclass(frozen=True)
class Page:
    """One page of a REST list: its rows and the cursors around it."""

    items: list[dict]
    page_info: str | None  # the cursor that fetched this page (None: the first page)
    next_page_info: str | None  # persist this to resume after this page

    @property
    def is_last(self) -> bool:
        return self.next_page_info is None


@dataclass(frozen=True)
class Wait:
    """A pause the client asked for, and why."""

    reason: str
    seconds: float


@dataclass(frozen=True)
class CallLimit:
    """``X-Shopify-Shop-Api-Call-Limit: used/maximum``."""

    used: int
    maximum: int

    @classmethod
    def parse(cls, value: str | None) -> CallLimit | None:
        try:
            used, maximum = (int(part) for part in (value or "").split("/"))
        except ValueError:
            return None
        return cls(used, maximum) if maximum > 0 else None


@dataclass(frozen=True)
class ThrottleStatus:
    """GraphQL ``extensions.cost``: the bucket after (or before) a query."""

    maximum_available: float
    currently_available: float
    restore_rate: float
    requested_cost: float | None = None
    actual_cost: float | None = None

    @classmethod
    def from_response(cls, body: Any) -> ThrottleStatus | None:
        cost = (body or {}).get("extensions", {}).get("cost") if isinstance(body, dict) else None
        status = (cost or {}).get("throttleStatus")
        if not isinstance(status, dict):
            return None
        try:
            return cls(
                maximum_available=float(status["maximumAvailable"]),
                currently_available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                requested_cost=_optional_float(cost.get("requestedQueryCost")),
                actual_cost=_optional_float(cost.get("actualQueryCost")),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class WebhookRegistration:
    """What :meth:`ShopifyAdminClient.register_webhooks` did."""

    created: list[dict] = field(default_factory=list)
    existing: list[dict] = field(default_factory=list)


def _optional_float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def parse_link_header(value: str | None) -> dict[str, str]:
    """``<url>; rel="previous", <url>; rel="next"`` -> ``{"previous": url, "next": url}``."""
    links: dict[str, str] = {}
    for part in (value or "").split(","):
        section = part.strip()
        if not section.startswith("<") or ">" not in section:
            continue
        url, _, params = section[1:].partition(">")
        for param in params.split(";"):
            name, _, rel = param.strip().partition("=")
            if name.strip().lower() == "rel":
                for rel_name in rel.strip().strip('"').split():
                    links[rel_name.lower()] = url.strip()
    return links


def page_info_from_url(url: str) -> str | None:
    """The raw ``page_info`` of a ``Link`` URL, exactly as written (not decoded)."""
    for pair in urlsplit(url).query.split("&"):
        name, _, value = pair.partition("=")
        if name == "page_info":
            return value or None
    return None


def retry_after_seconds(value: str | None, default: float, now: float | None = None) -> float:
    """``Retry-After`` as seconds: a number (Shopify) or an HTTP date."""
    if value:
        seconds = _optional_float(value)
        if seconds is not None:
            return max(0.0, seconds)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        current = time.time() if now is None else now
        return max(0.0, moment.timestamp() - current)
    return default


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class ShopifyAdminClient:
    """Admin API client for one shop and one access token."""

    def __init__(
        self,
        shop: str,
        access_token: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        default_retry_after: float = 2.0,
        rest_headroom: int = 3,
        rest_leak_rate: float = 2.0,
    ):
        if not access_token:
            raise ShopifyAuthError("no Shopify access token is configured")
        domain = shop.strip().removeprefix("https://").removeprefix("http://").strip("/")
        self.shop = domain
        self.base_url = (base_url or f"https://{domain}/admin/api/{api_version}/").rstrip("/") + "/"
        self.session = session or requests.Session()
        self.session.headers.update({TOKEN_HEADER: access_token, "Accept": "application/json"})
        self.sleep = sleep
        self.clock = clock
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.default_retry_after = default_retry_after
        self.rest_headroom = rest_headroom
        self.rest_leak_rate = rest_leak_rate
        self.waits: list[Wait] = []
        self.call_limit: CallLimit | None = None
        self.throttle: ThrottleStatus | None = None
        self._throttle_seen_at = 0.0

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------
    def url(self, path: str) -> str:
        """Absolute URL of an API path (``orders.json``) or an absolute URL as is."""
        return urljoin(self.base_url, path.lstrip("/")) if "://" not in path else path

    def _wait(self, reason: str, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.waits.append(Wait(reason, seconds))
        _logger.info("Shopify %s: waiting %.2f s (%s)", self.shop, seconds, reason)
        if seconds:
            self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))

    def request(
        self, method: str, path: str, *, params: dict | None = None, json_body: Any = None
    ) -> requests.Response:
        """One API call with the retry policy; returns the successful response."""
        url = self.url(path)
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as err:
                if last:
                    raise ShopifyAPIError(
                        f"Shopify {self.shop} unreachable after {attempt} attempts: {err}"
                    ) from err
                self._wait(f"network error: {err.__class__.__name__}", self._backoff(attempt))
                continue
            status = response.status_code
            if status == 401:
                raise ShopifyAuthError(
                    f"Shopify refused the access token for {self.shop} (401: "
                    f"{_error_text(response)}). The token is invalid, expired or revoked "
                    "(was the app uninstalled?): reconnect the store to get a new one.",
                    status,
                    _body_or_text(response),
                )
            if status == 429 and not last:
                seconds = retry_after_seconds(
                    response.headers.get("Retry-After"), self.default_retry_after
                )
                self._wait("429 Retry-After", seconds)
                continue
            if (status >= 500) and not last:
                self._wait(f"{status} back-off", self._backoff(attempt))
                continue
            if status >= 400:
                raise ShopifyAPIError(
                    f"Shopify {method} {path} failed with {status}: {_error_text(response)}",
                    status,
                    _body_or_text(response),
                )
            self._respect_call_limit(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _respect_call_limit(self, response: requests.Response) -> None:
        """Pause when the REST bucket is nearly full, so the next call fits."""
        limit = CallLimit.parse(response.headers.get(CALL_LIMIT_HEADER))
        if not limit:
            return
        self.call_limit = limit
        free = limit.maximum - limit.used
        if free < self.rest_headroom and self.rest_leak_rate > 0:
            self._wait(
                f"call limit {limit.used}/{limit.maximum}",
                (self.rest_headroom - free) / self.rest_leak_rate,
            )

    def _json(self, response: requests.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError as err:
            raise ShopifyAPIError(
                f"Shopify answered {response.status_code} with a body that is not JSON",
                response.status_code,
                response.text[:500],
            ) from err

    # ------------------------------------------------------------------
    # REST lists with cursor pagination
    # ------------------------------------------------------------------
    def pages(
        self,
        path: str,
        key: str,
        params: dict | None = None,
        page_info: str | None = None,
        limit: int = MAX_PAGE_LIMIT,
    ) -> Iterator[Page]:
        """Every page of a REST list, from the first (``params``) or from a
        stored ``page_info`` cursor (then only ``limit`` accompanies it)."""
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}")
        if page_info:
            url, query = f"{self.url(path)}?limit={limit}&page_info={page_info}", None
        else:
            url, query = self.url(path), {**(params or {}), "limit": limit}
        while True:
            response = self.request("GET", url, params=query)
            body = self._json(response)
            next_url = parse_link_header(response.headers.get("Link")).get("next")
            next_info = page_info_from_url(next_url) if next_url else None
            yield Page(list(body.get(key) or []), page_info, next_info)
            if not next_info:
                return
            # Follow the Link exactly as Shopify wrote it (page_info unchanged).
            url, query, page_info = urljoin(self.base_url, next_url), None, next_info

    def iter_orders(
        self,
        since: str | None = None,
        page_info: str | None = None,
        status: str = "any",
        limit: int = MAX_PAGE_LIMIT,
    ) -> Iterator[Page]:
        """Pages of orders updated at or after ``since`` (ISO 8601; a superset
        of the orders created since then, so refunds and cancellations of older
        orders come too). Resume with a stored ``page_info``."""
        params: dict[str, Any] = {"status": status}
        if since:
            params["updated_at_min"] = since
        return self.pages("orders.json", "orders", params, page_info, limit)

    def list_locations(self) -> list[dict]:
        """Every location of the shop."""
        return [row for page in self.pages("locations.json", "locations") for row in page.items]

    def inventory_levels(
        self, location_ids: Iterable[Any], limit: int = MAX_PAGE_LIMIT
    ) -> Iterator[Page]:
        """Pages of inventory levels at these locations (50 location ids per
        query, Shopify's maximum). A snapshot: restart it rather than resume."""
        ids = [str(location_id) for location_id in location_ids]
        for chunk in _chunks(ids, MAX_IDS_PER_REQUEST):
            params = {"location_ids": ",".join(chunk)}
            yield from self.pages("inventory_levels.json", "inventory_levels", params, None, limit)

    # ------------------------------------------------------------------
    # Webhook subscriptions
    # ------------------------------------------------------------------
    def list_webhooks(self) -> list[dict]:
        """The app's webhook subscriptions on this shop."""
        return [row for page in self.pages("webhooks.json", "webhooks") for row in page.items]

    def register_webhooks(self, address: str, topics: Iterable[str]) -> WebhookRegistration:
        """Subscribe ``address`` to each topic not subscribed yet (idempotent)."""
        result = WebhookRegistration()
        current = {(w.get("topic"), w.get("address")): w for w in self.list_webhooks()}
        for topic in topics:
            if (topic, address) in current:
                result.existing.append(current[(topic, address)])
                continue
            body = {"webhook": {"topic": topic, "address": address, "format": "json"}}
            try:
                response = self.request("POST", "webhooks.json", json_body=body)
            except ShopifyAPIError as err:
                if err.status == 422 and "taken" in str(err.body):
                    result.existing.append({"topic": topic, "address": address})
                    continue
                raise
            result.created.append(self._json(response)["webhook"])
        return result

    # ------------------------------------------------------------------
    # GraphQL
    # ------------------------------------------------------------------
    def available_points(self) -> float | None:
        """GraphQL points available now, from the last throttle status."""
        if not self.throttle:
            return None
        elapsed = max(0.0, self.clock() - self._throttle_seen_at)
        status = self.throttle
        return min(
            status.maximum_available,
            status.currently_available + status.restore_rate * elapsed,
        )

    def _await_points(self, cost: float) -> None:
        available = self.available_points()
        if available is None or cost <= available or not self.throttle.restore_rate:
            return
        self._wait(
            f"GraphQL cost {cost:g} > {available:g} available",
            (cost - available) / self.throttle.restore_rate,
        )

    def graphql(
        self, query: str, variables: dict | None = None, expected_cost: float | None = None
    ) -> dict:
        """Run a GraphQL query; returns the whole body (``data``, ``extensions``).

        ``expected_cost`` defaults to the last query's requested cost: the
        client waits until that many points are available before sending.
        """
        cost = expected_cost
        if cost is None and self.throttle:
            cost = self.throttle.requested_cost
        payload = {"query": query, "variables": variables or {}}
        for attempt in range(1, self.max_attempts + 1):
            if cost:
                self._await_points(cost)
            body = self._json(self.request("POST", "graphql.json", json_body=payload))
            status = ThrottleStatus.from_response(body)
            if status:
                self.throttle, self._throttle_seen_at = status, self.clock()
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors and _is_throttled(errors):
                if attempt == self.max_attempts:
                    raise ShopifyAPIError("Shopify GraphQL stayed throttled", 200, body)
                cost = (status.requested_cost if status else None) or cost or 1.0
                if not status:
                    self._wait("GraphQL throttled", self._backoff(attempt))
                continue
            if errors:
                raise ShopifyAPIError(f"Shopify GraphQL errors: {_messages(errors)}", 200, body)
            return body
        raise AssertionError("unreachable")  # pragma: no cover


def _is_throttled(errors: Any) -> bool:
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    )


def _messages(errors: Any) -> str:
    if isinstance(errors, list):
        return "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
        )
    return str(errors)


def _body_or_text(response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text[:500]


def _error_text(response: requests.Response) -> str:
    body = _body_or_text(response)
    if isinstance(body, dict) and "errors" in body:
        errors = body["errors"]
        return errors if isinstance(errors, str) else json.dumps(errors)
    return str(body)[:500] or response.reason or ""
