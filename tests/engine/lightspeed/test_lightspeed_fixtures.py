"""Every shared Lightspeed fixture loads and yields what it should."""

import copy
import json
from urllib.parse import urlencode

import pytest
from demand_engine.payload import parse_unified_event
from lightspeed_engine import rseries, xseries
from lightspeed_engine.common import boolean, number
from ls_fixtures import all_fixture_names, fixture_json


def unified(result):
    """Every event through the core parser (the schema contract)."""
    return [parse_unified_event(event) for event in result.events]


# ----------------------------------------------------------------------
# R-Series
# ----------------------------------------------------------------------
def check_rseries_sale_show(data):
    sale = rseries.rows(data, "Sale")[0]
    assert sale["saleID"] == "4" and sale["completed"] == "false"
    result = rseries.sale_to_events(sale, "USD")
    assert result.events == []
    assert "Sale 4 is not completed yet" in result.notes[0]


def check_rseries_sale_put_response_with_salelines(data):
    sale = copy.deepcopy(rseries.rows(data, "Sale")[0])
    assert rseries.sale_to_events(sale).events == []  # completed "false" as recorded
    sale["completed"] = "true"
    result = rseries.sale_to_events(sale, "USD")
    (event,) = result.events
    assert event["event_id"] == "rs-sale-1"
    assert event["location"] == "1"
    assert event["occurred_at"] == "2016-02-13T00:49:39+00:00"
    assert [line["line_id"] for line in event["lines"]] == ["12", "13", "14", "15", "202", "205"]
    assert event["lines"][0] == {
        "line_id": "12",
        "sku": None,
        "barcode": None,
        "variant_id": "1",
        "quantity": 2,
        "unit_price": 1.23,
    }
    parsed = parse_unified_event(event)
    assert sum(line.quantity for line in parsed.lines) == 8
    assert parsed.currency == "USD"


def check_rseries_saleline_list_by_saleID(data):
    sale = rseries.salelines_to_sale("2", data, completed="true")
    (event,) = rseries.sale_to_events(sale).events
    (line,) = event["lines"]
    assert event["event_id"] == "rs-sale-2" and event["location"] == "1"
    assert line["sku"] == "testitem1"  # customSku wins over systemSku
    assert line["variant_id"] == "1"
    assert line["quantity"] == 90090 and line["unit_price"] == 7.0
    unified(rseries.sale_to_events(sale))


def check_rseries_item_show_with_itemshops(data):
    item = rseries.rows(data, "Item")[0]
    result = rseries.items_to_inventory_events(data)
    (event,) = result.events  # the shopID 0 total row is left out
    assert event["location"] == "1"
    assert event["lines"][0]["quantity"] == 1045
    assert event["lines"][0]["sku"] == "302683AB"
    assert event["event_id"] == "rs-inventory-1-177-2015-11-24T00:06:24+00:00=1045"
    assert event["lightspeed"]["backorder"] == 2.0
    (mapping,) = result.products
    assert mapping.product_id == "177" and mapping.supplier_id == "73"
    assert rseries.relation(item, "ItemComponents", "ItemComponent")[0]["quantity"] == "100"
    with_total = rseries.item_inventory_events(item, include_aggregate=True)
    assert sorted(e["location"] for e in with_total.events) == ["0", "1"]
    unified(result)


def check_rseries_inventory_show(data):
    result = rseries.items_to_inventory_events(data)
    (event,) = result.events
    assert event["location"] == "1" and event["lines"][0]["quantity"] == 0
    assert event["lines"][0]["sku"] == "210000000002"  # only the system SKU is set
    assert result.products[0].active is False  # archived "true"
    unified(result)


def check_rseries_vendor_show(data):
    pytest.importorskip("phonenumbers")
    (supplier,) = rseries.vendors_to_suppliers(data)
    assert supplier.supplier_id == "1" and supplier.name == "Byron Fuels"
    assert supplier.emails == ("test@example.com", "test2@example.com")
    assert supplier.address.city == "Los Angeles" and supplier.address.country_code == "US"
    assert supplier.website == "http://example.com"
    assert supplier.contacts == ("Test Rep",)
    assert supplier.account_number is None
    (phone,) = supplier.phones
    # 555 is no US area code: kept as typed and flagged
    assert phone.raw == "555 555 1212" and phone.phone_invalid and phone.e164 is None
    assert phone.use_type == "Work"


