import copy
import json
from datetime import date, datetime

import pytest
from demand_engine.payload import parse_unified_event
from shopify_engine.admin_api import ThrottleStatus
from shopify_engine.translate import (
    ShopifyPayloadError,
    Translation,
    cancellation_to_event,
    delivery_identity,
    inventory_level_to_event,
    inventory_levels_to_events,
    load_json,
    locations,
    order_snapshot_to_events,
    order_to_events,
    product_variants,
    refund_to_event,
    restocked_quantities,
    sale_event_id,
    shopify_id,
    translate_webhook,
    variant_key,
)
from shopify_fixtures import all_fixture_names, fixture_bytes, fixture_json, remap_ids

TZ = "America/New_York"
ORDER_ID = "450789469"
LINE_IDS = ["466157049", "518995019", "703073504"]
BIG_ORDER = 820982911946154508
BIG_LINE = 820982911946154509
BIG_LOCATION = 9007199254740993  # 2**53 + 1: a float would read 9007199254740992


def parse_all(translation: Translation) -> list:
    """Every event must be valid unified input, as a dict and as JSON bytes."""
    parsed = []
    for event in translation.events:
        unified = parse_unified_event(event, TZ)
        assert parse_unified_event(json.dumps(event).encode(), TZ) == unified
        parsed.append(unified)
    return parsed


def order_fixture(name: str = "rest2024-04_order_get.json") -> dict:
    return fixture_json(name)["order"]


# ----------------------------------------------------------------------
# Every shared fixture file goes through the translator it belongs to
# ----------------------------------------------------------------------
def _graphql(body):
    status = ThrottleStatus.from_response(body)
    assert status.currently_available == 999 and status.restore_rate == 50.0
    assert status.maximum_available == 1000.0 and status.requested_cost == 1.0
    # GraphQL gids map to the same string ids as REST.
    assert shopify_id(body["data"]["product"]["id"]) == "7608002183224"
    return Translation()


FIXTURE_ROUTES = {
    "graphql_response_with_cost_extension.json": (_graphql, 0),
    "rest2024-04_inventory_levels_list.json": (inventory_levels_to_events, 4),
    "rest2024-04_inventory_levels_set.json": (inventory_level_to_event, 1),
    "rest2024-04_locations_list.json": (
        lambda body: Translation(notes=[f"{len(locations(body))} locations"]),
        0,
    ),
    # The "cancel" response is not cancelled (cancelled_at null): 3 sales + 1 refund.
    "rest2024-04_order_cancel.json": (order_snapshot_to_events, 4),
    "rest2024-04_order_get.json": (order_snapshot_to_events, 4),
    "rest2024-04_refund_create.json": (refund_to_event, 0),  # no_restock only
    "rest2024-04_refund_get.json": (refund_to_event, 1),
    "sdkfixture_inventory_level.json": (inventory_level_to_event, 1),
    "sdkfixture_inventory_levels.json": (inventory_levels_to_events, 4),
    "sdkfixture_location_inventory_levels.json": (inventory_levels_to_events, 2),
    "sdkfixture_order.json": (order_snapshot_to_events, 3),
    "sdkfixture_product.json": (
        lambda body: translate_webhook("products/update", body),
        0,
    ),
    "sdkfixture_refund.json": (refund_to_event, 1),
    "sdkfixture_transactions.json": (
        lambda body: translate_webhook("order_transactions/create", {"transactions": body}),
        0,
    ),
    "sdkfixture_variant.json": (
        lambda body: Translation(variants=[variant_key(body)]),
        0,
    ),
}


def test_every_fixture_file_has_a_route():
    names = all_fixture_names()
    if not names:
        pytest.skip("shared Shopify fixtures folder is absent")
    assert set(names) == set(FIXTURE_ROUTES)


