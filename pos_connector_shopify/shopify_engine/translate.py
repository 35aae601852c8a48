"""Shopify JSON (webhook bodies and REST resources) to unified intake events.

Every function returns a :class:`Translation`: the unified event dicts to feed
``parse_unified_event``, plus ``notes`` and ``skipped`` lines saying why
something produced nothing. Parse bodies with :func:`load_json` (plain
``json.loads``): Python keeps integers exact above 2**53, and every Shopify id
leaves this module as a string. ``\\/`` escapes decode as ``/``; timestamps keep
Shopify's own offset (``2008-01-10T11:00:00-05:00``). Money is the shop's
(``price_set.shop_money``, else ``price``), never the presentment currency.

Event ids: one scheme, derived from Shopify's resource ids only
----------------------------------------------------------------
The inbox dedupes on ``event_id`` and a void reverses the signals recorded by
the event it ``cancels``. Shopify gives no ordering guarantee (``orders/paid``
may come before ``orders/create``) and a backfill reads the same orders as the
webhooks, so ids never depend on the topic, the delivery or the arrival order:

* **sale**: one event per order line item,
  ``shopify-order-<order id>-line-<line item id>`` (see :func:`sale_event_id`),
  ``line_id`` = the line item id. ``orders/create``, ``orders/paid``,
  ``orders/updated``, ``orders/cancelled`` and the backfill all produce the same
  ids, so every later copy is an inbox duplicate, and a line added by an order
  edit (a new line item id) is a new event.
* **refund**: ``shopify-refund-<refund id>`` (``-location-<id>`` appended per
  location when the refund restocked to several), ``line_id`` =
  ``refund-line-<refund line item id>``. ``refunds/create`` and the ``refunds[]``
  embedded in any order body give the same ids, so a missed ``refunds/create``
  is recovered from the next ``orders/updated`` or backfill.
* **void**: ``<sale event id>-void``, ``cancels`` = that sale event id: one void
  per line, so it always names the event that holds the line's signal.
* **inventory**: ``shopify-inventory-<location>-<inventory item>-<updated_at>=<available>``;
  also the line id, since each count is a new line.

The delivery's ``X-Shopify-Event-Id`` is kept for tracing in the event's
``shopify`` key (ignored by the unified parser, like ``channel``).

Refunds, restocks and cancellations
-----------------------------------
Refund line items are the source of truth for quantities taken back:
``restock_type`` ``return``, ``legacy_restock`` and ``cancel`` are returns of
stock (refund lines); ``no_restock`` is money only (the goods are gone, the
demand stays): such lines are left out and listed in ``Translation.skipped``.
Old payloads without ``restock_type`` follow the refund's ``restock`` flag.

A cancellation voids the sale of each line item that no restocking refund line
covers in the cancelled order's body (an unpaid order cancelled without a
refund, or cancelled without restock). A line that a restocking refund covers
is left to that refund (Shopify records the restock of a cancellation as refund
lines of type ``cancel``), so nothing is reversed twice. A line only partly
restocked keeps its remainder. This relies on the cancelled order's body
listing the refunds its cancellation created, as Shopify's cancel does.

POS or online: ``channel`` is ``"pos"`` when ``source_name == "pos"``, else
``"online"``; ``location`` is the order's ``location_id`` (POS orders; online
orders have none and use the source's default warehouse).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

RESTOCKED_TYPES = ("return", "legacy_restock", "cancel")
NOT_RESTOCKED_TYPES = ("no_restock",)
INVENTORY_ITEM_PREFIX = "inventory_item:"
ORDER_TOPICS = (
    "orders/create",
    "orders/paid",
    "orders/updated",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/edited",
    "orders/cancelled",
)
MAX_EXACT_FLOAT_INT = 2**53


class ShopifyPayloadError(ValueError):
    """The Shopify body lacks something every translation needs (an id, a date)."""


@dataclass(frozen=True)
class SkippedLine:
    """A Shopify line that produced no unified line, and why."""

    line_id: str
    reason: str  # no_restock, no_product_key, gift_card, zero_quantity, covered_by_refund...
    quantity: float | None = None
    sku: str | None = None
    variant_id: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class VariantKey:
    """One variant of a product: what maps Shopify ids to an Odoo product."""

    product_id: str | None
    variant_id: str
    inventory_item_id: str | None
    sku: str | None
    barcode: str | None
    title: str | None

    @property
    def inventory_ref(self) -> str | None:
        """The ``variant_id`` an inventory event carries for this variant."""
        return inventory_item_ref(self.inventory_item_id) if self.inventory_item_id else None


@dataclass(frozen=True)
class LocationKey:
    """A Shopify location, to map to a warehouse."""

    location_id: str
    name: str | None
    active: bool
    legacy: bool


@dataclass
class Translation:
    """The result of one translation: events, plus why anything was left out."""

    events: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    variants: list[VariantKey] = field(default_factory=list)
    #: Shopify's own test data (``"test": true`` orders, refunds paid back
    #: only through test transactions): kept in the inbox, never counted.
    test: bool = False

    def extend(self, other: Translation) -> Translation:
        """Append ``other`` to this translation (returns self)."""
        self.test = self.test or other.test
        self.events.extend(other.events)
        self.notes.extend(other.notes)
        self.skipped.extend(other.skipped)
        self.variants.extend(other.variants)
        return self

    @property
    def event_ids(self) -> list[str]:
        return [event["event_id"] for event in self.events]


# ----------------------------------------------------------------------
# Small readers
# ----------------------------------------------------------------------
def load_json(raw: bytes | str) -> Any:
    """Decode a Shopify body; integers stay exact (no float round trip)."""
    return json.loads(raw)


def shopify_id(value: Any) -> str | None:
    """A Shopify id as a string: ``450789469`` -> ``"450789469"``; a GraphQL
    gid keeps only its numeric tail; ``None``/``""`` -> ``None``.

    A float is refused when it cannot hold the id exactly (above 2**53): such
    a value went through a lossy parser and would name another record.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ShopifyPayloadError(f"id {value!r} is not an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= MAX_EXACT_FLOAT_INT:
            raise ShopifyPayloadError(f"id {value!r} lost precision (parse ids as integers)")
        return str(int(value))
    text = str(value).strip()
    if text.startswith("gid://"):
        text = text.rsplit("/", 1)[-1].split("?", 1)[0]
    return text or None


def inventory_item_ref(inventory_item_id: Any) -> str:
    """``variant_id`` of an inventory line: ``inventory_item:<id>``."""
    return f"{INVENTORY_ITEM_PREFIX}{shopify_id(inventory_item_id)}"


def sale_event_id(order_id: Any, line_item_id: Any) -> str:
    """The event id of the sale of one order line item."""
    return f"shopify-order-{shopify_id(order_id)}-line-{shopify_id(line_item_id)}"


def void_event_id(order_id: Any, line_item_id: Any) -> str:
    """The event id of the cancellation of one order line item."""
    return sale_event_id(order_id, line_item_id) + "-void"


def test_delivery(what: str) -> Translation:
    """What a Shopify test resource gives: nothing to count, and why."""
    return Translation(
        notes=[f"{what} is Shopify test data (test: true): stored, not counted"], test=True
    )


def unwrap(payload: Any, key: str) -> Any:
    """``{"order": {...}}`` (a REST response) -> ``{...}`` (a webhook body)."""
    if isinstance(payload, Mapping) and set(payload) - {"notice"} == {key}:
        inner = payload[key]
        if isinstance(inner, Mapping):
            return inner
    return payload


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _quantity(value: Any) -> int | float:
    number = _number(value)
    if number is None:
        return 0
    return int(number) if number.is_integer() else number


def _shop_money(money_set: Any) -> Mapping:
    if isinstance(money_set, Mapping) and isinstance(money_set.get("shop_money"), Mapping):
        return money_set["shop_money"]
    return {}


def shop_unit_price(line_item: Mapping) -> float:
    """The line's unit price in the shop currency (``price_set.shop_money``,
    else ``price``, which Shopify also gives in the shop currency)."""
    amount = _number(_shop_money(line_item.get("price_set")).get("amount"))
    if amount is None:
        amount = _number(line_item.get("price"))
    return amount if amount is not None else 0.0


def shop_currency(order: Mapping) -> str | None:
    """The shop currency of an order (not ``presentment_currency``)."""
    for key in ("total_price_set", "subtotal_price_set", "current_total_price_set"):
        code = _text(_shop_money(order.get(key)).get("currency_code"))
        if code:
            return code.upper()
    code = _text(order.get("currency"))
    return code.upper() if code else None


def _line_currency(*parts: Mapping) -> str | None:
    for part in parts:
        for key in ("price_set", "subtotal_set"):
            code = _text(_shop_money(part.get(key)).get("currency_code"))
            if code:
                return code.upper()
    return None


def channel_of(order: Mapping) -> str:
    """``"pos"`` for a Shopify POS order, else ``"online"``."""
    return "pos" if _text(order.get("source_name")) == "pos" else "online"


def _required_id(resource: Mapping, key: str, what: str) -> str:
    value = shopify_id(resource.get(key)) if isinstance(resource, Mapping) else None
    if not value:
        raise ShopifyPayloadError(f"{what} has no {key}")
    return value


def _required_time(resource: Mapping, keys: Iterable[str], what: str) -> str:
    for key in keys:
        value = _text(resource.get(key))
        if value:
            return value
    raise ShopifyPayloadError(f"{what} has none of {', '.join(keys)}")


@dataclass(frozen=True)
class _Header:
    """What every event of one translation shares."""

    occurred_at: str
    location: str | None
    currency: str | None
    channel: str | None
    provenance: dict

    def event(self, event_id: str, event_type: str, **extra: Any) -> dict:
        """A unified event dict; ``channel`` and ``shopify`` are extra keys
        that ``parse_unified_event`` ignores."""
        return {
            "event_id": event_id,
            "type": event_type,
            "occurred_at": self.occurred_at,
            "location": self.location,
            "currency": self.currency,
            "channel": self.channel,
            **extra,
            "shopify": {k: v for k, v in self.provenance.items() if v is not None},
        }


# ----------------------------------------------------------------------
# Orders: one sale event per line item
# ----------------------------------------------------------------------
def _unified_line(line_id, sku, variant_id, quantity, item: Mapping) -> dict:
    """A unified-schema line priced in shop money (Shopify has no barcode on lines)."""
    return {
        "line_id": line_id,
        "sku": sku,
        "barcode": None,
        "variant_id": variant_id,
        "quantity": quantity,
        "unit_price": shop_unit_price(item),
    }


@dataclass(frozen=True)
class _SaleLine:
    line_item_id: str
    quantity: int | float
    line: dict


def _unusable_sale_line(
    item: Mapping, line_id: str, quantity: float, sku: str | None, variant_id: str | None
) -> tuple[str | None, str]:
    """(reason, detail) when a line item cannot be a sale line, else (None, "")."""
    if quantity <= 0:
        return "zero_quantity", f"line item {line_id} has quantity {quantity}"
    if item.get("gift_card"):
        return "gift_card", f"line item {line_id} is a gift card, not stock"
    if not (sku or variant_id):
        name = _text(item.get("name")) or "custom item"
        return "no_product_key", f"line item {line_id} ({name}) has neither a SKU nor a variant id"
    return None, ""


def _sale_lines(order: Mapping, result: Translation) -> list[_SaleLine]:
    """The order's line items that can become sale lines; the rest go to
    ``result.skipped``."""
    lines = []
    for item in order.get("line_items") or []:
        line_id = shopify_id(item.get("id"))
        if not line_id:
            raise ShopifyPayloadError("an order line item has no id")
        quantity = _quantity(item.get("quantity"))
        sku = _text(item.get("sku"))
        variant_id = shopify_id(item.get("variant_id"))
        reason, detail = _unusable_sale_line(item, line_id, quantity, sku, variant_id)
        if reason:
            result.skipped.append(SkippedLine(line_id, reason, quantity, sku, variant_id, detail))
        else:
            line = _unified_line(line_id, sku, variant_id, quantity, item)
            lines.append(_SaleLine(line_id, quantity, line))
    return lines


def order_to_events(
    order: Mapping, topic: str = "orders/create", webhook_event_id: str | None = None
) -> Translation:
    """Sale events of an order body (``orders/create``, ``/paid``, ``/updated``
    or a REST order): one per line item, ids per :func:`sale_event_id`."""
    order = unwrap(order, "order")
    order_id = _required_id(order, "id", "the order")
    if order.get("test") is True:
        return test_delivery(f"order {order_id}")
    occurred_at = _required_time(order, ("processed_at", "created_at"), f"order {order_id}")
    result = Translation()
    header = _Header(
        occurred_at,
        shopify_id(order.get("location_id")),
        shop_currency(order),
        channel_of(order),
        {"topic": topic, "webhook_event_id": webhook_event_id, "order_id": order_id},
    )
    for sale in _sale_lines(order, result):
        event_id = sale_event_id(order_id, sale.line_item_id)
        result.events.append(header.event(event_id, "sale", lines=[sale.line]))
    if not result.events:
        result.notes.append(f"order {order_id} has no line item to record as a sale")
    return result


# ----------------------------------------------------------------------
# Refunds
# ----------------------------------------------------------------------
def _restock_type(refund: Mapping, refund_line: Mapping) -> tuple[str, bool]:
    """(restock type in lower case, inferred from the refund's ``restock`` flag?)."""
    given = _text(refund_line.get("restock_type"))
    if given:
        return given.lower(), False
    return ("legacy_restock" if refund.get("restock") else "no_restock"), True


def _unusable_refund_line(
    restock_type: str,
    quantity: float,
    product_key: str | None,
    refund_line_id: str,
    line_item_id: str | None,
) -> tuple[str | None, str]:
    """(reason, detail) when a refund line is no return of stock, else (None, "")."""
    if restock_type in NOT_RESTOCKED_TYPES:
        return "no_restock", (
            f"refund line {refund_line_id} refunded {quantity} x {product_key or line_item_id} "
            "without restocking (money only)"
        )
    if restock_type not in RESTOCKED_TYPES:
        return "unknown_restock_type", f"restock_type {restock_type!r} is not understood"
    if quantity <= 0:
        return "zero_quantity", f"refund line {refund_line_id} has quantity {quantity}"
    if not product_key:
        return "no_product_key", (
            f"refund line {refund_line_id} names line item {line_item_id} without a SKU or "
            "variant id (pass the order to resolve it)"
        )
    return None, ""


def restocked_quantities(order: Mapping) -> dict[str, float]:
    """Line item id -> quantity restocked by the refunds embedded in the order."""
    order = unwrap(order, "order")
    restocked: dict[str, float] = defaultdict(float)
    for refund in order.get("refunds") or []:
        for refund_line in refund.get("refund_line_items") or []:
            if _restock_type(refund, refund_line)[0] in RESTOCKED_TYPES:
                line_item_id = shopify_id(refund_line.get("line_item_id")) or shopify_id(
                    (refund_line.get("line_item") or {}).get("id")
                )
                if line_item_id:
                    restocked[line_item_id] += _quantity(refund_line.get("quantity"))
    return dict(restocked)


def refund_to_event(
    refund: Mapping,
    order: Mapping | None = None,
    webhook_event_id: str | None = None,
    topic: str = "refunds/create",
) -> Translation:
    """Refund events of a refund body (``refunds/create`` or REST); ``order``
    (optional) fills in SKUs, currency, channel and the POS location.

    Only restocked lines are returns; ``no_restock`` lines are listed in
    ``skipped``. One event per restock location (usually one): a line's
    ``location_id`` is where the stock came back, else the order's location.
    ``unit_price`` is the line item's shop-money price, as on the sale, not the
    refunded ``subtotal`` (after discounts, and 0 for a restock-only refund).
    """
    refund = unwrap(refund, "refund")
    order = unwrap(order, "order") if order else None
    refund_id = _required_id(refund, "id", "the refund")
    transactions = [t for t in refund.get("transactions") or [] if isinstance(t, Mapping)]
    if (order and order.get("test") is True) or (
        transactions and all(t.get("test") is True for t in transactions)
    ):
        return test_delivery(f"refund {refund_id}")
    order_id = shopify_id(refund.get("order_id")) or (
        shopify_id(order.get("id")) if order else None
    )
    occurred_at = _required_time(refund, ("processed_at", "created_at"), f"refund {refund_id}")
    order_items = {
        shopify_id(item.get("id")): item for item in (order or {}).get("line_items") or []
    }
    default_location = shopify_id(order.get("location_id")) if order else None
    currency = shop_currency(order) if order else None
    result = Translation()
    by_location: dict[str | None, list[dict]] = {}
    for refund_line in refund.get("refund_line_items") or []:
        refund_line_id = _required_id(refund_line, "id", f"a line of refund {refund_id}")
        line_id = f"refund-line-{refund_line_id}"
        line_item_id = shopify_id(refund_line.get("line_item_id"))
        item = refund_line.get("line_item") or order_items.get(line_item_id) or {}
        quantity = _quantity(refund_line.get("quantity"))
        sku = _text(item.get("sku"))
        variant_id = shopify_id(item.get("variant_id"))
        restock_type, inferred = _restock_type(refund, refund_line)
        if inferred:
            result.notes.append(
                f"refund {refund_id} line {refund_line_id} has no restock_type; "
                f"taken as {restock_type} from the refund's restock flag"
            )
        reason, detail = _unusable_refund_line(
            restock_type, quantity, sku or variant_id, refund_line_id, line_item_id
        )
        if reason:
            result.skipped.append(SkippedLine(line_id, reason, quantity, sku, variant_id, detail))
            continue
        currency = currency or _line_currency(item, refund_line)
        location = shopify_id(refund_line.get("location_id")) or default_location
        by_location.setdefault(location, []).append(
            _unified_line(line_id, sku, variant_id, quantity, item)
        )
    provenance = {
        "topic": topic,
        "webhook_event_id": webhook_event_id,
        "order_id": order_id,
        "refund_id": refund_id,
    }
    channel = channel_of(order) if order else None
    for location, lines in by_location.items():
        event_id = f"shopify-refund-{refund_id}"
        if len(by_location) > 1:
            event_id += f"-location-{location or 'none'}"
        header = _Header(occurred_at, location, currency, channel, provenance)
        result.events.append(header.event(event_id, "refund", lines=lines))
    if not result.events:
        reasons = sorted({s.reason for s in result.skipped}) or ["no refund line items"]
        result.notes.append(
            f"refund {refund_id} returns nothing to stock ({', '.join(reasons)}); no event"
        )
    return result


# ----------------------------------------------------------------------
# Cancellations
# ----------------------------------------------------------------------
def cancellation_to_event(
    order: Mapping, webhook_event_id: str | None = None, topic: str = "orders/cancelled"
) -> Translation:
    """Voids for a cancelled order (``orders/cancelled``, or ``orders/updated``
    with ``cancelled_at``): one per line item no restocking refund covers."""
    order = unwrap(order, "order")
    order_id = _required_id(order, "id", "the order")
    result = Translation()
    cancelled_at = _text(order.get("cancelled_at"))
    if not cancelled_at:
        result.notes.append(f"order {order_id} is not cancelled (cancelled_at is empty)")
        return result
    restocked = restocked_quantities(order)
    provenance = {
        "topic": topic,
        "webhook_event_id": webhook_event_id,
        "order_id": order_id,
        "cancel_reason": _text(order.get("cancel_reason")),
    }
    header = _Header(
        cancelled_at,
        shopify_id(order.get("location_id")),
        shop_currency(order),
        channel_of(order),
        provenance,
    )
    for sale in _sale_lines(order, Translation()):
        done = restocked.get(sale.line_item_id, 0)
        if done:
            reason = "covered_by_refund" if done >= sale.quantity else "partly_restocked"
            result.skipped.append(
                SkippedLine(
                    sale.line_item_id,
                    reason,
                    sale.quantity,
                    sale.line["sku"],
                    sale.line["variant_id"],
                    f"{done} of {sale.quantity} restocked by refunds of order {order_id}; "
                    "those refunds carry the reversal",
                )
            )
            continue
        event_id = void_event_id(order_id, sale.line_item_id)
        cancels = sale_event_id(order_id, sale.line_item_id)
        # line_ids lets the core find the line even when the inbox row holding
        # it is a whole delivery rather than this per-line sale event
        result.events.append(
            header.event(event_id, "void", cancels=cancels, line_ids=[sale.line_item_id])
        )
    if not result.events:
        result.notes.append(f"order {order_id} cancelled: every line is reversed by its refunds")
    return result


def order_snapshot_to_events(
    order: Mapping, topic: str = "orders/updated", webhook_event_id: str | None = None
) -> Translation:
    """Everything an order body tells: its sales, the refunds embedded in it,
    and the voids when it is cancelled. Used for every order topic and for
    the backfill; all ids are stable, so repeats are inbox duplicates."""
    order = unwrap(order, "order")
    result = order_to_events(order, topic, webhook_event_id)
    if result.test:
        return result
    for refund in order.get("refunds") or []:
        result.extend(refund_to_event(refund, order, webhook_event_id, topic))
    if _text(order.get("cancelled_at")):
        result.extend(cancellation_to_event(order, webhook_event_id, topic))
    return result


# ----------------------------------------------------------------------
# Inventory, products, locations
# ----------------------------------------------------------------------
def inventory_level_to_event(level: Mapping, webhook_event_id: str | None = None) -> Translation:
    """An ``inventory_levels/update`` body (or a REST InventoryLevel) to one
    ``inventory`` event; ``available: null`` (item not tracked) gives none."""
    level = unwrap(level, "inventory_level")
    item_id = _required_id(level, "inventory_item_id", "the inventory level")
    location = _required_id(level, "location_id", "the inventory level")
    result = Translation()
    available = _number(level.get("available"))
    if available is None:
        result.notes.append(
            f"inventory item {item_id} at location {location} has no available quantity "
            "(not tracked by Shopify); no count recorded"
        )
        return result
    updated_at = _required_time(level, ("updated_at",), f"inventory item {item_id}")
    quantity = int(available) if available.is_integer() else available
    event_id = f"shopify-inventory-{location}-{item_id}-{updated_at}={quantity}"
    line = {
        "line_id": event_id,
        "sku": None,
        "barcode": None,
        "variant_id": inventory_item_ref(item_id),
        "quantity": quantity,
        "unit_price": 0.0,
    }
    provenance = {
        "topic": "inventory_levels/update",
        "webhook_event_id": webhook_event_id,
        "inventory_item_id": item_id,
    }
    header = _Header(updated_at, location, None, None, provenance)
    result.events.append(header.event(event_id, "inventory", lines=[line]))
    return result


def inventory_levels_to_events(levels: Mapping | list) -> Translation:
    """A REST ``inventory_levels`` list (a backfill snapshot) to inventory events."""
    rows = levels.get("inventory_levels", []) if isinstance(levels, Mapping) else levels
    result = Translation()
    for level in rows:
        result.extend(inventory_level_to_event(level))
    return result


def variant_key(variant: Mapping, product_id: Any = None) -> VariantKey:
    """One Shopify variant as a :class:`VariantKey`."""
    variant = unwrap(variant, "variant")
    return VariantKey(
        product_id=shopify_id(variant.get("product_id")) or shopify_id(product_id),
        variant_id=_required_id(variant, "id", "the variant"),
        inventory_item_id=shopify_id(variant.get("inventory_item_id")),
        sku=_text(variant.get("sku")),
        barcode=_text(variant.get("barcode")),
        title=_text(variant.get("title")),
    )


def product_variants(product: Mapping) -> list[VariantKey]:
    """The variants of a product (``products/create``/``update`` or REST)."""
    product = unwrap(product, "product")
    product_id = shopify_id(product.get("id"))
    return [variant_key(v, product_id) for v in product.get("variants") or []]


def locations(payload: Mapping | list) -> list[LocationKey]:
    """A REST ``locations`` list (or one location) as :class:`LocationKey` rows."""
    payload = unwrap(payload, "location")
    if isinstance(payload, Mapping) and "locations" in payload:
        rows = payload["locations"]
    elif isinstance(payload, Mapping):
        rows = [payload]
    else:
        rows = payload
    return [
        LocationKey(
            location_id=_required_id(row, "id", "a location"),
            name=_text(row.get("name")),
            active=bool(row.get("active", True)),
            legacy=bool(row.get("legacy", False)),
        )
        for row in rows
    ]


# ----------------------------------------------------------------------
# One entry point per delivery
# ----------------------------------------------------------------------
def delivery_identity(topic: str, payload: Any) -> str | None:
    """What a delivery is about, whatever its headers: topic, the resource's id
    and its version (``updated_at``, else the creation time of an immutable
    resource such as a refund). One change delivered twice, with or without
    ``X-Shopify-Event-Id`` and under a new ``X-Shopify-Webhook-Id`` each time,
    gets one identity; None when the body does not say (the caller falls back
    to the header ids)."""
    payload = unwrap(payload, "order") if isinstance(payload, Mapping) else payload
    if not isinstance(payload, Mapping):
        return None
    topic = (topic or "").strip().lower()
    if topic.startswith("inventory_levels/"):
        item = shopify_id(payload.get("inventory_item_id"))
        location = shopify_id(payload.get("location_id"))
        resource = f"{item}@{location}" if item and location else None
    else:
        resource = shopify_id(payload.get("id"))
    version = _text(payload.get("updated_at")) or (
        _text(payload.get("created_at")) if topic == "refunds/create" else None
    )
    if version and topic.startswith("inventory_levels/"):
        version += f"={payload.get('available')}"
    if not (topic and resource and version):
        return None
    return f"{topic}:{resource}:{version}"


def translate_webhook(
    topic: str, body: bytes | str | Mapping, webhook_event_id: str | None = None
) -> Translation:
    """Translate one webhook delivery by its ``X-Shopify-Topic``."""
    payload = load_json(body) if isinstance(body, (bytes, str)) else body
    topic = (topic or "").strip().lower()
    if topic in ORDER_TOPICS:
        return order_snapshot_to_events(payload, topic, webhook_event_id)
    if topic == "refunds/create":
        return refund_to_event(payload, None, webhook_event_id)
    if topic in ("inventory_levels/update", "inventory_levels/connect"):
        return inventory_level_to_event(payload, webhook_event_id)
    if topic in ("products/create", "products/update"):
        result = Translation(variants=product_variants(payload))
        result.notes.append(f"{topic}: {len(result.variants)} variant(s) to map; no demand")
        return result
    return Translation(notes=[f"topic {topic or '(none)'} carries no demand signal; ignored"])
