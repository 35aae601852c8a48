"""Lightspeed Retail R-Series JSON to unified intake events and suppliers.

R-Series JSON quirks, all handled here
--------------------------------------
* Every scalar is a string: ``"true"``/``"false"``, ``"12"``, ``"3.50"``
  (:func:`~lightspeed_engine.common.boolean`, :func:`~lightspeed_engine.common.number`).
* A one-element list is collapsed into a bare object: ``SaleLines.SaleLine``
  is a dict for one line and a list for several (:func:`as_list`).
* A relation that is absent, ``""`` or ``{}`` means "none" (``"Websites": ""``).
* A list response is ``{"@attributes": {...}, "<Resource>": row-or-rows}``
  (:func:`rows`).

Event ids (stable, so a re-poll never double counts)
----------------------------------------------------
* sale: ``rs-sale-<saleID>``, one event per completed sale, ``line_id`` =
  ``saleLineID``. A negative ``unitQuantity`` is a return line (the unified
  parser turns a negative line of a sale event into a return).
* void: ``rs-void-<saleID>``, ``cancels`` = ``rs-sale-<saleID>``, ``line_ids``
  = the sale's line ids. A sale voided after completion keeps
  ``completed: "true"``; the poll then yields the sale and its void, so the
  net is zero whether or not the sale was read before.
* inventory: ``rs-inventory-<shopID>-<itemID>-<ItemShop.timeStamp>=<qoh>``.

The ``shopID`` ``"0"`` ItemShop row is the account-wide total (the recorded
Item 177 has ``qoh`` 1045 in shop 1 and 1045 in shop 0 with a single shop): it
is left out of inventory events.

``location`` is the ``shopID``; ``occurred_at`` is ``completeTime``, else
``timeStamp`` (UTC, ``+00:00``). R-Series puts no currency on sales: pass the
account's currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .common import (
    LightspeedPayloadError,
    ProductMapping,
    SkippedLine,
    Translation,
    boolean,
    number,
    plain_number,
    text,
)
from .contacts import Address, Phone, Supplier, normalise_phone, region_of

SKU_FIELDS = ("customSku", "manufacturerSku", "systemSku")
BARCODE_FIELDS = ("upc", "ean")
AGGREGATE_SHOP_ID = "0"


# ----------------------------------------------------------------------
# Quirk normalisation
# ----------------------------------------------------------------------
def as_list(value: Any) -> list:
    """A relation's rows as a list: ``None``/``""``/``{}`` -> ``[]``, a bare
    object -> ``[object]``, a list stays (without empty members)."""
    if value is None or value in ("", {}):
        return []
    if isinstance(value, list):
        return [row for row in value if row not in (None, "", {})]
    return [value]


def relation(record: Mapping | None, container: str, member: str) -> list[dict]:
    """``record[container][member]`` as a list (``SaleLines`` / ``SaleLine``)."""
    if not isinstance(record, Mapping):
        return []
    outer = record.get(container)
    if not isinstance(outer, Mapping):
        return []
    return [row for row in as_list(outer.get(member)) if isinstance(row, Mapping)]


def rows(response: Mapping, resource: str) -> list[dict]:
    """The rows of a list or show response (``{"Sale": {...}}`` or ``[...]``)."""
    if not isinstance(response, Mapping):
        return []
    return [row for row in as_list(response.get(resource)) if isinstance(row, Mapping)]


def rs_id(value: Any) -> str | None:
    """An R-Series id as a string; ``"0"`` (no relation) and empty -> ``None``."""
    result = text(value)
    if result is None:
        return None
    if result.endswith(".0") and result[:-2].isdigit():
        result = result[:-2]
    return None if result == "0" else result


def _required_id(record: Mapping, key: str, what: str) -> str:
    value = rs_id(record.get(key))
    if not value:
        raise LightspeedPayloadError(f"{what} has no {key}")
    return value


def sale_event_id(sale_id: Any) -> str:
    return f"rs-sale-{rs_id(sale_id)}"


def void_event_id(sale_id: Any) -> str:
    return f"rs-void-{rs_id(sale_id)}"


# ----------------------------------------------------------------------
# Items
# ----------------------------------------------------------------------
def item_sku(item: Mapping | None, fields: Iterable[str] = SKU_FIELDS) -> str | None:
    """The first non-empty SKU field of an Item (custom, manufacturer, system)."""
    for name in fields:
        value = text((item or {}).get(name))
        if value:
            return value
    return None


def item_barcode(item: Mapping | None) -> str | None:
    """The Item's UPC, else its EAN."""
    for name in BARCODE_FIELDS:
        value = text((item or {}).get(name))
        if value:
            return value
    return None