@pytest.mark.parametrize("name", sorted(FIXTURE_ROUTES))
def test_every_fixture_translates_to_valid_unified_events(name):
    translate, expected = FIXTURE_ROUTES[name]
    body = load_json(fixture_bytes(name))
    translation = translate(body)
    assert len(translation.events) == expected, translation.notes
    parsed = parse_all(translation)
    for event, unified in zip(translation.events, parsed, strict=True):
        # ids leave as strings, timestamps keep Shopify's offset text
        assert isinstance(event["event_id"], str)
        assert event["occurred_at"][-6:] in ("-05:00", "-04:00")
        assert all(isinstance(line["line_id"], str) for line in event.get("lines", []))
        assert unified.occurred_at.tzinfo is None  # normalized to naive UTC
    if expected == 0:
        assert translation.notes or translation.variants or name.startswith("graphql")


# ----------------------------------------------------------------------
# Orders
# ----------------------------------------------------------------------
def test_order_to_events_one_sale_per_line_item():
    translation = order_to_events(order_fixture(), "orders/create", "evt-1")
    assert translation.event_ids == [sale_event_id(ORDER_ID, lid) for lid in LINE_IDS]
    assert translation.event_ids[0] == "shopify-order-450789469-line-466157049"
    first = translation.events[0]
    assert first["type"] == "sale"
    assert first["occurred_at"] == "2008-01-10T11:00:00-05:00"
    assert first["location"] is None  # online order
    assert first["channel"] == "online"
    assert first["currency"] == "USD"
    assert first["lines"] == [
        {
            "line_id": "466157049",
            "sku": "IPOD2008GREEN",
            "barcode": None,
            "variant_id": "39072856",
            "quantity": 1,
            "unit_price": 199.0,
        }
    ]
    assert first["shopify"] == {
        "topic": "orders/create",
        "webhook_event_id": "evt-1",
        "order_id": ORDER_ID,
    }
    unified = parse_all(translation)[0]
    assert unified.occurred_at == datetime(2008, 1, 10, 16, 0)
    assert unified.local_date == date(2008, 1, 10)
    assert unified.lines[0].kind == "sale" and unified.lines[0].quantity == 1.0


def test_unknown_keys_channel_and_shopify_are_ignored_by_the_unified_parser():
    event = order_to_events(order_fixture()).events[0]
    bare = {k: v for k, v in event.items() if k not in ("channel", "shopify")}
    assert parse_unified_event(event, TZ) == parse_unified_event(bare, TZ)


def test_ids_are_the_same_for_every_order_topic_and_delivery():
    """create, paid, updated and a backfill give the same ids: the inbox
    takes the first and acknowledges the others as duplicates."""
    raw = fixture_bytes("rest2024-04_order_get.json")
    seen = {
        topic: translate_webhook(topic, raw, f"delivery-{topic}").event_ids
        for topic in ("orders/create", "orders/paid", "orders/updated", "orders/fulfilled")
    }
    backfill = order_snapshot_to_events(load_json(raw)).event_ids
    assert all(ids == backfill for ids in seen.values())
    lines = [e["lines"][0]["line_id"] for e in order_to_events(load_json(raw)).events]
    assert lines == LINE_IDS


def test_order_edit_adding_a_line_makes_one_new_event():
    order = order_fixture()
    before = set(order_to_events(order).event_ids)
    added = copy.deepcopy(order["line_items"][0])
    added.update(id=BIG_LINE, sku="IPOD2008BLUE", variant_id=BIG_LOCATION)
    order["line_items"].append(added)
    after = set(order_to_events(order, "orders/edited").event_ids)
    assert after - before == {f"shopify-order-{ORDER_ID}-line-{BIG_LINE}"}


def test_pos_order_has_channel_and_location():
    order = order_fixture()
    order.update(source_name="pos", location_id=BIG_LOCATION)
    translation = order_to_events(order, "orders/paid")
    assert {e["channel"] for e in translation.events} == {"pos"}
    assert {e["location"] for e in translation.events} == {str(BIG_LOCATION)}
    assert {u.location for u in parse_all(translation)} == {"9007199254740993"}