def check_rseries_order_purchaseorder_index(data):
    orders = rseries.rows(data, "Order")
    assert [o["orderID"] for o in orders] == ["1", "2", "3", "4", "5"]
    with_lines = [o for o in orders if rseries.relation(o, "OrderLines", "OrderLine")]
    assert len(with_lines) == 3
    first = rseries.relation(orders[0], "OrderLines", "OrderLine")
    assert [(line["itemID"], number(line["quantity"])) for line in first] == [
        ("177", 2.0),
        ("13", 1.0),
        ("153", 1.0),
        ("42", 1.0),
    ]
    assert orders[1]["Vendor"]["accountNumber"] == "testAccountNumber123"


def check_rseries_order_purchaseorder_show(data):
    (order,) = rseries.rows(data, "Order")
    assert order["orderID"] == "4" and order["Vendor"]["name"] == "Great Planes"
    assert rseries.relation(order, "OrderLines", "OrderLine") == []
    assert boolean(order["complete"]) is False


def check_rseries_account_list(data):
    (account,) = rseries.rows(data, "Account")
    assert account["accountID"] == "120645" and account["name"] == "Kit Kraft Sandbox"


def check_rseries_shop_show(data):
    (shop,) = rseries.shops(data)
    assert shop == {
        "shop_id": "1",
        "name": "Kit Kraft Sandbox",
        "time_zone": "US/Pacific",
        "archived": False,
    }


def check_rseries_error_400_item_create_invalid(data):
    assert rseries.api_error(data) == "400 Item not created. An Item must have a description."


def check_rseries_error_401_expired_token(data):
    assert rseries.api_error(data) == "401 Invalid username/password or API key."


# ----------------------------------------------------------------------
# X-Series
# ----------------------------------------------------------------------
def form_body(payload: dict, webhook_type: str) -> bytes:
    fields = {"payload": json.dumps(payload), "type": webhook_type, "domain_prefix": "shop"}
    return urlencode(fields).encode()


def check_xseries_webhook_sale_update(data):
    delivery = xseries.parse_webhook(form_body(data, "sale.update"))
    assert delivery.type == "sale.update" and delivery.domain_prefix == "shop"
    outlets = {"0624dbcd-ef13-11e6-e986-ed89e1aa6310": "outlet-1"}
    result = xseries.translate_webhook(delivery, "NZD", outlets)
    (event,) = result.events
    assert event["event_id"] == "xs-sale-edf73c5e-a3e1-bfe7-11e7-da38dadd8a59"
    assert event["occurred_at"] == "2017-12-06T04:30:36Z"
    assert event["location"] == "outlet-1"
    assert [line["line_id"] for line in event["lines"]] == [
        "edf73c5e-a3e1-a062-11e7-da3e31230f8b",
        "edf73c5e-a3e1-a062-11e7-da3e316548ae",
    ]
    assert event["lines"][0]["unit_price"] == pytest.approx(56.52174)
    assert event["lines"][1]["variant_id"] == "0624dbcd-ef13-11e6-e986-fcc1c366e772"
    parsed = parse_unified_event(event)
    assert parsed.currency == "NZD" and [line.kind for line in parsed.lines] == ["sale", "sale"]
    unmapped = xseries.translate_webhook(delivery, "NZD")
    assert unmapped.events[0]["location"] is None and "mapped to no outlet" in unmapped.notes[0]


def check_xseries_webhook_inventory_update(data):
    delivery = xseries.parse_webhook(form_body(data, "inventory.update"))
    result = xseries.translate_webhook(delivery, received_at="2026-11-27T10:00:00+00:00")
    (event,) = result.events
    assert event["location"] == "0924dbcd-ef11-11e9-e989-ed89c9e5529a"
    assert event["lines"][0]["quantity"] == 10 and event["lines"][0]["sku"] == "10107"
    assert event["event_id"].endswith("-v5105100802")
    assert event["occurred_at"] == "2026-11-27T10:00:00+00:00"
    assert result.products[0].product_id == "0924dbcd-ef11-11e9-e989-fcc1c199e772"
    unified(result)