def item_mapping(item: Mapping, sku_fields: Iterable[str] = SKU_FIELDS) -> ProductMapping:
    """An Item as a :class:`~lightspeed_engine.common.ProductMapping`."""
    return ProductMapping(
        product_id=_required_id(item, "itemID", "an Item"),
        sku=item_sku(item, sku_fields),
        barcode=item_barcode(item),
        name=text(item.get("description")),
        variant_parent_id=rs_id(item.get("itemMatrixID")),
        supplier_id=rs_id(item.get("defaultVendorID")),
        supply_price=number(item.get("defaultCost")),
        active=not boolean(item.get("archived")),
    )


# ----------------------------------------------------------------------
# Sales
# ----------------------------------------------------------------------
def _sale_line(
    line: Mapping,
    items: Mapping[str, Mapping],
    sku_fields: Iterable[str],
    result: Translation,
) -> dict | None:
    """One SaleLine as a unified line, or ``None`` (recorded in ``skipped``)."""
    line_id = _required_id(line, "saleLineID", "a SaleLine")
    quantity = number(line.get("unitQuantity")) or 0.0
    item_id = rs_id(line.get("itemID"))
    item = line.get("Item") if isinstance(line.get("Item"), Mapping) else None
    item = item or (items.get(item_id) if item_id else None) or {}
    sku = item_sku(item, sku_fields)
    if quantity == 0:
        result.skipped.append(SkippedLine(line_id, "zero_quantity", 0.0))
        return None
    if not (item_id or sku):
        result.skipped.append(
            SkippedLine(line_id, "no_product_key", quantity, "a line without an Item (a fee?)")
        )
        return None
    return {
        "line_id": line_id,
        "sku": sku,
        "barcode": item_barcode(item),
        "variant_id": item_id,
        "quantity": plain_number(quantity),
        "unit_price": number(line.get("unitPrice")) or 0.0,
    }


def sale_to_events(
    sale: Mapping,
    currency: str | None = None,
    items: Mapping[str, Mapping] | None = None,
    sku_fields: Iterable[str] = SKU_FIELDS,
) -> Translation:
    """Events of one Sale (with ``SaleLines`` loaded; ``SaleLines.Item`` or
    ``items`` by itemID give the SKUs): its sale when completed, and its void
    when voided."""
    sale_id = _required_id(sale, "saleID", "the Sale")
    result = Translation()
    completed = boolean(sale.get("completed"))
    voided = boolean(sale.get("voided"))
    occurred_at = text(sale.get("completeTime")) or text(sale.get("timeStamp"))
    if not occurred_at:
        raise LightspeedPayloadError(f"Sale {sale_id} has no completeTime or timeStamp")
    lines = []
    for line in relation(sale, "SaleLines", "SaleLine"):
        unified = _sale_line(line, items or {}, sku_fields, result)
        if unified:
            lines.append(unified)
    header = {
        "occurred_at": occurred_at,
        "location": rs_id(sale.get("shopID")),
        "currency": currency,
        "channel": "pos",
        "lightspeed": {
            "platform": "r-series",
            "sale_id": sale_id,
            "register_id": rs_id(sale.get("registerID")),
            "ticket_number": text(sale.get("ticketNumber")),
        },
    }
    if not completed:
        state = "voided" if voided else "not completed yet"
        result.notes.append(f"Sale {sale_id} is {state}: nothing to count")
        return result
    if lines:
        result.events.append(
            {"event_id": sale_event_id(sale_id), "type": "sale", **header, "lines": lines}
        )
    else:
        result.notes.append(f"Sale {sale_id} has no line to record")
    if voided and lines:
        void = {
            "event_id": void_event_id(sale_id),
            "type": "void",
            **header,
            "occurred_at": text(sale.get("timeStamp")) or occurred_at,
            "cancels": sale_event_id(sale_id),
            "line_ids": [line["line_id"] for line in lines],
        }
        result.events.append(void)
    return result


