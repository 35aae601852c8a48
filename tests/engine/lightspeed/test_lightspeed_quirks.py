"""R-Series JSON quirks, returns and voids, X-Series signatures and statuses,
phone normalisation."""

import base64
import copy
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest
from demand_engine.payload import parse_unified_event
from lightspeed_engine import rseries, xseries
from lightspeed_engine.common import boolean, number, retry_after_seconds
from lightspeed_engine.contacts import normalise_phone, region_of
from lightspeed_engine.xseries import XSeriesSignatureError, verify_signature
from ls_fixtures import fixture_json

SECRET = "app-client-secret"


def completed_sale(**changes):
    sale = copy.deepcopy(fixture_json("rseries_sale_put_response_with_salelines.json")["Sale"])
    sale["completed"] = "true"
    sale.update(changes)
    return sale


# ----------------------------------------------------------------------
# R-Series quirks
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), ("1", True), ("0", False), ("", False), (True, True)],
)
def test_string_booleans(value, expected):
    assert boolean(value) is expected


@pytest.mark.parametrize(("value", "expected"), [("12", 12.0), ("3.50", 3.5), ("", None)])
def test_string_numbers(value, expected):
    assert number(value) == expected


def test_one_line_collapsed_to_an_object_reads_like_a_list():
    sale = completed_sale()
    lines = sale["SaleLines"]["SaleLine"]
    listed = rseries.sale_to_events(sale).events[0]
    sale["SaleLines"]["SaleLine"] = lines[0]  # what the API sends for one line
    collapsed = rseries.sale_to_events(sale).events[0]
    assert [line["line_id"] for line in collapsed["lines"]] == ["12"]
    assert collapsed["lines"][0] == listed["lines"][0]


@pytest.mark.parametrize("missing", [None, "", {}, {"SaleLine": []}])
def test_missing_relation_means_no_lines(missing):
    sale = completed_sale(SaleLines=missing)
    result = rseries.sale_to_events(sale)
    assert result.events == [] and "no line" in result.notes[0]


def test_native_json_scalars_read_like_strings():
    sale = completed_sale(completed=True, shopID=1, saleID=1)
    for line in sale["SaleLines"]["SaleLine"]:
        line["unitQuantity"] = int(line["unitQuantity"])
        line["unitPrice"] = float(line["unitPrice"])
        line["saleLineID"] = int(line["saleLineID"])
    event = rseries.sale_to_events(sale).events[0]
    assert event["event_id"] == "rs-sale-1" and event["location"] == "1"
    assert event["lines"][0]["line_id"] == "12" and event["lines"][0]["quantity"] == 2


def test_item_relation_gives_skus_in_order_and_barcodes():
    sale = completed_sale()
    line = sale["SaleLines"]["SaleLine"][0]
    line["Item"] = {"itemID": "1", "systemSku": "2100", "manufacturerSku": "MFR-1", "ean": "E"}
    event = rseries.sale_to_events(sale).events[0]
    assert event["lines"][0]["sku"] == "MFR-1" and event["lines"][0]["barcode"] == "E"
    line["Item"]["upc"] = "012345678905"
    line["Item"]["customSku"] = "CUSTOM"
    event = rseries.sale_to_events(sale).events[0]
    assert event["lines"][0]["sku"] == "CUSTOM" and event["lines"][0]["barcode"] == "012345678905"


def test_negative_quantity_is_a_return_line_and_misc_lines_are_skipped():
    sale = completed_sale()
    lines = sale["SaleLines"]["SaleLine"]
    lines[1]["unitQuantity"] = "-2"
    lines[2]["itemID"] = "0"  # a line without an item (a fee)
    lines[3]["unitQuantity"] = "0"
    result = rseries.sale_to_events(sale, "USD")
    parsed = parse_unified_event(result.events[0])
    kinds = {line.line_id: (line.kind, line.quantity) for line in parsed.lines}
    assert kinds["13"] == ("return", -2.0) and kinds["12"] == ("sale", 2.0)
    assert {(s.line_id, s.reason) for s in result.skipped} == {
        ("14", "no_product_key"),
        ("15", "zero_quantity"),
    }