def test_shop_money_not_presentment_money():
    """A customer paying in EUR on a USD shop: lines and currency stay USD."""
    order = order_fixture()
    order["presentment_currency"] = "EUR"
    for key, value in order.items():
        if key.endswith("_set") and isinstance(value, dict):
            value["presentment_money"] = {"amount": "1.00", "currency_code": "EUR"}
    for item in order["line_items"]:
        item["price_set"]["presentment_money"] = {"amount": "183.25", "currency_code": "EUR"}
    order["line_items"][1]["price_set"]["shop_money"]["amount"] = "201.50"
    translation = order_to_events(order)
    assert {e["currency"] for e in translation.events} == {"USD"}
    prices = [e["lines"][0]["unit_price"] for e in translation.events]
    assert prices == [199.0, 201.5, 199.0]
    assert {u.currency for u in parse_all(translation)} == {"USD"}


def test_price_field_when_no_price_set_and_created_at_when_no_processed_at():
    order = order_fixture("sdkfixture_order.json")
    assert "price_set" not in order["line_items"][0] and "processed_at" not in order
    translation = order_to_events(order)
    assert [e["lines"][0]["unit_price"] for e in translation.events] == [199.0] * 3
    assert {e["occurred_at"] for e in translation.events} == {order["created_at"]}
    assert {e["currency"] for e in translation.events} == {"USD"}
    parse_all(translation)


def test_ids_beyond_2_pow_53_stay_exact_strings():
    raw = remap_ids(
        fixture_bytes("rest2024-04_order_get.json").decode(),
        {450789469: BIG_ORDER, 466157049: BIG_LINE, 39072856: BIG_LOCATION},
    ).encode()
    order = load_json(raw)["order"]
    assert order["id"] == BIG_ORDER and float(BIG_LOCATION) != BIG_LOCATION
    translation = order_to_events(order)
    first = translation.events[0]
    assert first["event_id"] == "shopify-order-820982911946154508-line-820982911946154509"
    assert first["lines"][0]["line_id"] == "820982911946154509"
    assert first["lines"][0]["variant_id"] == "9007199254740993"
    unified = parse_all(translation)[0]
    assert unified.lines[0].variant_id == "9007199254740993"
    # The refund embedded in the order names the same line item exactly.
    assert restocked_quantities(order)[str(BIG_LINE)] == 1
    # An id that went through a float is refused instead of naming another record.
    with pytest.raises(ShopifyPayloadError, match="precision"):
        shopify_id(float(BIG_LOCATION))
    assert shopify_id(450789469.0) == ORDER_ID


def test_escaped_slashes_decode_to_the_same_events():
    raw = fixture_bytes("rest2024-04_order_get.json")
    escaped = raw.replace(b"/", b"\\/")
    assert b"gid:\\/\\/shopify\\/Order\\/450789469" in escaped
    order = load_json(escaped)["order"]
    assert order["admin_graphql_api_id"] == "gid://shopify/Order/450789469"
    assert shopify_id(order["admin_graphql_api_id"]) == ORDER_ID
    assert (
        order_snapshot_to_events(order).events
        == order_snapshot_to_events(load_json(raw)["order"]).events
    )
    wire = raw.replace(b'"IPOD2008GREEN"', b'"IPOD\\/2008\\/GREEN"')  # an SKU with slashes
    assert b'"IPOD\\/2008\\/GREEN"' in wire
    sale = order_to_events(load_json(wire)).events[0]
    assert sale["lines"][0]["sku"] == "IPOD/2008/GREEN"


def test_offsets_are_kept_and_converted_by_the_parser():
    order = order_fixture()
    order["processed_at"] = "2026-11-27T23:30:00-08:00"  # a Pacific store, late evening
    event = order_to_events(order).events[0]
    assert event["occurred_at"] == "2026-11-27T23:30:00-08:00"
    unified = parse_unified_event(event, "America/Los_Angeles")
    assert unified.occurred_at == datetime(2026, 11, 28, 7, 30)
    assert unified.local_date == date(2026, 11, 27)


def test_null_variant_id_test_notification_line():
    order = order_fixture()
    for item in order["line_items"]:
        item["variant_id"] = None  # as in Shopify's test notifications
    order["line_items"][2]["sku"] = ""  # a custom item: nothing to match on
    translation = order_to_events(order)
    assert [e["lines"][0]["variant_id"] for e in translation.events] == [None, None]
    assert [s.reason for s in translation.skipped] == ["no_product_key"]
    assert translation.skipped[0].line_id == "703073504"
    parse_all(translation)


