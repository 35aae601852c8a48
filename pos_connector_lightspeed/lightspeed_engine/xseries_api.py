"""Lightspeed Retail X-Series REST API 2.0 client.

* Base ``https://{domain_prefix}.retail.lightspeed.app/api/2.0/``; OAuth
  token endpoint ``https://{domain_prefix}.retail.lightspeed.app/api/1.0/token``
  (refresh tokens rotate: persist every :class:`Tokens` given to ``on_tokens``).
* Pagination: ``after=<version>`` and ``page_size``; each response has
  ``version: {min, max}``. The next page starts after ``version.max``; an
  empty ``data`` ends the list. Persist ``page.version_max`` as the cursor.
* Rate limit: 429 with ``Retry-After`` as an HTTP date (RFC 7231) or
  seconds; ``X-RateLimit-Remaining`` is kept for logs.
* Supplier consignments (on-order push-back): created idempotently by
  ``reference``: an existing consignment with that reference is reused, and
  after a timeout the client looks it up before posting again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from .common import number, text
from .transport import BaseClient, LightspeedAPIError, LightspeedUnknownOutcome, OAuthApp, Tokens

API_BASE = "https://{domain_prefix}.retail.lightspeed.app/api/2.0/"
TOKEN_URL = "https://{domain_prefix}.retail.lightspeed.app/api/1.0/token"
AUTHORIZE_URL = "https://secure.retail.lightspeed.app/connect"
DEFAULT_PAGE_SIZE = 200


def oauth_app(
    domain_prefix: str,
    client_id: str,
    client_secret: str,
    *,
    redirect_uri: str | None = None,
    token_url: str | None = None,
    authorize_url: str = AUTHORIZE_URL,
) -> OAuthApp:
    """The X-Series OAuth endpoints of one store (overridable for tests)."""
    return OAuthApp(
        client_id,
        client_secret,
        token_url or TOKEN_URL.format(domain_prefix=domain_prefix),
        authorize_url,
        redirect_uri,
    )


@dataclass(frozen=True)
class VersionPage:
    """One page of a 2.0 collection and the cursor after it."""

    items: list[dict]
    after: int  # the cursor that fetched this page
    version_max: int | None  # persist this; None: the list is exhausted

    @property
    def is_last(self) -> bool:
        return self.version_max is None


@dataclass(frozen=True)
class ConsignmentLine:
    product_id: str
    count: float
    cost: float | None = None


@dataclass
class ConsignmentResult:
    consignment: dict
    created: bool
    products_created: list[str] = field(default_factory=list)
    products_existing: list[str] = field(default_factory=list)

    @property
    def consignment_id(self) -> str:
        return str(self.consignment.get("id"))


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) and "data" in body else body


class XSeriesClient(BaseClient):
    """REST 2.0 client for one X-Series store."""

    service = "Lightspeed X-Series"

    def __init__(
        self,
        domain_prefix: str,
        tokens: Tokens | str,
        *,
        base_url: str | None = None,
        oauth: OAuthApp | None = None,
        on_tokens: Callable[[Tokens], Any] | None = None,
        session: requests.Session | None = None,
        **kwargs: Any,
    ):
        self.domain_prefix = domain_prefix
        super().__init__(
            base_url or API_BASE.format(domain_prefix=domain_prefix),
            tokens,
            oauth=oauth,
            on_tokens=on_tokens,
            session=session,
            **kwargs,
        )
        self.rate_remaining: int | None = None

    def _after_response(self, method: str, response: requests.Response) -> None:
        remaining = number(response.headers.get("X-RateLimit-Remaining"))
        if remaining is not None:
            self.rate_remaining = int(remaining)

    # ------------------------------------------------------------------
    # Version-cursor lists
    # ------------------------------------------------------------------
    def pages(
        self,
        resource: str,
        after: int | None = 0,
        page_size: int = DEFAULT_PAGE_SIZE,
        params: dict | None = None,
    ) -> Iterator[VersionPage]:
        """Every page of ``resource`` after version ``after``."""
        cursor = int(after or 0)
        while True:
            query = {**(params or {}), "after": cursor, "page_size": page_size}
            body = self.get_json(resource, query)
            items = [row for row in (_data(body) or []) if isinstance(row, dict)]
            version = body.get("version") if isinstance(body, dict) else None
            top = number((version or {}).get("max")) if isinstance(version, dict) else None
            if not items or top is None:
                yield VersionPage(items, cursor, None)
                return
            if int(top) <= cursor:
                raise LightspeedAPIError(
                    f"{resource}: version.max {top} did not move past {cursor}"
                )
            yield VersionPage(items, cursor, int(top))
            cursor = int(top)

    def iter_sales(self, after: int | None = 0, page_size: int = DEFAULT_PAGE_SIZE):
        """Sales changed after version ``after`` (oldest change first)."""
        return self.pages("sales", after, page_size)

    def iter_inventory(self, after: int | None = 0, page_size: int = DEFAULT_PAGE_SIZE):
        return self.pages("inventory", after, page_size)

    def iter_products(self, after: int | None = 0, page_size: int = DEFAULT_PAGE_SIZE):
        return self.pages("products", after, page_size)

    def list_suppliers(self) -> list[dict]:
        return [row for page in self.pages("suppliers") for row in page.items]

    def get_sale(self, sale_id: str) -> dict:
        return _data(self.get_json(f"sales/{sale_id}"))

    # ------------------------------------------------------------------
    # Supplier consignments (idempotent)
    # ------------------------------------------------------------------
    def find_consignment_by_reference(self, reference: str) -> dict | None:
        """The supplier consignment whose ``reference`` is ours."""
        for page in self.pages("consignments", params={"type": "SUPPLIER"}):
            for consignment in page.items:
                if text(consignment.get("reference")) == reference and not text(
                    consignment.get("deleted_at")
                ):
                    return consignment
        return None

    def consignment_products(self, consignment_id: str) -> list[dict]:
        return [
            row
            for page in self.pages(f"consignments/{consignment_id}/products")
            for row in page.items
        ]

    def _post(self, path: str, body: dict, find: Callable[[], dict | None]) -> dict:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return _data(self.json(self.request("POST", path, json_body=body))) or {}
            except LightspeedUnknownOutcome:
                existing = find()
                if existing:
                    return existing
                if attempt == self.max_attempts:
                    raise
                self._wait("unknown outcome back-off", self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def create_supplier_consignment(
        self,
        reference: str,
        outlet_id: str,
        supplier_id: str,
        lines: Iterable[ConsignmentLine],
        *,
        name: str | None = None,
        due_at: str | None = None,
    ) -> ConsignmentResult:
        """Create (or find) the OPEN supplier consignment carrying
        ``reference`` and make sure it lists every product."""
        lines = list(lines)
        existing = self.find_consignment_by_reference(reference)
        if existing:
            result = ConsignmentResult(existing, False)
        else:
            body = {
                "type": "SUPPLIER",
                "status": "OPEN",
                "name": name or reference,
                "reference": reference,
                "outlet_id": outlet_id,
                "supplier_id": supplier_id,
            }
            if due_at:
                body["due_at"] = due_at
            created = self._post(
                "consignments", body, lambda: self.find_consignment_by_reference(reference)
            )
            result = ConsignmentResult(created, True)
        consignment_id = result.consignment_id
        present = {text(row.get("product_id")) for row in self.consignment_products(consignment_id)}
        for line in lines:
            if line.product_id in present:
                result.products_existing.append(line.product_id)
                continue
            body = {"product_id": line.product_id, "count": line.count}
            if line.cost is not None:
                body["cost"] = line.cost

            def find(product_id: str = line.product_id) -> dict | None:
                for row in self.consignment_products(consignment_id):
                    if text(row.get("product_id")) == product_id:
                        return row
                return None

            self._post(f"consignments/{consignment_id}/products", body, find)
            present.add(line.product_id)
            result.products_created.append(line.product_id)
        return result