def check_xseries_webhook_product_update(data):
    delivery = xseries.parse_webhook(form_body(data, "product.update"))
    result = xseries.translate_webhook(delivery)
    assert result.events == []
    (mapping,) = result.products
    assert mapping.product_id == "0624dbcd-ef13-11e6-e986-fcc1c366e772"
    assert mapping.sku == "10107" and mapping.name == "Post Shave Balm"
    assert mapping.supplier_id == "0624dbcd-ef13-11e6-e986-fcc061d142ab"
    assert mapping.supply_price == 4.0 and mapping.variant_parent_id is None


def check_xseries_webhook_consignment_receive(data):
    delivery = xseries.parse_webhook(form_body(data, "consignment.receive"))
    result = xseries.translate_webhook(delivery)
    assert result.events == [] and "consignment.receive" in result.notes[0]
    assert number(delivery.payload["count"]) == 8.0


def check_xseries_rest_sale_get(data):
    result = xseries.sale_to_events(data, "NZD")
    (event,) = result.events
    assert event["event_id"] == "xs-sale-b8ca3a65-0183-11e4-fbb5-39f7fce5e39b"
    assert event["location"] == "b1e04bd8-f019-11e3-a0f5-b8ca3a64f8f4"
    assert [line["unit_price"] for line in event["lines"]] == [200, 0]
    unified(result)


def check_xseries_rest_sales_list(data):
    result = xseries.sales_to_events(data, "NZD")
    assert len(result.events) == 2
    second = result.events[1]
    assert second["event_id"] == "xs-sale-a604d16b-a999-beb5-11e4-3ed46b02a0bc"
    assert all(line["unit_price"] == pytest.approx(4.30435) for line in second["lines"])
    unified(result)


def check_xseries_rest_inventory_list(data):
    result = xseries.inventory_list_to_events(data, "2026-11-27T10:00:00Z")
    assert [e["lines"][0]["quantity"] for e in result.events] == [0, 0, -10]
    assert result.events[2]["event_id"].endswith("-v3426971")
    parsed = unified(result)
    assert parsed[2].lines[0].quantity == -10  # a negative level stays negative


def check_xseries_rest_suppliers_list(data):
    names = [row["name"] for row in data["data"]]
    assert names == ["Supplier post new test", "Peak", "API Supplier"]


def check_xseries_rest_consignment_products_list(data):
    assert data["version"] == {"max": 20813790, "min": 3542970}
    counts = [number(row.get("count")) for row in data["data"]]
    assert counts == [10.0, None, 10.0]


CHECKS = {
    "rseries_account_list.json": check_rseries_account_list,
    "rseries_error_400_item_create_invalid.json": check_rseries_error_400_item_create_invalid,
    "rseries_error_401_expired_token.json": check_rseries_error_401_expired_token,
    "rseries_inventory_show.json": check_rseries_inventory_show,
    "rseries_item_show_with_itemshops.json": check_rseries_item_show_with_itemshops,
    "rseries_order_purchaseorder_index.json": check_rseries_order_purchaseorder_index,
    "rseries_order_purchaseorder_show.json": check_rseries_order_purchaseorder_show,
    "rseries_sale_put_response_with_salelines.json": (
        check_rseries_sale_put_response_with_salelines
    ),
    "rseries_sale_show.json": check_rseries_sale_show,
    "rseries_saleline_list_by_saleID.json": check_rseries_saleline_list_by_saleID,
    "rseries_shop_show.json": check_rseries_shop_show,
    "rseries_vendor_show.json": check_rseries_vendor_show,
    "xseries_rest_consignment_products_list.json": check_xseries_rest_consignment_products_list,
    "xseries_rest_inventory_list.json": check_xseries_rest_inventory_list,
    "xseries_rest_sale_get.json": check_xseries_rest_sale_get,
    "xseries_rest_sales_list.json": check_xseries_rest_sales_list,
    "xseries_rest_suppliers_list.json": check_xseries_rest_suppliers_list,
    "xseries_webhook_consignment.receive.payload.json": check_xseries_webhook_consignment_receive,
    "xseries_webhook_inventory.update.payload.json": check_xseries_webhook_inventory_update,
    "xseries_webhook_product.update.payload.json": check_xseries_webhook_product_update,
    "xseries_webhook_sale.update.payload.json": check_xseries_webhook_sale_update,
}


def test_every_shared_fixture_has_a_check():
    names = all_fixture_names()
    if not names:
        pytest.skip("shared Lightspeed fixtures not found")
    assert set(names) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_fixture(name):
    CHECKS[name](fixture_json(name))