def sales_to_events(
    response: Mapping | list,
    currency: str | None = None,
    items: Mapping[str, Mapping] | None = None,
) -> Translation:
    """Every Sale of a list response (or a list of Sale dicts)."""
    sales = response if isinstance(response, list) else rows(response, "Sale")
    result = Translation()
    for sale in sales:
        result.extend(sale_to_events(sale, currency, items))
    return result


def salelines_to_sale(sale_id: Any, response: Mapping, shop_id: Any = None, **sale) -> dict:
    """A Sale dict from a ``SaleLine.json?saleID=`` response (the lines
    carry their shop), for :func:`sale_to_events`."""
    lines = rows(response, "SaleLine")
    first = lines[0] if lines else {}
    return {
        "saleID": str(sale_id),
        "shopID": shop_id or first.get("shopID"),
        "timeStamp": max((text(line.get("timeStamp")) or "" for line in lines), default=""),
        "SaleLines": {"SaleLine": lines},
        **sale,
    }


# ----------------------------------------------------------------------
# Inventory
# ----------------------------------------------------------------------
def item_inventory_events(
    item: Mapping, include_aggregate: bool = False, sku_fields: Iterable[str] = SKU_FIELDS
) -> Translation:
    """One ``inventory`` event per shop of an Item with ``ItemShops`` (the
    ``shopID`` 0 account total is left out unless asked for)."""
    item_id = _required_id(item, "itemID", "an Item")
    result = Translation()
    shops = relation(item, "ItemShops", "ItemShop")
    if not shops:
        result.notes.append(f"Item {item_id} has no ItemShops (load_relations ItemShops)")
    for shop in shops:
        shop_id = text(shop.get("shopID")) or AGGREGATE_SHOP_ID
        if shop_id == AGGREGATE_SHOP_ID and not include_aggregate:
            continue
        qoh = number(shop.get("qoh"))
        if qoh is None:
            result.notes.append(f"Item {item_id} in shop {shop_id} has no qoh")
            continue
        stamp = text(shop.get("timeStamp")) or text(item.get("timeStamp"))
        if not stamp:
            raise LightspeedPayloadError(f"ItemShop of Item {item_id} has no timeStamp")
        quantity = plain_number(qoh)
        event_id = f"rs-inventory-{shop_id}-{item_id}-{stamp}={quantity}"
        line = {
            "line_id": event_id,
            "sku": item_sku(item, sku_fields),
            "barcode": item_barcode(item),
            "variant_id": item_id,
            "quantity": quantity,
            "unit_price": 0.0,
        }
        extra = {
            "platform": "r-series",
            "item_id": item_id,
            "backorder": number(shop.get("backorder")),
            "reorder_point": number(shop.get("reorderPoint")),
            "reorder_level": number(shop.get("reorderLevel")),
        }
        result.events.append(
            {
                "event_id": event_id,
                "type": "inventory",
                "occurred_at": stamp,
                "location": shop_id,
                "currency": None,
                "lightspeed": extra,
                "lines": [line],
            }
        )
    return result