def test_voided_sale_gives_the_sale_and_its_void_with_stable_ids():
    sale = completed_sale(voided="true", completeTime="2016-02-13T00:40:00+00:00")
    first = rseries.sale_to_events(sale)
    again = rseries.sale_to_events(copy.deepcopy(sale))
    assert first.event_ids == again.event_ids == ["rs-sale-1", "rs-void-1"]
    sale_event, void = first.events
    assert sale_event["occurred_at"] == "2016-02-13T00:40:00+00:00"
    assert void["cancels"] == "rs-sale-1" and void["line_ids"][0] == "12"
    parsed = parse_unified_event(void)
    assert parsed.event_type == "void" and parsed.cancels == "rs-sale-1"


def test_voided_before_completion_counts_nothing():
    sale = completed_sale(completed="false", voided="true")
    result = rseries.sale_to_events(sale)
    assert result.events == [] and "voided" in result.notes[0]


def test_item_shops_collapsed_to_one_row():
    item = copy.deepcopy(fixture_json("rseries_item_show_with_itemshops.json")["Item"])
    item["ItemShops"]["ItemShop"] = item["ItemShops"]["ItemShop"][0]
    (event,) = rseries.item_inventory_events(item).events
    assert event["location"] == "1" and event["lines"][0]["quantity"] == 1045


def test_contact_lists_collapsed_or_not():
    vendor = copy.deepcopy(fixture_json("rseries_vendor_show.json")["Vendor"])
    vendor["Contact"]["Emails"]["ContactEmail"] = {"address": "only@example.com"}
    vendor["Contact"]["Phones"] = ""
    vendor["Contact"]["Websites"] = ""
    supplier = rseries.vendor_to_supplier(vendor)
    assert supplier.emails == ("only@example.com",)
    assert supplier.phones == () and supplier.website is None


# ----------------------------------------------------------------------
# Phones
# ----------------------------------------------------------------------
@pytest.fixture
def phonenumbers():
    return pytest.importorskip("phonenumbers")


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(212) 555-0123", "US", "+12125550123"),
        ("310.555.0199", "US", "+13105550199"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("+1 415 555 0100", "GB", "+14155550100"),
    ],
)
def test_valid_numbers_become_e164(phonenumbers, raw, region, e164):
    phone = normalise_phone(raw, region)
    assert phone.e164 == e164 and not phone.phone_invalid and phone.value == e164


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("555 555 1212", "US", "not a valid number"),
        ("12", "US", ""),
        ("call the office", "GB", "not a phone number"),
        ("020 7946 0958", None, "no country"),
    ],
)
def test_invalid_numbers_are_kept_and_flagged(phonenumbers, raw, region, reason):
    phone = normalise_phone(raw, region, "Work")
    assert phone.phone_invalid and phone.e164 is None
    assert phone.raw == raw and phone.value == raw and reason in phone.reason


def test_vendor_region_from_country_or_default(phonenumbers):
    vendor = copy.deepcopy(fixture_json("rseries_vendor_show.json")["Vendor"])
    vendor["Contact"]["Phones"]["ContactPhone"] = [
        {"number": "(212) 555-0123", "useType": "Work"},
        {"number": "555 555 1212", "useType": "Fax"},
    ]
    supplier = rseries.vendor_to_supplier(vendor)
    assert [p.value for p in supplier.phones] == ["+12125550123", "555 555 1212"]
    assert supplier.phone_invalid and "555 555 1212" in supplier.notes[0]
    vendor["Contact"]["Addresses"] = ""
    vendor["Contact"]["Phones"]["ContactPhone"] = {"number": "020 7946 0958"}
    supplier = rseries.vendor_to_supplier(vendor, default_region="GB")
    assert supplier.phones[0].e164 == "+442079460958" and supplier.address is None


