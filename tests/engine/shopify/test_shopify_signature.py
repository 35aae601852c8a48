import base64
import hashlib
import hmac

import pytest
from shopify_engine.signature import (
    ShopifySignatureError,
    delivery_headers,
    oauth_message,
    verify_oauth_query,
    verify_webhook,
    webhook_hmac,
)
from shopify_fixtures import fixture_bytes

# Known-answer vector from Shopify/shopify-api-js validate.test.ts (docs/pos-apis.md 1).
SECRET = "test_secret_key"
BODY = b'{"foo": "bar"}'
HEADER = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

# OAuth callback vector from Shopify/shopify_python_api session_test.py.
OAUTH_QUERY = {
    "code": "a94a110d86d2452eb3e2af4cfb8a3828",
    "shop": "some-shop.myshopify.com",
    "timestamp": "1337178173",
    "hmac": "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2",
}


def test_known_answer_vector():
    assert webhook_hmac(SECRET, BODY) == HEADER
    verify_webhook(SECRET, BODY, HEADER)  # does not raise
    verify_webhook(SECRET, BODY, f"  {HEADER}\n")  # header whitespace is tolerated


def test_hmac_is_base64_of_hmac_sha256_of_raw_body():
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == HEADER


@pytest.mark.parametrize("position", range(len(BODY)))
def test_any_changed_body_byte_fails(position):
    body = bytearray(BODY)
    body[position] ^= 0x01
    with pytest.raises(ShopifySignatureError):
        verify_webhook(SECRET, bytes(body), HEADER)


@pytest.mark.parametrize("position", range(len(SECRET)))
def test_any_changed_secret_byte_fails(position):
    secret = bytearray(SECRET.encode())
    secret[position] ^= 0x01
    with pytest.raises(ShopifySignatureError):
        verify_webhook(secret.decode(), BODY, HEADER)


@pytest.mark.parametrize("position", range(len(HEADER)))
def test_any_changed_header_byte_fails(position):
    # Every other base64 character at this position, and a non-base64 byte;
    # the comparison is on the canonical text, so a non-canonical base64
    # spelling of the same digest (last data character) fails too.
    for replacement in [c for c in BASE64_ALPHABET if c != HEADER[position]] + ["\xe9"]:
        header = HEADER[:position] + replacement + HEADER[position + 1 :]
        with pytest.raises(ShopifySignatureError):
            verify_webhook(SECRET, BODY, header)


def test_appended_or_truncated_body_fails():
    for body in (BODY + b" ", BODY[:-1], b"", BODY + b"\n"):
        with pytest.raises(ShopifySignatureError):
            verify_webhook(SECRET, body, HEADER)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_fails(header):
    with pytest.raises(ShopifySignatureError, match="missing"):
        verify_webhook(SECRET, BODY, header)


def test_no_secret_configured_fails():
    with pytest.raises(ShopifySignatureError, match="no client secret"):
        verify_webhook("", BODY, HEADER)


def test_rotation_accepts_either_secret():
    verify_webhook(["new_secret", SECRET], BODY, HEADER)
    with pytest.raises(ShopifySignatureError):
        verify_webhook(["new_secret", "older_secret"], BODY, HEADER)


def test_reserialized_body_fails():
    """The MAC is over the raw bytes: the same JSON re-serialized fails."""
    with pytest.raises(ShopifySignatureError):
        verify_webhook(SECRET, b'{"foo":"bar"}', HEADER)


def test_fixture_body_signed_and_escaped_slashes_matter():
    raw = fixture_bytes("rest2024-04_order_get.json")
    header = webhook_hmac(SECRET, raw)
    verify_webhook(SECRET, raw, header)
    # Shopify escapes "/" as "\/": the same JSON, other bytes, another MAC.
    escaped = raw.replace(b"/", b"\\/")
    with pytest.raises(ShopifySignatureError):
        verify_webhook(SECRET, escaped, header)


def test_oauth_vector():
    assert oauth_message(OAUTH_QUERY) == (
        "code=a94a110d86d2452eb3e2af4cfb8a3828&shop=some-shop.myshopify.com&timestamp=1337178173"
    )
    assert verify_oauth_query("hush", OAUTH_QUERY)
    query_string = "&".join(f"{k}={v}" for k, v in reversed(OAUTH_QUERY.items()))
    assert verify_oauth_query("hush", query_string)


@pytest.mark.parametrize(
    "change",
    [
        {"timestamp": "1337178174"},
        {"shop": "other-shop.myshopify.com"},
        {"hmac": "0" * 64},
        {"hmac": ""},
        {"extra": "1"},
    ],
)
def test_oauth_any_change_fails(change):
    assert not verify_oauth_query("hush", {**OAUTH_QUERY, **change})


def test_oauth_wrong_secret_or_no_hmac_fails():
    assert not verify_oauth_query("hush!", OAUTH_QUERY)
    assert not verify_oauth_query("", OAUTH_QUERY)
    assert not verify_oauth_query("hush", {k: v for k, v in OAUTH_QUERY.items() if k != "hmac"})


def test_delivery_headers_case_insensitive():
    meta = delivery_headers(
        {
            "x-shopify-topic": "orders/paid",
            "X-SHOPIFY-HMAC-SHA256": HEADER,
            "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
            "X-Shopify-Triggered-At": "2023-03-29T18:00:27.877041743Z",
            "X-Shopify-Shop-Domain": "shop.myshopify.com",
            "X-Shopify-API-Version": "2024-04",
        }
    )
    assert meta.topic == "orders/paid"
    assert meta.hmac == HEADER
    assert meta.dedupe_key == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert delivery_headers({"X-Shopify-Webhook-Id": "w1"}).dedupe_key == "w1"