def test_gift_cards_and_zero_quantities_are_skipped_with_reasons():
    order = order_fixture()
    order["line_items"][0]["gift_card"] = True
    order["line_items"][1]["quantity"] = 0
    translation = order_to_events(order)
    assert translation.event_ids == [sale_event_id(ORDER_ID, "703073504")]
    assert [s.reason for s in translation.skipped] == ["gift_card", "zero_quantity"]


def test_order_without_usable_lines_says_so():
    order = order_fixture()
    order["line_items"] = []
    translation = order_to_events(order)
    assert translation.events == [] and "no line item" in translation.notes[0]


def test_order_without_id_or_date_is_a_payload_error():
    order = order_fixture()
    with pytest.raises(ShopifyPayloadError, match="id"):
        order_to_events({**order, "id": None})
    with pytest.raises(ShopifyPayloadError, match="processed_at"):
        order_to_events({**order, "processed_at": None, "created_at": None})


# ----------------------------------------------------------------------
# Refunds
# ----------------------------------------------------------------------
def test_refund_legacy_restock_is_a_return_event():
    translation = refund_to_event(fixture_json("rest2024-04_refund_get.json"), None, "evt-r")
    (event,) = translation.events
    assert event["event_id"] == "shopify-refund-509562969"
    assert event["type"] == "refund"
    assert event["location"] == "487838322"
    assert event["occurred_at"] == "2024-04-02T08:59:11-05:00"
    assert event["currency"] == "USD"
    assert [line["line_id"] for line in event["lines"]] == [
        "refund-line-104689539",
        "refund-line-709875399",
    ]
    assert [line["sku"] for line in event["lines"]] == ["IPOD2008BLACK", "IPOD2008GREEN"]
    assert event["lines"][0]["unit_price"] == 199.0
    (unified,) = parse_all(translation)
    assert [line.kind for line in unified.lines] == ["return", "return"]
    assert [line.quantity for line in unified.lines] == [-1.0, -1.0]


def test_refund_id_is_the_same_from_refunds_create_and_from_the_order():
    """A missed refunds/create is recovered from orders/updated or a backfill,
    and both copies are one inbox event."""
    alone = refund_to_event(fixture_json("rest2024-04_refund_get.json"))
    embedded = order_snapshot_to_events(order_fixture())
    refund_events = [e for e in embedded.events if e["type"] == "refund"]
    assert [e["event_id"] for e in refund_events] == alone.event_ids
    assert refund_events[0]["lines"] == alone.events[0]["lines"]
    assert refund_events[0]["channel"] == "online"  # known from the order


def test_no_restock_refund_gives_no_event_and_reports_the_line():
    body = fixture_json("rest2024-04_refund_create.json")
    for transaction in body["refund"]["transactions"]:
        transaction["test"] = False  # the docs' example pays back through the test gateway
    translation = refund_to_event(body)
    assert translation.events == []
    (skipped,) = translation.skipped
    assert skipped.reason == "no_restock"
    assert skipped.line_id == "refund-line-1058498311"
    assert skipped.sku == "IPOD2008RED" and skipped.variant_id == "49148385"
    assert "no_restock" in translation.notes[0] and "no event" in translation.notes[0]


def test_old_refund_without_restock_type_follows_the_restock_flag():
    body = fixture_json("sdkfixture_refund.json")
    translation = refund_to_event(body)
    assert len(translation.events) == 1 and len(translation.events[0]["lines"]) == 2
    assert "legacy_restock" in translation.notes[0]
    assert translation.events[0]["currency"] is None  # no money bag, no order given
    body["refund"]["restock"] = False
    translation = refund_to_event(body)
    assert translation.events == []
    assert [s.reason for s in translation.skipped] == ["no_restock", "no_restock"]


def _mixed_refund() -> dict:
    refund = copy.deepcopy(fixture_json("rest2024-04_refund_get.json")["refund"])
    first, second = refund["refund_line_items"]
    types = [("return", 487838322), ("cancel", 655441491), ("no_restock", None)]
    third = copy.deepcopy(second)
    third["id"] = 123456789
    refund["refund_line_items"] = [first, second, third]
    for line, (restock_type, location) in zip(refund["refund_line_items"], types, strict=True):
        line["restock_type"], line["location_id"] = restock_type, location
    return refund


