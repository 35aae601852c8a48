"""Authenticity of what Shopify sends us.

* Webhooks: ``X-Shopify-Hmac-Sha256`` is the base64 HMAC-SHA256 of the *raw*
  request body, keyed with the app's client secret. There is no timestamp in
  the MAC: dedupe on ``X-Shopify-Event-Id`` and use ``X-Shopify-Triggered-At``
  for staleness (see :func:`delivery_headers`). While a client secret is being
  rotated Shopify may sign with either secret for up to an hour, so several
  secrets may be given.
* OAuth callback: the query string carries a hex HMAC-SHA256 (``hmac``) of the
  other parameters, sorted and joined as ``k=v`` with ``&``.

Deliveries triggered by hand from the shop's *Notifications* settings are
signed with a different key and fail :func:`verify_webhook` by design.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

HMAC_HEADER = "X-Shopify-Hmac-Sha256"


class ShopifySignatureError(ValueError):
    """The webhook is not authentic: missing, malformed or wrong HMAC header."""


def webhook_hmac(secret: str, raw_body: bytes) -> str:
    """The base64 HMAC-SHA256 Shopify puts in ``X-Shopify-Hmac-Sha256``."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _secrets(secret: str | Iterable[str]) -> list[str]:
    secrets = [secret] if isinstance(secret, str) else list(secret)
    secrets = [s for s in secrets if s]
    if not secrets:
        raise ShopifySignatureError("no client secret is configured")
    return secrets


def verify_webhook(secret: str | Iterable[str], raw_body: bytes, header_b64: str | None) -> None:
    """Raise :class:`ShopifySignatureError` unless ``header_b64`` is the HMAC
    of ``raw_body`` under ``secret`` (or one of several secrets, while rotating).

    The header is compared as text with the canonical base64 encoding, in
    constant time, so a non-canonical variant of a valid value is refused too.
    """
    if not header_b64 or not header_b64.strip():
        raise ShopifySignatureError(f"missing {HMAC_HEADER} header")
    try:
        given = header_b64.strip().encode("ascii")
    except UnicodeEncodeError as err:
        raise ShopifySignatureError(f"{HMAC_HEADER} is not base64") from err
    if not isinstance(raw_body, (bytes, bytearray)):
        raise TypeError("raw_body must be the raw request bytes")
    for candidate in _secrets(secret):
        if hmac.compare_digest(webhook_hmac(candidate, bytes(raw_body)).encode("ascii"), given):
            return
    raise ShopifySignatureError(f"{HMAC_HEADER} does not match the body")


def _escape_oauth(text: str, *, key: bool) -> str:
    text = text.replace("%", "%25").replace("&", "%26")
    return text.replace("=", "%3D") if key else text


def oauth_message(query_params: Mapping[str, str] | str) -> str:
    """The message Shopify signs for an OAuth callback: every parameter but
    ``hmac`` (and the legacy ``signature``), sorted, as ``k=v`` joined by ``&``."""
    pairs = (
        parse_qsl(query_params, keep_blank_values=True)
        if isinstance(query_params, str)
        else list(query_params.items())
    )
    kept = sorted(
        (_escape_oauth(k, key=True), _escape_oauth(str(v), key=False))
        for k, v in pairs
        if k not in ("hmac", "signature")
    )
    return "&".join(f"{k}={v}" for k, v in kept)


def verify_oauth_query(secret: str, query_params: Mapping[str, str] | str) -> bool:
    """True when the callback query's ``hmac`` (hex) matches its other parameters."""
    pairs = (
        dict(parse_qsl(query_params, keep_blank_values=True))
        if isinstance(query_params, str)
        else dict(query_params)
    )
    given = str(pairs.get("hmac") or "").strip().lower()
    if not secret or not given:
        return False
    expected = hmac.new(secret.encode(), oauth_message(pairs).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.encode("ascii", "replace"))


@dataclass(frozen=True)
class DeliveryHeaders:
    """The ``X-Shopify-*`` headers of one webhook delivery."""

    topic: str | None
    shop_domain: str | None
    hmac: str | None
    webhook_id: str | None  # one per delivery attempt
    event_id: str | None  # one per merchant action, the same across redeliveries
    triggered_at: str | None
    api_version: str | None

    @property
    def dedupe_key(self) -> str | None:
        """The id to dedupe deliveries on: the event id, else the webhook id."""
        return self.event_id or self.webhook_id


def delivery_headers(headers: Mapping[str, str]) -> DeliveryHeaders:
    """Read the Shopify delivery headers, case-insensitively."""
    lower = {str(k).lower(): v for k, v in headers.items()}

    def get(name: str) -> str | None:
        value = lower.get(name.lower())
        return value.strip() if isinstance(value, str) and value.strip() else None

    return DeliveryHeaders(
        topic=get("X-Shopify-Topic"),
        shop_domain=get("X-Shopify-Shop-Domain"),
        hmac=get(HMAC_HEADER),
        webhook_id=get("X-Shopify-Webhook-Id"),
        event_id=get("X-Shopify-Event-Id"),
        triggered_at=get("X-Shopify-Triggered-At"),
        api_version=get("X-Shopify-API-Version"),
    )
