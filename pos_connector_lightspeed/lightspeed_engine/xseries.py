"""Lightspeed Retail X-Series (ex-Vend) webhooks and JSON to unified events.

Webhook wire format (https://x-series-api.lightspeedhq.com/docs/webhooks)
-------------------------------------------------------------------------
A ``POST`` in UTF-8, ``application/x-www-form-urlencoded``. The field
``payload`` holds the JSON of the object (the API 1.0 shape); ``type``
(``sale.update``...), ``domain_prefix`` and ``environment`` "may be present
but are not guaranteed".

Signature: webhooks sent to OAuth apps carry
``X-Signature: signature=<sig>,algorithm=HMAC-SHA256``. The docs say:
"generate a signature by hashing the webhook request body and compare it to
the signature in the header for an exact match. Use the algorithm specified in
the header and your application's ``client_secret`` as the hash key." So the
MAC is taken over the raw request body (the urlencoded bytes as received,
not the decoded ``payload``). The docs do not name the digest encoding (their
example value is a placeholder); :func:`verify_signature` accepts the HMAC
as hex or base64 and compares the decoded bytes in constant time. Only
HMAC-SHA256 is accepted; any other algorithm is refused.

Event ids
---------
* sale: ``xs-sale-<sale id>``, ``line_id`` = the line item id; negative
  quantities (or ``is_return``) are return lines.
* void: ``xs-void-<sale id>`` cancelling ``xs-sale-<sale id>``.
* inventory: ``xs-inventory-<outlet>-<product>-v<version>`` (the record's
  ``version`` grows on every change), else ``-<received_at>=<count>``.

Statuses: see :data:`COUNTED_STATUSES`; ``SAVED``, ``OPEN``, ``LAYBY``,
``SERVICE`` (parked or unfinished sales) count nothing yet; ``VOIDED`` voids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from .common import (
    LightspeedPayloadError,
    ProductMapping,
    SkippedLine,
    Translation,
    boolean,
    header,
    number,
    plain_number,
    text,
)
from .contacts import Address, Supplier, normalise_phone, region_of

SIGNATURE_HEADER = "X-Signature"
ALGORITHMS = {"HMAC-SHA256": hashlib.sha256}
# Sales whose goods have left (or are committed to leave) the store.
COUNTED_STATUSES = frozenset(
    {
        "CLOSED",
        "ONACCOUNT",
        "ONACCOUNT_CLOSED",
        "LAYBY_CLOSED",
        "AWAITING_DISPATCH",
        "AWAITING_PICKUP",
        "DISPATCHED_CLOSED",
        "PICKED_UP_CLOSED",
        "SERVICE_CLOSED",
    }
)
VOID_STATUSES = frozenset({"VOIDED"})
PENDING_STATUSES = frozenset({"SAVED", "OPEN", "LAYBY", "SERVICE"})
SKIPPED_LINE_STATUSES = frozenset({"VOIDED", "DELETED"})


class XSeriesSignatureError(ValueError):
    """The webhook is not authentic: missing, malformed or wrong X-Signature."""


@dataclass(frozen=True)
class WebhookDelivery:
    """One decoded webhook POST."""

    type: str | None
    payload: dict
    raw_payload: str
    domain_prefix: str | None = None
    environment: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------
# Signature
# ----------------------------------------------------------------------
def parse_signature_header(value: str | None) -> tuple[str, str]:
    """``signature=<sig>,algorithm=HMAC-SHA256`` -> (signature, algorithm)."""
    if not value or not value.strip():
        raise XSeriesSignatureError(f"missing {SIGNATURE_HEADER} header")
    parts: dict[str, str] = {}
    for piece in value.split(","):
        name, sep, content = piece.strip().partition("=")
        if not sep:
            raise XSeriesSignatureError(f"malformed {SIGNATURE_HEADER} part {piece.strip()!r}")
        # base64 may end in "=": keep everything after the first "=".
        parts[name.strip().lower()] = content.strip()
    signature, algorithm = parts.get("signature"), parts.get("algorithm")
    if not signature or not algorithm:
        raise XSeriesSignatureError(f"{SIGNATURE_HEADER} needs signature= and algorithm=")
    return signature, algorithm.upper()


def _decode_signature(signature: str) -> bytes:
    """The MAC bytes of a hex or base64 signature."""
    if len(signature) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in signature):
        return bytes.fromhex(signature)
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as err:
        raise XSeriesSignatureError("the signature is neither hex nor base64") from err


def sign(client_secret: str, raw_body: bytes) -> str:
    """The hex HMAC-SHA256 of ``raw_body`` under ``client_secret`` (tests, fakes)."""
    return hmac.new(client_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_signature(
    client_secret: str | Iterable[str], raw_body: bytes, header_value: str | None
) -> None:
    """Raise :class:`XSeriesSignatureError` unless ``header_value`` is the
    HMAC of the raw body under the client secret (several while rotating)."""
    if not isinstance(raw_body, (bytes, bytearray)):
        raise TypeError("raw_body must be the raw request bytes")
    signature, algorithm = parse_signature_header(header_value)
    digest = ALGORITHMS.get(algorithm)
    if digest is None:
        raise XSeriesSignatureError(f"unsupported signature algorithm {algorithm!r}")
    given = _decode_signature(signature)
    secrets = [client_secret] if isinstance(client_secret, str) else list(client_secret)
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        raise XSeriesSignatureError("no client secret is configured")
    for secret in secrets:
        expected = hmac.new(secret.encode(), bytes(raw_body), digest).digest()
        if hmac.compare_digest(expected, given):
            return
    raise XSeriesSignatureError(f"{SIGNATURE_HEADER} does not match the body")


# ----------------------------------------------------------------------
# Body
# ----------------------------------------------------------------------
def parse_webhook(raw_body: bytes | str, webhook_type: str | None = None) -> WebhookDelivery:
    """Decode the form body; ``payload`` must hold a JSON object."""
    body = raw_body.decode("utf-8") if isinstance(raw_body, (bytes, bytearray)) else raw_body
    form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    raw_payload = form.get("payload")
    if raw_payload is None:
        raise LightspeedPayloadError("the webhook body has no payload field")
    try:
        payload = json.loads(raw_payload)
    except json.JSONDecodeError as err:
        raise LightspeedPayloadError(f"the webhook payload is not JSON: {err}") from err
    if not isinstance(payload, dict):
        raise LightspeedPayloadError("the webhook payload is not a JSON object")
    return WebhookDelivery(
        type=text(form.get("type")) or text(webhook_type),
        payload=payload,
        raw_payload=raw_payload,
        domain_prefix=text(form.get("domain_prefix")),
        environment=text(form.get("environment")),
        fields={k: v for k, v in form.items() if k != "payload"},
    )


def delivery_from_request(
    client_secret: str | Iterable[str] | None,
    raw_body: bytes,
    headers: Mapping[str, str],
    require_signature: bool = True,
) -> WebhookDelivery:
    """Verify (when signed or required) and decode one webhook request."""
    signature = header(headers, SIGNATURE_HEADER)
    if signature or require_signature:
        verify_signature(client_secret or (), raw_body, signature)
    return parse_webhook(raw_body)


# ----------------------------------------------------------------------
# Sales
# ----------------------------------------------------------------------
def xs_id(value: Any) -> str | None:
    return text(value)


def sale_event_id(sale_id: Any) -> str:
    return f"xs-sale-{xs_id(sale_id)}"


def void_event_id(sale_id: Any) -> str:
    return f"xs-void-{xs_id(sale_id)}"


def _sale_lines(sale: Mapping) -> list[dict]:
    """Line items: REST 2.0 ``line_items`` or webhook ``register_sale_products``."""
    for key in ("line_items", "register_sale_products", "products"):
        found = sale.get(key)
        if isinstance(found, list):
            return [line for line in found if isinstance(line, Mapping)]
    return []


def _unified_line(
    line: Mapping, product_skus: Mapping[str, str], result: Translation
) -> dict | None:
    line_id = xs_id(line.get("id"))
    if not line_id:
        raise LightspeedPayloadError("a sale line has no id")
    quantity = number(line.get("quantity")) or 0.0
    if boolean(line.get("is_return")) and quantity > 0:
        quantity = -quantity
    status = (text(line.get("status")) or "").upper()
    if status in SKIPPED_LINE_STATUSES:
        result.skipped.append(SkippedLine(line_id, "voided_line", quantity, status))
        return None
    if quantity == 0:
        result.skipped.append(SkippedLine(line_id, "zero_quantity", 0.0))
        return None
    product_id = xs_id(line.get("product_id"))
    product = line.get("product") if isinstance(line.get("product"), Mapping) else {}
    sku = text(product.get("sku")) or (product_skus.get(product_id) if product_id else None)
    if not (product_id or sku):
        result.skipped.append(SkippedLine(line_id, "no_product_key", quantity))
        return None
    price = number(line.get("unit_price"))
    if price is None:
        price = number(line.get("price")) or 0.0
    return {
        "line_id": line_id,
        "sku": sku,
        "barcode": None,
        "variant_id": product_id,
        "quantity": plain_number(quantity),
        "unit_price": price,
    }


def sale_to_events(
    sale: Mapping,
    currency: str | None = None,
    register_outlets: Mapping[str, str] | None = None,
    product_skus: Mapping[str, str] | None = None,
) -> Translation:
    """Events of one sale (webhook ``sale.update`` payload or REST 2.0 sale).

    ``location`` is the sale's ``outlet_id``; the webhook payload has only
    ``register_id``, mapped through ``register_outlets`` (register -> outlet).
    """
    sale = sale.get("data") if isinstance(sale.get("data"), Mapping) else sale
    sale_id = xs_id(sale.get("id"))
    if not sale_id:
        raise LightspeedPayloadError("the sale has no id")
    status = (text(sale.get("status")) or "").upper()
    result = Translation()
    occurred_at = text(sale.get("sale_date")) or text(sale.get("updated_at"))
    if not occurred_at:
        raise LightspeedPayloadError(f"sale {sale_id} has no sale_date")
    register_id = xs_id(sale.get("register_id"))
    location = xs_id(sale.get("outlet_id")) or (register_outlets or {}).get(register_id or "")
    if not location:
        result.notes.append(f"sale {sale_id}: register {register_id} is mapped to no outlet")
    header_fields = {
        "occurred_at": occurred_at,
        "location": location,
        "currency": currency,
        "channel": "pos",
        "lightspeed": {
            "platform": "x-series",
            "sale_id": sale_id,
            "status": status,
            "register_id": register_id,
            "invoice_number": text(sale.get("invoice_number")),
            "version": sale.get("version"),
        },
    }
    lines = [
        unified
        for line in _sale_lines(sale)
        if (unified := _unified_line(line, product_skus or {}, result))
    ]
    if status in VOID_STATUSES:
        result.events.append(
            {
                "event_id": void_event_id(sale_id),
                "type": "void",
                **header_fields,
                "occurred_at": text(sale.get("updated_at")) or occurred_at,
                "cancels": sale_event_id(sale_id),
                "line_ids": [line["line_id"] for line in lines],
            }
        )
        return result
    if status not in COUNTED_STATUSES:
        why = "pending" if status in PENDING_STATUSES else "not understood"
        result.notes.append(f"sale {sale_id} status {status or '(none)'} is {why}: not counted")
        return result
    if not lines:
        result.notes.append(f"sale {sale_id} has no line to record")
        return result
    result.events.append(
        {"event_id": sale_event_id(sale_id), "type": "sale", **header_fields, "lines": lines}
    )
    return result


def sales_to_events(response: Mapping | list, currency: str | None = None, **kwargs: Any):
    """Every sale of a REST 2.0 list (``{"data": [...]}``)."""
    sales = response.get("data") if isinstance(response, Mapping) else response
    result = Translation()
    for sale in sales or []:
        result.extend(sale_to_events(sale, currency, **kwargs))
    return result


# ----------------------------------------------------------------------
# Inventory and products
# ----------------------------------------------------------------------
def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def inventory_to_event(record: Mapping, received_at: str | None = None) -> Translation:
    """An ``inventory.update`` payload or a REST 2.0 inventory row to one
    ``inventory`` event; levels may be negative. The payload carries no time:
    ``received_at`` (default now, UTC) dates the count."""
    product = record.get("product") if isinstance(record.get("product"), Mapping) else {}
    product_id = xs_id(record.get("product_id")) or xs_id(product.get("id"))
    outlet_id = xs_id(record.get("outlet_id")) or xs_id((record.get("outlet") or {}).get("id"))
    if not product_id or not outlet_id:
        raise LightspeedPayloadError("the inventory record needs product_id and outlet_id")
    result = Translation()
    count = number(record.get("inventory_level"))
    if count is None:
        count = number(record.get("count"))
    if count is None:
        result.notes.append(f"product {product_id} at outlet {outlet_id} has no count")
        return result
    quantity = plain_number(count)
    stamp = text(record.get("updated_at")) or received_at or _now_iso()
    version = record.get("version")
    suffix = f"v{version}" if version not in (None, "") else f"{stamp}={quantity}"
    event_id = f"xs-inventory-{outlet_id}-{product_id}-{suffix}"
    line = {
        "line_id": event_id,
        "sku": text(product.get("sku")),
        "barcode": None,
        "variant_id": product_id,
        "quantity": quantity,
        "unit_price": 0.0,
    }
    result.events.append(
        {
            "event_id": event_id,
            "type": "inventory",
            "occurred_at": stamp,
            "location": outlet_id,
            "currency": None,
            "lightspeed": {
                "platform": "x-series",
                "inventory_id": xs_id(record.get("id")),
                "reorder_point": number(record.get("reorder_point")),
                "restock_level": number(record.get("restock_level")),
                "version": version,
            },
            "lines": [line],
        }
    )
    if product:
        result.products.append(product_mapping(product))
    return result


def inventory_list_to_events(response: Mapping | list, received_at: str | None = None):
    """Inventory events of a REST 2.0 ``/inventory`` page."""
    records = response.get("data") if isinstance(response, Mapping) else response
    result = Translation()
    for record in records or []:
        result.extend(inventory_to_event(record, received_at))
    return result


def product_mapping(product: Mapping) -> ProductMapping:
    """A product (webhook ``product.update`` or REST) as a mapping record."""
    product_id = xs_id(product.get("id"))
    if not product_id:
        raise LightspeedPayloadError("the product has no id")
    options = tuple(
        (text(option.get("name")) or "", text(option.get("value")) or "")
        for option in product.get("variant_options") or []
        if isinstance(option, Mapping)
    )
    supplier = product.get("supplier") if isinstance(product.get("supplier"), Mapping) else {}
    barcode = None
    for code in product.get("product_codes") or []:
        if isinstance(code, Mapping) and text(code.get("code")):
            barcode = text(code.get("code"))
            break
    return ProductMapping(
        product_id=product_id,
        sku=text(product.get("sku")),
        barcode=barcode,
        name=text(product.get("name")),
        variant_parent_id=xs_id(product.get("variant_parent_id")),
        variant_options=options,
        supplier_id=xs_id(product.get("supplier_id")) or xs_id(supplier.get("id")),
        supply_price=number(product.get("supply_price")),
        active=boolean(product.get("active"), True) and not text(product.get("deleted_at")),
    )


# ----------------------------------------------------------------------
# Suppliers
# ----------------------------------------------------------------------
PHONE_FIELDS = (("phone", "Work"), ("mobile", "Mobile"), ("fax", "Fax"))


def supplier_to_supplier(row: Mapping, default_region: str | None = None) -> Supplier:
    """A REST 2.0 supplier (``contact`` optional) as a :class:`Supplier`;
    phones in E.164 read in the contact's country, else ``default_region``."""
    supplier_id = xs_id(row.get("id"))
    if not supplier_id:
        raise LightspeedPayloadError("the supplier has no id")
    contact = row.get("contact") if isinstance(row.get("contact"), Mapping) else {}
    country = text(contact.get("physical_country_id")) or text(contact.get("postal_country_id"))
    address = None
    if any(text(contact.get(f"physical_{key}")) for key in ("address_1", "city", "postcode")):
        address = Address(
            street=text(contact.get("physical_address_1")),
            street2=text(contact.get("physical_address_2")),
            city=text(contact.get("physical_city")) or text(contact.get("physical_suburb")),
            state=text(contact.get("physical_state")),
            zip=text(contact.get("physical_postcode")),
            country=country,
            country_code=region_of(country),
        )
    region = region_of(country) or default_region
    phones = tuple(
        normalise_phone(raw, region, use_type)
        for key, use_type in PHONE_FIELDS
        if (raw := text(contact.get(key)))
    )
    person = " ".join(
        part for part in (text(contact.get("first_name")), text(contact.get("last_name"))) if part
    )
    supplier = Supplier(
        supplier_id=supplier_id,
        name=text(row.get("name")) or text(contact.get("company_name")) or supplier_id,
        emails=tuple(email for email in (text(contact.get("email")),) if email),
        phones=phones,
        address=address,
        website=text(contact.get("website")),
        archived=bool(text(row.get("deleted_at"))),
        contacts=(person,) if person else (),
    )
    for phone in supplier.phones:
        if phone.phone_invalid:
            supplier.notes.append(f"phone {phone.raw!r} kept as typed: {phone.reason}")
    return supplier


# ----------------------------------------------------------------------
# One entry point per delivery
# ----------------------------------------------------------------------
def translate_webhook(
    delivery: WebhookDelivery,
    currency: str | None = None,
    register_outlets: Mapping[str, str] | None = None,
    received_at: str | None = None,
) -> Translation:
    """Translate one decoded delivery by its ``type``."""
    kind = (delivery.type or "").strip().lower()
    payload = delivery.payload
    if kind == "sale.update" or (not kind and "register_sale_products" in payload):
        return sale_to_events(payload, currency, register_outlets)
    if kind == "inventory.update" or (not kind and "outlet_id" in payload and "count" in payload):
        return inventory_to_event(payload, received_at)
    if kind == "product.update":
        result = Translation(products=[product_mapping(payload)])
        result.notes.append("product.update: 1 product to map; no demand")
        return result
    return Translation(notes=[f"webhook type {kind or '(none)'} carries no demand signal"])
