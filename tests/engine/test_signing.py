import hashlib
import hmac

import pytest
from demand_engine.signing import (
    SignatureError,
    compute_signature,
    parse_signature_header,
    signature_header,
    verify_signature,
)

SECRET = "s3cret"
BODY = b'{"event_id": "e1", "type": "sale"}'
NOW = 1_790_000_000


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"s3cret", b"1790000000." + BODY, hashlib.sha256).hexdigest()
    assert compute_signature(SECRET, NOW, BODY) == expected
    assert signature_header(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"


def test_valid_signature_returns_its_timestamp():
    header = signature_header(SECRET, BODY, NOW)
    assert verify_signature(SECRET, header, BODY, now=NOW + 10) == NOW


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s, h, b: (s + "x", h, b),
        lambda s, h, b: (s, h, b + b" "),
        lambda s, h, b: (s, h, b.replace(b"e1", b"e2")),
        lambda s, h, b: (s, h.replace("v1=", "v1=0"), b),
        lambda s, h, b: (s, h.replace(f"t={NOW}", f"t={NOW + 1}"), b),
    ],
    ids=["secret", "trailing-byte", "changed-byte", "signature", "timestamp"],
)
def test_any_changed_byte_fails(mutate):
    header = signature_header(SECRET, BODY, NOW)
    secret, header, body = mutate(SECRET, header, BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(secret, header, body, now=NOW)


@pytest.mark.parametrize("delta", [-301, 301, 86400])
def test_stale_or_future_timestamp_is_refused(delta):
    header = signature_header(SECRET, BODY, NOW)
    with pytest.raises(SignatureError, match="tolerance"):
        verify_signature(SECRET, header, BODY, now=NOW + delta)


def test_tolerance_is_configurable():
    header = signature_header(SECRET, BODY, NOW)
    assert verify_signature(SECRET, header, BODY, now=NOW + 900, tolerance=1000) == NOW


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "missing"),
        ("", "missing"),
        ("garbage", "malformed"),
        ("t=abc,v1=00", "malformed signature timestamp"),
        (f"t={NOW}", "needs t= and v1="),
        ("v1=00", "needs t= and v1="),
    ],
)
def test_malformed_headers_are_refused(header, message):
    with pytest.raises(SignatureError, match=message):
        verify_signature(SECRET, header, BODY, now=NOW)


def test_source_without_secret_refuses_everything():
    header = signature_header("", BODY, NOW)
    with pytest.raises(SignatureError, match="no signing secret"):
        verify_signature("", header, BODY, now=NOW)


def test_several_signatures_allow_secret_rotation():
    old = compute_signature("old", NOW, BODY)
    new = compute_signature(SECRET, NOW, BODY)
    parsed = parse_signature_header(f"t={NOW},v1={old},v1={new}")
    assert parsed.signatures == (old, new)
    assert verify_signature(SECRET, f"t={NOW},v1={old},v1={new}", BODY, now=NOW) == NOW
