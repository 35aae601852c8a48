import json
from datetime import date, datetime

import pytest
from demand_engine.payload import (
    PayloadError,
    PayloadTooLarge,
    decode_json,
    parse_unified_event,
    to_utc_and_local_date,
)


def event(**overrides):
    body = {
        "event_id": "evt-1",
        "type": "sale",
        "occurred_at": "2026-03-01T23:30:00-05:00",
        "location": "downtown",
        "currency": "usd",
        "lines": [
            {"line_id": "l1", "sku": "BEV-001", "quantity": 2, "unit_price": 1.29},
            {"line_id": "l2", "barcode": "2000000000015", "quantity": "1", "unit_price": "3.5"},
        ],
    }
    body.update(overrides)
    return json.dumps(body).encode()


def test_sale_lines_are_normalized():
    parsed = parse_unified_event(event(), "America/New_York")
    assert parsed.event_id == "evt-1"
    assert parsed.currency == "USD"
    assert parsed.location == "downtown"
    # 23:30 in New York is 04:30 UTC the next day; the business date stays local.
    assert parsed.occurred_at == datetime(2026, 3, 2, 4, 30)
    assert parsed.local_date == date(2026, 3, 1)
    first, second = parsed.lines
    assert (first.kind, first.line_id, first.sku, first.quantity, first.unit_price) == (
        "sale",
        "l1",
        "BEV-001",
        2.0,
        1.29,
    )
    assert (second.kind, second.barcode, second.quantity, second.unit_price) == (
        "sale",
        "2000000000015",
        1.0,
        3.5,
    )


def test_negative_quantity_in_a_sale_is_a_return():
    parsed = parse_unified_event(
        event(lines=[{"line_id": "r", "sku": "A", "quantity": -3, "unit_price": 2}]), "UTC"
    )
    assert [(ln.kind, ln.quantity) for ln in parsed.lines] == [("return", -3.0)]


def test_return_reason_is_kept_for_returns_only():
    parsed = parse_unified_event(
        event(
            lines=[
                {"line_id": "r", "sku": "A", "quantity": -1, "reason": "Defect"},
                {"line_id": "s", "sku": "B", "quantity": 2, "reason": "gift"},
            ]
        ),
        "UTC",
    )
    assert [(ln.kind, ln.reason) for ln in parsed.lines] == [("return", "defect"), ("sale", None)]


def test_refund_lines_are_negative_whatever_their_sign():
    parsed = parse_unified_event(
        event(type="refund", lines=[{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": -1}]),
        "UTC",
    )
    assert [(ln.kind, ln.quantity, ln.line_id) for ln in parsed.lines] == [
        ("return", -2.0, "evt-1#0"),
        ("return", -1.0, "evt-1#1"),
    ]


def test_inventory_lines_keep_the_counted_quantity_even_zero_or_negative():
    parsed = parse_unified_event(
        event(type="inventory", lines=[{"sku": "A", "quantity": 0}, {"sku": "B", "quantity": -2}]),
        "UTC",
    )
    assert [(ln.kind, ln.quantity) for ln in parsed.lines] == [
        ("inventory", 0.0),
        ("inventory", -2.0),
    ]


def test_zero_quantity_sale_lines_are_dropped():
    parsed = parse_unified_event(
        event(lines=[{"sku": "A", "quantity": 0}, {"sku": "B", "quantity": 1}]), "UTC"
    )
    assert [ln.sku for ln in parsed.lines] == ["B"]


def test_void_references_the_cancelled_event():
    body = json.dumps(
        {
            "event_id": "v1",
            "type": "void",
            "occurred_at": "2026-03-02T10:00:00Z",
            "cancels": "evt-1",
            "line_ids": ["l1"],
        }
    ).encode()
    parsed = parse_unified_event(body, "UTC")
    assert (parsed.cancels, parsed.cancel_line_ids, parsed.lines) == ("evt-1", ("l1",), ())


def test_naive_timestamp_is_store_local():
    utc, local = to_utc_and_local_date("2026-07-01T23:00:00", "Europe/Paris")
    assert utc == datetime(2026, 7, 1, 21, 0)
    assert local == date(2026, 7, 1)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (event(event_id=None), "event_id is required"),
        (event(event_id="x" * 300), "longer than"),
        (event(type="layaway"), "type must be one of"),
        (event(occurred_at="yesterday"), "not ISO-8601"),
        (event(occurred_at=None), "ISO-8601 string"),
        (event(currency="dollars"), "ISO 4217"),
        (event(lines=[]), "non-empty list"),
        (event(lines=["x"]), r"lines\[0\] must be an object"),
        (event(lines=[{"quantity": 1}]), "needs sku, barcode or variant_id"),
        (event(lines=[{"sku": "A"}]), r"lines\[0\].quantity is required"),
        (event(lines=[{"sku": "A", "quantity": "two"}]), "must be a number"),
        (event(lines=[{"sku": "A", "quantity": True}]), "must be a number"),
        (
            b'{"event_id": "e", "type": "sale", "occurred_at": "2026-01-01T00:00:00Z",'
            b' "lines": [{"sku": "A", "quantity": NaN}]}',
            "finite",
        ),
        (
            event(
                lines=[
                    {"sku": "A", "line_id": "x", "quantity": 1},
                    {"sku": "B", "line_id": "x", "quantity": 1},
                ]
            ),
            "repeats",
        ),
        (
            json.dumps(
                {"event_id": "v", "type": "void", "occurred_at": "2026-01-01T00:00:00Z"}
            ).encode(),
            "cancels is required",
        ),
    ],
)
def test_malformed_events_name_the_problem(body, message):
    with pytest.raises(PayloadError, match=message):
        parse_unified_event(body, "UTC")


def test_unknown_time_zone_is_an_error():
    with pytest.raises(PayloadError, match="unknown time zone"):
        parse_unified_event(event(), "Mars/Olympus_Mons")


def test_oversized_payload_is_refused_before_decoding():
    with pytest.raises(PayloadTooLarge, match="over the 10 byte limit"):
        decode_json(b'{"a": "0123456789"}', max_bytes=10)
    with pytest.raises(PayloadTooLarge):
        parse_unified_event(event(), "UTC", max_bytes=50)