def test_restock_types_and_one_event_per_restock_location():
    translation = refund_to_event(_mixed_refund())
    assert translation.event_ids == [
        "shopify-refund-509562969-location-487838322",
        "shopify-refund-509562969-location-655441491",
    ]
    assert [e["location"] for e in translation.events] == ["487838322", "655441491"]
    assert [s.reason for s in translation.skipped] == ["no_restock"]
    assert translation.skipped[0].line_id == "refund-line-123456789"
    assert all(len(u.lines) == 1 for u in parse_all(translation))


def test_refund_line_without_nested_line_item_uses_the_order():
    refund = copy.deepcopy(fixture_json("rest2024-04_refund_get.json")["refund"])
    for line in refund["refund_line_items"]:
        del line["line_item"]
        line["location_id"] = None
    orphan = refund_to_event(refund)
    assert orphan.events == []
    assert {s.reason for s in orphan.skipped} == {"no_product_key"}
    order = order_fixture()
    order.update(source_name="pos", location_id=655441491)
    translation = refund_to_event(refund, order)
    (event,) = translation.events
    assert [line["sku"] for line in event["lines"]] == ["IPOD2008BLACK", "IPOD2008GREEN"]
    assert event["location"] == "655441491"  # the POS order's location
    assert event["channel"] == "pos" and event["currency"] == "USD"
    parse_all(translation)


def test_unknown_restock_type_is_not_counted():
    refund = copy.deepcopy(fixture_json("rest2024-04_refund_get.json")["refund"])
    for line in refund["refund_line_items"]:
        line["restock_type"] = "TELEPORT"
    translation = refund_to_event(refund)
    assert translation.events == []
    assert {s.reason for s in translation.skipped} == {"unknown_restock_type"}


# ----------------------------------------------------------------------
# Cancellations
# ----------------------------------------------------------------------
def test_cancel_fixture_is_not_actually_cancelled():
    body = fixture_json("rest2024-04_order_cancel.json")
    assert body["notice"] == "Order has been canceled" and body["order"]["cancelled_at"] is None
    translation = cancellation_to_event(body)
    assert translation.events == [] and "not cancelled" in translation.notes[0]


def test_cancellation_voids_lines_no_restocking_refund_covers():
    order = fixture_json("rest2024-04_order_cancel.json")["order"]
    order.update(cancelled_at="2024-04-02T09:10:00-05:00", cancel_reason="customer")
    translation = cancellation_to_event(order, "evt-c")
    # 466157049 and 703073504 were restocked by refund 509562969 (legacy_restock).
    (void,) = translation.events
    assert void["type"] == "void"
    assert void["event_id"] == "shopify-order-450789469-line-518995019-void"
    assert void["cancels"] == sale_event_id(ORDER_ID, "518995019")
    assert void["occurred_at"] == "2024-04-02T09:10:00-05:00"
    assert void["shopify"]["cancel_reason"] == "customer"
    assert {s.reason for s in translation.skipped} == {"covered_by_refund"}
    (unified,) = parse_all(translation)
    assert unified.cancels == "shopify-order-450789469-line-518995019"
    assert unified.cancel_line_ids == ("518995019",)


def test_cancellation_without_refunds_voids_every_sale():
    order = order_fixture()
    order.update(refunds=[], cancelled_at="2008-01-11T09:00:00-05:00")
    translation = cancellation_to_event(order)
    sales = order_to_events(order).event_ids
    assert [e["cancels"] for e in translation.events] == sales
    assert len(set(translation.event_ids)) == 3
    parse_all(translation)