@pytest.mark.parametrize(
    ("country", "region"),
    [("USA", "US"), ("United States", "US"), ("gb", "GB"), ("United Kingdom", "GB"), ("", None)],
)
def test_region_of(country, region):
    assert region_of(country) == region


# ----------------------------------------------------------------------
# X-Series signatures
# ----------------------------------------------------------------------
def webhook_body(payload=None, webhook_type="sale.update") -> bytes:
    payload = payload or fixture_json("xseries_webhook_sale.update.payload.json")
    fields = {"payload": json.dumps(payload), "type": webhook_type, "domain_prefix": "shop"}
    return urlencode(fields).encode()


def signed_header(body: bytes, secret: str = SECRET, encoding: str = "hex") -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    value = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()
    return f"signature={value},algorithm=HMAC-SHA256"


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_valid_signature_in_hex_or_base64(encoding):
    body = webhook_body()
    verify_signature(SECRET, body, signed_header(body, encoding=encoding))
    verify_signature(["old-secret", SECRET], body, signed_header(body, encoding=encoding))
    delivery = xseries.delivery_from_request(
        SECRET, body, {"x-signature": signed_header(body, encoding=encoding)}
    )
    assert delivery.type == "sale.update"


def test_uppercase_hex_and_spaces_are_read():
    body = webhook_body()
    value = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest().upper()
    verify_signature(SECRET, body, f" signature={value} , algorithm=hmac-sha256 ")


def test_tampered_body_is_refused():
    body = webhook_body()
    header = signed_header(body)
    payload = fixture_json("xseries_webhook_sale.update.payload.json")
    payload["register_sale_products"][0]["quantity"] = 100
    with pytest.raises(XSeriesSignatureError, match="does not match"):
        verify_signature(SECRET, webhook_body(payload), header)


def test_signature_over_the_payload_alone_is_refused():
    body = webhook_body()
    inner = json.dumps(fixture_json("xseries_webhook_sale.update.payload.json")).encode()
    with pytest.raises(XSeriesSignatureError):
        verify_signature(SECRET, body, signed_header(inner))


def test_wrong_secret_is_refused():
    body = webhook_body()
    with pytest.raises(XSeriesSignatureError, match="does not match"):
        verify_signature(SECRET, body, signed_header(body, "another-secret"))


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_signature_is_refused(value):
    with pytest.raises(XSeriesSignatureError, match="missing"):
        verify_signature(SECRET, webhook_body(), value)
    with pytest.raises(XSeriesSignatureError):
        xseries.delivery_from_request(SECRET, webhook_body(), {"X-Signature": value or ""})


def test_unsigned_delivery_only_when_not_required():
    delivery = xseries.delivery_from_request(None, webhook_body(), {}, require_signature=False)
    assert delivery.payload["status"] == "CLOSED"


@pytest.mark.parametrize("algorithm", ["HMAC-SHA1", "HMAC-MD5", "none", "SHA256"])
def test_unknown_algorithm_is_refused(algorithm):
    body = webhook_body()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    with pytest.raises(XSeriesSignatureError, match="unsupported"):
        verify_signature(SECRET, body, f"signature={digest},algorithm={algorithm}")


@pytest.mark.parametrize(
    "value",
    ["signature=abc", "algorithm=HMAC-SHA256", "garbage", "signature=@@@,algorithm=HMAC-SHA256"],
)
def test_malformed_header_is_refused(value):
    with pytest.raises(XSeriesSignatureError):
        verify_signature(SECRET, webhook_body(), value)


def test_no_secret_configured_is_refused():
    body = webhook_body()
    with pytest.raises(XSeriesSignatureError, match="no client secret"):
        verify_signature("", body, signed_header(body))