def items_to_inventory_events(response: Mapping | list) -> Translation:
    """Inventory events of an ``Item.json?load_relations=["ItemShops"]`` page
    (or an ``Inventory.json`` response, whose rows nest the Item)."""
    result = Translation()
    if isinstance(response, list):
        items = response
    else:
        items = rows(response, "Item") or [
            row["Item"] for row in rows(response, "Inventory") if isinstance(row.get("Item"), dict)
        ]
    for item in items:
        result.extend(item_inventory_events(item))
        result.products.append(item_mapping(item))
    return result


# ----------------------------------------------------------------------
# Vendors
# ----------------------------------------------------------------------
def _address(contact: Mapping) -> Address | None:
    found = relation(contact, "Addresses", "ContactAddress")
    if not found:
        return None
    row = found[0]
    country = text(row.get("country"))
    return Address(
        street=text(row.get("address1")),
        street2=text(row.get("address2")),
        city=text(row.get("city")),
        state=text(row.get("state")),
        zip=text(row.get("zip")),
        country=country,
        country_code=region_of(country),
    )


def vendor_to_supplier(vendor: Mapping, default_region: str | None = None) -> Supplier:
    """A Vendor (``load_relations`` Contact) as a :class:`Supplier`; phones in
    E.164 read in the vendor's country, else ``default_region``."""
    vendor_id = _required_id(vendor, "vendorID", "the Vendor")
    contact = vendor.get("Contact") if isinstance(vendor.get("Contact"), Mapping) else {}
    address = _address(contact)
    region = (address.country_code if address else None) or default_region
    phones: list[Phone] = []
    for row in relation(contact, "Phones", "ContactPhone"):
        raw = text(row.get("number"))
        if raw:
            phones.append(normalise_phone(raw, region, text(row.get("useType"))))
    emails = tuple(
        email
        for row in relation(contact, "Emails", "ContactEmail")
        if (email := text(row.get("address")))
    )
    websites = [text(row.get("url")) for row in relation(contact, "Websites", "ContactWebsite")]
    reps = tuple(
        " ".join(part for part in (text(r.get("firstName")), text(r.get("lastName"))) if part)
        for r in relation(vendor, "Reps", "VendorRep")
    )
    supplier = Supplier(
        supplier_id=vendor_id,
        name=text(vendor.get("name")) or f"Vendor {vendor_id}",
        account_number=text(vendor.get("accountNumber")),
        emails=emails,
        phones=tuple(phones),
        address=address,
        website=next((w for w in websites if w), None),
        archived=boolean(vendor.get("archived")),
        contacts=tuple(r for r in reps if r),
    )
    for phone in supplier.phones:
        if phone.phone_invalid:
            supplier.notes.append(f"phone {phone.raw!r} kept as typed: {phone.reason}")
    return supplier


def vendors_to_suppliers(response: Mapping | list, default_region: str | None = None):
    """Every Vendor of a list or show response as a :class:`Supplier`."""
    vendors = response if isinstance(response, list) else rows(response, "Vendor")
    return [vendor_to_supplier(vendor, default_region) for vendor in vendors]


def shops(response: Mapping | list) -> list[dict]:
    """Shops of a ``Shop.json`` response as ``{shop_id, name, time_zone, archived}``."""
    found = response if isinstance(response, list) else rows(response, "Shop")
    return [
        {
            "shop_id": _required_id(shop, "shopID", "a Shop"),
            "name": text(shop.get("name")),
            "time_zone": text(shop.get("timeZone")),
            "archived": boolean(shop.get("archived")),
        }
        for shop in found
    ]


def api_error(body: Any) -> str:
    """The message of an R-Series error body (``httpCode``/``message``)."""
    if isinstance(body, Mapping) and ("message" in body or "httpMessage" in body):
        return " ".join(
            part for part in (text(body.get("httpCode")), text(body.get("message")) or "") if part
        )
    return str(body)[:500]