def test_cancellation_restocked_by_cancel_refund_is_left_to_the_refund():
    """Shopify records the restock of a cancellation as refund lines of type
    cancel: they are the returns, and no void is added on top."""
    order = order_fixture()
    refund = order["refunds"][0]
    refund["refund_line_items"].append(copy.deepcopy(refund["refund_line_items"][0]))
    extra = refund["refund_line_items"][-1]
    extra.update(id=555, line_item_id=518995019, restock_type="cancel")
    extra["line_item"] = copy.deepcopy(order["line_items"][1])
    order["cancelled_at"] = "2024-04-02T09:10:00-05:00"
    translation = translate_webhook("orders/cancelled", order, "evt-x")
    types = [e["type"] for e in translation.events]
    assert types == ["sale", "sale", "sale", "refund"]  # no void
    returned = [ln["line_id"] for ln in translation.events[-1]["lines"]]
    assert returned == ["refund-line-104689539", "refund-line-709875399", "refund-line-555"]
    assert "every line is reversed by its refunds" in translation.notes[-1]
    parse_all(translation)


def test_partly_restocked_line_keeps_its_remainder():
    order = order_fixture()
    order["line_items"][0]["quantity"] = 3  # 1 of 3 restocked by the refund
    order["cancelled_at"] = "2024-04-02T09:10:00-05:00"
    translation = cancellation_to_event(order)
    reasons = {s.line_id: s.reason for s in translation.skipped}
    assert reasons == {"466157049": "partly_restocked", "703073504": "covered_by_refund"}


def test_orders_updated_with_cancelled_at_gives_sales_refunds_and_voids():
    order = order_fixture()
    order["cancelled_at"] = "2024-04-02T09:10:00-05:00"
    translation = translate_webhook("orders/updated", json.dumps({"order": order}).encode())
    types = [e["type"] for e in translation.events]
    assert types == ["sale", "sale", "sale", "refund", "void"]
    assert translation.events[-1]["shopify"]["topic"] == "orders/updated"
    parse_all(translation)


# ----------------------------------------------------------------------
# Inventory, products, locations, other topics
# ----------------------------------------------------------------------
def test_inventory_level_update():
    translation = inventory_level_to_event(fixture_json("sdkfixture_inventory_level.json"), "e9")
    (event,) = translation.events
    assert event["type"] == "inventory"
    assert event["location"] == "905684977"
    assert event["occurred_at"] == "2018-05-07T15:51:26-04:00"
    assert event["lines"][0]["variant_id"] == "inventory_item:808950810"
    assert event["lines"][0]["quantity"] == 6
    assert event["lines"][0]["line_id"] == event["event_id"]
    (unified,) = parse_all(translation)
    assert unified.lines[0].kind == "inventory" and unified.lines[0].quantity == 6.0


def test_inventory_ids_repeat_for_the_same_count_and_differ_for_a_new_one():
    level = fixture_json("sdkfixture_inventory_level.json")["inventory_level"]
    first = inventory_level_to_event(level, "delivery-1").event_ids
    assert inventory_level_to_event(level, "delivery-2").event_ids == first
    assert inventory_level_to_event({**level, "available": 5}).event_ids != first
    later = {**level, "updated_at": "2018-05-07T15:52:00-04:00"}
    assert inventory_level_to_event(later).event_ids != first


def test_inventory_available_null_gives_no_event():
    level = fixture_json("sdkfixture_inventory_level.json")["inventory_level"]
    raw = json.dumps({**level, "available": None}).replace("/", "\\/").encode()
    translation = translate_webhook("inventory_levels/update", raw, "e10")
    assert translation.events == []
    assert "no available quantity" in translation.notes[0]


def test_inventory_negative_and_zero_counts_are_kept():
    level = fixture_json("sdkfixture_inventory_level.json")["inventory_level"]
    for available in (0, -3):
        (unified,) = parse_all(inventory_level_to_event({**level, "available": available}))
        assert unified.lines[0].quantity == float(available)


def test_product_variants_for_the_mapping():
    variants = product_variants(fixture_json("sdkfixture_product.json"))
    assert [v.variant_id for v in variants] == ["808950810", "49148385", "39072856", "457924702"]
    assert {v.product_id for v in variants} == {"632910392"}
    assert variants[0].sku == "IPOD2008PINK" and variants[0].title == "Pink"
    # This old fixture has neither inventory_item_id nor barcode.
    assert {v.inventory_item_id for v in variants} == {None}
    assert {v.inventory_ref for v in variants} == {None}
    product = fixture_json("sdkfixture_product.json")["product"]
    product["variants"][0].update(inventory_item_id=BIG_LOCATION, barcode="1234567890123", sku="")
    first = product_variants(product)[0]
    assert first.inventory_item_id == "9007199254740993"
    assert first.inventory_ref == "inventory_item:9007199254740993"
    assert first.barcode == "1234567890123" and first.sku is None