# ----------------------------------------------------------------------
# X-Series statuses and lines
# ----------------------------------------------------------------------
def xs_sale(**changes):
    sale = copy.deepcopy(fixture_json("xseries_webhook_sale.update.payload.json"))
    sale["outlet_id"] = "outlet-1"
    sale.update(changes)
    return sale


@pytest.mark.parametrize("status", sorted(xseries.COUNTED_STATUSES))
def test_counted_statuses_give_the_same_sale_event(status):
    (event,) = xseries.sale_to_events(xs_sale(status=status)).events
    assert event["event_id"] == "xs-sale-edf73c5e-a3e1-bfe7-11e7-da38dadd8a59"


@pytest.mark.parametrize("status", ["SAVED", "OPEN", "LAYBY", "SERVICE", "SOMETHING_NEW"])
def test_pending_statuses_count_nothing_yet(status):
    result = xseries.sale_to_events(xs_sale(status=status))
    assert result.events == [] and "not counted" in result.notes[0]


def test_voided_sale_voids_its_sale_event():
    (void,) = xseries.sale_to_events(xs_sale(status="VOIDED")).events
    assert void["type"] == "void"
    assert void["event_id"] == "xs-void-edf73c5e-a3e1-bfe7-11e7-da38dadd8a59"
    assert void["cancels"] == "xs-sale-edf73c5e-a3e1-bfe7-11e7-da38dadd8a59"
    assert len(void["line_ids"]) == 2
    assert parse_unified_event(void).cancels == void["cancels"]


def test_negative_and_is_return_lines_are_returns():
    sale = xs_sale()
    sale["register_sale_products"][0]["quantity"] = -1
    parsed = parse_unified_event(xseries.sale_to_events(sale).events[0])
    assert [line.kind for line in parsed.lines] == ["return", "sale"]
    rest = copy.deepcopy(fixture_json("xseries_rest_sale_get.json"))
    rest["data"]["line_items"][0]["is_return"] = True
    rest["data"]["line_items"][1]["status"] = "VOIDED"
    result = xseries.sale_to_events(rest)
    (line,) = result.events[0]["lines"]
    assert line["quantity"] == -1 and result.skipped[0].reason == "voided_line"


def test_webhook_without_payload_is_refused():
    with pytest.raises(ValueError, match="no payload"):
        xseries.parse_webhook(b"type=sale.update")
    with pytest.raises(ValueError, match="not JSON"):
        xseries.parse_webhook(urlencode({"payload": "{oops"}).encode())


# ----------------------------------------------------------------------
# Retry-After
# ----------------------------------------------------------------------
def test_retry_after_as_seconds_or_http_date():
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    assert retry_after_seconds("7", 1.0, now) == 7.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:50 GMT", 1.0, now) == 30.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:00:00 GMT", 1.0, now) == 0.0
    assert retry_after_seconds("soon", 2.5, now) == 2.5
    assert retry_after_seconds(None, 2.5, now) == 2.5


def test_xseries_supplier_contact_phones_and_address():
    pytest.importorskip("phonenumbers")
    row = {
        "id": "sup-1",
        "name": "Harrys",
        "contact": {
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "orders@harrys.example",
            "phone": "09 379 0000",
            "mobile": "12",
            "physical_address_1": "1 Queen St",
            "physical_city": "Auckland",
            "physical_country_id": "NZ",
        },
    }
    supplier = xseries.supplier_to_supplier(row)
    assert supplier.name == "Harrys" and supplier.contacts == ("Ann Lee",)
    assert supplier.emails == ("orders@harrys.example",)
    assert supplier.phones[0].e164 == "+6493790000"
    assert supplier.phones[1].phone_invalid and "'12'" in supplier.notes[0]
    assert supplier.address.country_code == "NZ" and supplier.address.city == "Auckland"
    bare = xseries.supplier_to_supplier({"id": "sup-2", "name": "Peak"})
    assert bare.phones == () and bare.address is None and not bare.phone_invalid
