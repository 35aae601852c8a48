"""Vendor phones in E.164; carrier tracking webhooks: signatures and payloads."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from vendor_engine.phone import normalize_phone
from vendor_engine.tracking import (
    SIGNATURE_HEADER,
    TrackingPayloadError,
    TrackingSignatureError,
    normalize_status,
    parse_tracking_webhook,
    sign,
    verify_signature,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(312) 555-0147", "US", "+13125550147"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("030 901820", "de", "+4930901820"),
        ("+34 912 345 678", "GB", "+34912345678"),  # an explicit + wins over the region
    ],
)
def test_phone_normalisation(raw, region, e164):
    result = normalize_phone(raw, region)
    assert result.e164 == e164
    assert result.valid is (e164 is not None)
    assert (result.reason is None) is result.valid


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("", "US", "no phone number"),
        ("call me", "US", "not a phone number"),
        ("650 253 0000", None, "unknown country"),
        ("12", "US", "too short"),
        ("+1 650 253 00001234", None, "too long"),
        ("(212) 123-4567", "US", "not a valid number"),  # exchanges never start with 1
    ],
)
def test_phone_reasons(raw, region, reason):
    result = normalize_phone(raw, region)
    assert not result.valid and result.e164 is None
    assert reason in result.reason


BODY = json.dumps(
    {
        "tracking_number": "1Z999AA10123456784",
        "carrier": "UPS",
        "status": "In Transit",
        "estimated_delivery": "2026-03-13",
        "event_time": "2026-03-10T14:02:00-05:00",
    }
).encode()


def test_signature_round_trip_and_rotation():
    header = sign("s3cret", BODY)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    verify_signature("s3cret", BODY, header)
    verify_signature(["old", "s3cret"], BODY, header.upper().replace("SHA256=", "sha256="))
    verify_signature("s3cret", BODY, header.removeprefix("sha256="))


@pytest.mark.parametrize(
    ("secret", "body", "header", "message"),
    [
        ("s3cret", BODY, None, f"missing {SIGNATURE_HEADER}"),
        ("s3cret", BODY + b" ", sign("s3cret", BODY), "does not match"),
        ("other", BODY, sign("s3cret", BODY), "does not match"),
        ("", BODY, sign("", BODY), "no tracking webhook secret"),
        ("s3cret", BODY, "sha256=zz\u00e9", "does not match"),
    ],
)
def test_bad_signatures(secret, body, header, message):
    with pytest.raises(TrackingSignatureError) as err:
        verify_signature(secret, body, header)
    assert message in str(err.value)


def test_signature_needs_raw_bytes():
    with pytest.raises(TypeError):
        verify_signature("s3cret", json.loads(BODY), "sha256=00")


def test_generic_payload():
    update = parse_tracking_webhook(BODY)
    assert update.tracking_number == "1Z999AA10123456784"
    assert (update.carrier, update.status, update.raw_status) == ("ups", "in_transit", "In Transit")
    assert update.estimated_delivery == date(2026, 3, 13)
    assert update.event_time == datetime(2026, 3, 10, 14, 2, tzinfo=timezone(timedelta(hours=-5)))
    assert update.source_format == "generic"


def test_aftership_like_payload():
    body = {
        "event": "tracking_update",
        "msg": {
            "tracking_number": "7307 9244 0268",
            "slug": "fedex",
            "tag": "OutForDelivery",
            "expected_delivery": "2026-03-11T18:00:00Z",
            "updated_at": "2026-03-11T07:30:00+00:00",
        },
    }
    update = parse_tracking_webhook(json.dumps(body))
    assert update.tracking_number == "730792440268"
    assert (update.carrier, update.status) == ("fedex", "out_for_delivery")
    assert update.estimated_delivery == date(2026, 3, 11)
    assert update.source_format == "aftership"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Delivered", "delivered"),
        ("AttemptFail", "exception"),
        ("InfoReceived", "info_received"),
        ("available-for-pickup", "out_for_delivery"),
        ("whatever", "unknown"),
        (None, "unknown"),
    ],
)
def test_statuses(raw, status):
    assert normalize_status(raw) == status


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"carrier": "ups"}', "tracking_number is missing"),
        (b'{"tracking_number": "X1", "estimated_delivery": "soon"}', "not an ISO 8601"),
    ],
)
def test_unusable_payloads(body, message):
    with pytest.raises(TrackingPayloadError) as err:
        parse_tracking_webhook(body)
    assert message in str(err.value)


def test_missing_optional_fields():
    update = parse_tracking_webhook({"tracking_number": "jjd0123456789012345"})
    assert update.tracking_number == "JJD0123456789012345"
    assert (update.carrier, update.status, update.estimated_delivery, update.event_time) == (
        None,
        "unknown",
        None,
        None,
    )
