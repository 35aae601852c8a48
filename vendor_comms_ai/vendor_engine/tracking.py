"""Carrier and aggregator tracking webhooks: signature check and parsing.

Signature (documented for whoever sends to our endpoint): header
``X-Tracking-Signature: sha256=<hex>`` where ``<hex>`` is the lowercase hex
HMAC-SHA256 of the *raw* request body keyed with the shared secret configured
in Odoo. Compared in constant time; several secrets may be given while one is
being rotated. A bare ``<hex>`` without the ``sha256=`` prefix is accepted.

Payloads (JSON object):

* generic: ``{"tracking_number", "carrier", "status", "estimated_delivery",
  "event_time"}`` (``estimated_delivery`` a date or datetime, ``event_time``
  ISO 8601);
* AfterShip-like: ``{"msg": {"tracking_number", "slug", "tag",
  "expected_delivery", "updated_at"}}``.

Statuses are normalised to :data:`STATUSES`; the carrier's own word is kept
in ``raw_status``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil import parser as dateparser

SIGNATURE_HEADER = "X-Tracking-Signature"
STATUSES = (
    "info_received",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "unknown",
)
_STATUS_WORDS = {
    "inforeceived": "info_received",
    "info_received": "info_received",
    "pending": "info_received",
    "label_created": "info_received",
    "pre_transit": "info_received",
    "intransit": "in_transit",
    "in_transit": "in_transit",
    "transit": "in_transit",
    "picked_up": "in_transit",
    "outfordelivery": "out_for_delivery",
    "out_for_delivery": "out_for_delivery",
    "availableforpickup": "out_for_delivery",
    "available_for_pickup": "out_for_delivery",
    "delivered": "delivered",
    "exception": "exception",
    "attemptfail": "exception",
    "failed_attempt": "exception",
    "expired": "exception",
    "returned": "exception",
    "return_to_sender": "exception",
}
_CARRIER_SLUGS = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl": "dhl",
    "dhl-express": "dhl",
    "dhl_express": "dhl",
    "dhl-global-mail": "dhl",
}


class TrackingSignatureError(ValueError):
    """The webhook is not authentic."""


class TrackingPayloadError(ValueError):
    """The webhook body is not a tracking update we understand."""


def sign(secret: str, raw_body: bytes) -> str:
    """The header value a sender puts in ``X-Tracking-Signature``."""
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | Iterable[str], raw_body: bytes, header: str | None) -> None:
    """Raise :class:`TrackingSignatureError` unless ``header`` signs ``raw_body``."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    secrets = [s for s in secrets if s]
    if not secrets:
        raise TrackingSignatureError("no tracking webhook secret is configured")
    if not isinstance(raw_body, (bytes, bytearray)):
        raise TypeError("raw_body must be the raw request bytes")
    given = (header or "").strip()
    if not given:
        raise TrackingSignatureError(f"missing {SIGNATURE_HEADER} header")
    given = given.removeprefix("sha256=").lower()
    for candidate in secrets:
        expected = sign(candidate, bytes(raw_body)).removeprefix("sha256=")
        if hmac.compare_digest(expected.encode(), given.encode("ascii", "replace")):
            return
    raise TrackingSignatureError(f"{SIGNATURE_HEADER} does not match the body")


@dataclass(frozen=True)
class TrackingUpdate:
    """One tracking event for one parcel."""

    tracking_number: str
    carrier: str | None  # ups / fedex / usps / dhl, or the sender's word
    status: str  # one of STATUSES
    raw_status: str | None
    estimated_delivery: date | None
    event_time: datetime | None
    source_format: str  # "generic" | "aftership"


def _text(value: Any) -> str | None:
    return str(value).strip() if value not in (None, "") and str(value).strip() else None


def _when(value: Any, field: str) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return dateparser.isoparse(text)
    except (ValueError, OverflowError) as err:
        raise TrackingPayloadError(f"{field}: {text!r} is not an ISO 8601 date") from err


def normalize_status(raw: str | None) -> str:
    key = (raw or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _STATUS_WORDS.get(key) or _STATUS_WORDS.get(key.replace("_", ""), "unknown")


def parse_tracking_webhook(raw_body: bytes | str | dict) -> TrackingUpdate:
    """The update in a tracking webhook body; :class:`TrackingPayloadError` if unusable."""
    if isinstance(raw_body, dict):
        data = raw_body
    else:
        try:
            data = json.loads(raw_body)
        except ValueError as err:
            raise TrackingPayloadError(f"the body is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise TrackingPayloadError("the body is not a JSON object")
    if isinstance(data.get("msg"), dict):
        msg, source = data["msg"], "aftership"
        carrier_raw, status_raw = _text(msg.get("slug")), _text(msg.get("tag"))
        eta_raw, time_raw = msg.get("expected_delivery"), msg.get("updated_at")
    else:
        msg, source = data, "generic"
        carrier_raw, status_raw = _text(msg.get("carrier")), _text(msg.get("status"))
        eta_raw, time_raw = msg.get("estimated_delivery"), msg.get("event_time")
    number = _text(msg.get("tracking_number"))
    if not number:
        raise TrackingPayloadError("tracking_number is missing")
    carrier = carrier_raw.lower() if carrier_raw else None
    eta = _when(eta_raw, "estimated_delivery")
    return TrackingUpdate(
        tracking_number=number.replace(" ", "").upper(),
        carrier=_CARRIER_SLUGS.get(carrier, carrier) if carrier else None,
        status=normalize_status(status_raw),
        raw_status=status_raw,
        estimated_delivery=eta.date() if eta else None,
        event_time=_when(time_raw, "event_time"),
        source_format=source,
    )