def test_variant_fixture_and_products_update_topic():
    key = variant_key(fixture_json("sdkfixture_variant.json"))
    assert key.variant_id == "808950810" and key.product_id is None
    assert key.sku == "IPOD2008PINK"
    translation = translate_webhook("products/update", fixture_bytes("sdkfixture_product.json"))
    assert translation.events == [] and len(translation.variants) == 4


def test_locations_list():
    rows = locations(fixture_json("rest2024-04_locations_list.json"))
    assert [row.location_id for row in rows][:2] == ["655441491", "24826418"]
    assert [row.legacy for row in rows] == [False, True, False, True, False]
    assert all(row.active for row in rows)


def test_other_topics_carry_no_demand():
    translation = translate_webhook(
        "order_transactions/create", fixture_json("sdkfixture_transactions.json")[0]
    )
    assert translation.events == [] and "no demand" in translation.notes[0]
    disconnect = translate_webhook("inventory_levels/disconnect", {"inventory_item_id": 1})
    assert disconnect.events == []


# ----------------------------------------------------------------------
# Shopify's test data is kept, never counted; one change, one identity
# ----------------------------------------------------------------------
def test_a_test_order_gives_no_sale_refund_or_void_whatever_the_topic():
    order = order_fixture()
    order["test"] = True
    order["cancelled_at"] = "2008-01-10T11:00:00-05:00"
    assert order.get("refunds"), "the fixture embeds a refund, which must not count either"
    for translation in (
        order_to_events(order, "orders/create"),
        order_snapshot_to_events(order, "orders/updated"),
        translate_webhook("orders/paid", json.dumps({**order})),
    ):
        assert translation.test and translation.events == []
        assert "test data" in translation.notes[0] and ORDER_ID in translation.notes[0]
    order["test"] = False
    live = order_snapshot_to_events(order)
    assert not live.test and {e["type"] for e in live.events} == {"sale", "refund", "void"}


def test_a_refund_paid_back_only_through_test_transactions_is_test_data():
    body = fixture_json("rest2024-04_refund_create.json")
    assert body["refund"]["transactions"][0]["gateway"] == "bogus"  # Shopify's test gateway
    translation = refund_to_event(body)
    assert translation.test and translation.events == []
    body["refund"]["transactions"].append({**body["refund"]["transactions"][0], "test": False})
    assert not refund_to_event(body).test, "one real transaction makes it real"


def test_delivery_identity_is_the_resource_and_its_version_not_the_headers():
    order = order_fixture()
    first = delivery_identity("orders/updated", order)
    assert first == f"orders/updated:{ORDER_ID}:{order['updated_at']}"
    assert delivery_identity("orders/updated", json.loads(json.dumps(order))) == first
    assert delivery_identity("orders/updated", {"order": order}) == first
    later = {**order, "updated_at": "2030-01-01T00:00:00-05:00"}
    assert delivery_identity("orders/updated", later) != first, "a new version is a new delivery"
    assert delivery_identity("orders/paid", order) != first, "another topic, another delivery"
    level = fixture_json("sdkfixture_inventory_level.json")
    level = level.get("inventory_level", level)
    assert delivery_identity("inventory_levels/update", level) == (
        f"inventory_levels/update:{level['inventory_item_id']}@{level['location_id']}"
        f":{level['updated_at']}={level['available']}"
    )
    refund = fixture_json("rest2024-04_refund_create.json")["refund"]
    assert delivery_identity("refunds/create", refund).startswith(f"refunds/create:{refund['id']}:")
    assert delivery_identity("orders/updated", {"id": 1}) is None, "no version: use the headers"
    assert delivery_identity("orders/updated", ["not", "an", "object"]) is None
