"""The unified intake schema: one JSON event in, normalized signal lines out.

Every POS dialect (and any script or event bus) can post this shape to the
generic intake endpoint; the connector addons translate their own payloads
into the same :class:`UnifiedEvent`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
MAX_LINES = 5000
MAX_ID_LENGTH = 255

EVENT_TYPES = ("sale", "refund", "void", "inventory")
SIGNAL_KINDS = ("sale", "return", "void", "inventory")


class PayloadError(ValueError):
    """The body is not a valid unified event; the message names the field."""


class PayloadTooLarge(PayloadError):
    """The body is over the configured size limit."""


@dataclass(frozen=True)
class SignalLine:
    """One normalized line. ``quantity`` is signed: a return is negative, an
    inventory line carries the counted on-hand quantity."""

    kind: str
    line_id: str
    quantity: float
    unit_price: float = 0.0
    sku: str | None = None
    barcode: str | None = None
    variant_id: str | None = None
    reason: str | None = None  # returns: why, lower case ("defect", "wrong_size"...)


@dataclass(frozen=True)
class UnifiedEvent:
    event_id: str
    event_type: str
    occurred_at: datetime  # naive UTC, as Odoo stores datetimes
    local_date: date  # business date in the store's time zone
    location: str | None
    currency: str | None
    lines: tuple[SignalLine, ...] = ()
    cancels: str | None = None
    cancel_line_ids: tuple[str, ...] = field(default_factory=tuple)


def store_timezone(tz_name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise PayloadError(f"unknown time zone {tz_name!r}") from err


def to_utc_and_local_date(value: str, tz_name: str | None) -> tuple[datetime, date]:
    """ISO-8601 timestamp to (naive UTC datetime, store-local business date).

    A timestamp without an offset is read as store-local time.
    """
    if not isinstance(value, str) or not value:
        raise PayloadError("occurred_at must be an ISO-8601 string")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise PayloadError(f"occurred_at is not ISO-8601: {value!r}") from err
    tz = store_timezone(tz_name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    local_day = moment.astimezone(tz).date()
    return utc, local_day


def _text(raw: dict, key: str, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(f"{key} must be a string")
    value = str(value).strip()
    if len(value) > MAX_ID_LENGTH:
        raise PayloadError(f"{key} is longer than {MAX_ID_LENGTH} characters")
    return value


def _number(raw: dict, key: str, where: str, default: float | None = None) -> float:
    value = raw.get(key, default)
    if value is None:
        raise PayloadError(f"{where}.{key} is required")
    if isinstance(value, bool):
        raise PayloadError(f"{where}.{key} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise PayloadError(f"{where}.{key} must be a number") from err
    if not math.isfinite(number):
        raise PayloadError(f"{where}.{key} must be finite")
    return number


def _line_kind(event_type: str, quantity: float) -> str:
    if event_type == "inventory":
        return "inventory"
    if event_type == "refund":
        return "return"
    return "sale" if quantity > 0 else "return"


def _parse_lines(event_id: str, event_type: str, raw_lines) -> tuple[SignalLine, ...]:
    if not isinstance(raw_lines, list) or not raw_lines:
        raise PayloadError("lines must be a non-empty list")
    if len(raw_lines) > MAX_LINES:
        raise PayloadError(f"more than {MAX_LINES} lines")
    lines = []
    seen = set()
    for index, raw in enumerate(raw_lines):
        where = f"lines[{index}]"
        if not isinstance(raw, dict):
            raise PayloadError(f"{where} must be an object")
        sku = _text(raw, "sku")
        barcode = _text(raw, "barcode")
        variant_id = _text(raw, "variant_id")
        if not (sku or barcode or variant_id):
            raise PayloadError(f"{where} needs sku, barcode or variant_id")
        quantity = _number(raw, "quantity", where)
        unit_price = _number(raw, "unit_price", where, default=0.0)
        line_id = _text(raw, "line_id") or f"{event_id}#{index}"
        if line_id in seen:
            raise PayloadError(f"{where}.line_id {line_id!r} repeats")
        seen.add(line_id)
        if quantity == 0 and event_type != "inventory":
            continue
        kind = _line_kind(event_type, quantity)
        signed = (
            quantity
            if kind == "inventory"
            else (abs(quantity) if kind == "sale" else -abs(quantity))
        )
        reason = _text(raw, "reason") if kind == "return" else None
        lines.append(
            SignalLine(
                kind,
                line_id,
                signed,
                unit_price,
                sku,
                barcode,
                variant_id,
                reason.lower() if reason else None,
            )
        )
    return tuple(lines)


def decode_json(body: bytes, max_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES):
    """Size-check and decode a JSON body (raises PayloadTooLarge / PayloadError)."""
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"payload of {len(body)} bytes is over the {max_bytes} byte limit")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PayloadError(f"body is not valid JSON: {err}") from err


def parse_unified_event(
    body: bytes | dict,
    tz_name: str | None = "UTC",
    max_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
) -> UnifiedEvent:
    """Validate a unified event and normalize its lines."""
    raw = body if isinstance(body, dict) else decode_json(body, max_bytes)
    if not isinstance(raw, dict):
        raise PayloadError("the body must be a JSON object")
    event_id = _text(raw, "event_id", required=True)
    event_type = _text(raw, "type", required=True)
    if event_type not in EVENT_TYPES:
        raise PayloadError(f"type must be one of {', '.join(EVENT_TYPES)}")
    occurred_at, local_date = to_utc_and_local_date(raw.get("occurred_at"), tz_name)
    currency = _text(raw, "currency")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise PayloadError("currency must be an ISO 4217 code")
    common = {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "local_date": local_date,
        "location": _text(raw, "location"),
        "currency": currency.upper() if currency else None,
    }
    if event_type == "void":
        cancels = _text(raw, "cancels", required=True)
        line_ids = raw.get("line_ids") or []
        if not isinstance(line_ids, list) or not all(isinstance(x, (str, int)) for x in line_ids):
            raise PayloadError("line_ids must be a list of line ids")
        return UnifiedEvent(
            **common, cancels=cancels, cancel_line_ids=tuple(str(x) for x in line_ids)
        )
    return UnifiedEvent(**common, lines=_parse_lines(event_id, event_type, raw.get("lines")))
