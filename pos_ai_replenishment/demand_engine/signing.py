"""HMAC-SHA256 signatures for the generic intake endpoint.

Header format (Stripe / Clover Hosted Checkout style)::

    X-Replenish-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

The timestamp is inside the MAC, so a replayed request outside the tolerance
window is refused even though its signature is valid.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Replenish-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request is not authentic: missing, malformed, stale or wrong signature."""


@dataclass(frozen=True)
class SignedHeader:
    timestamp: int
    signatures: tuple[str, ...]


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` keyed with ``secret``."""
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a sender puts on ``body``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},v1={compute_signature(secret, ts, body)}"


def parse_signature_header(value: str | None) -> SignedHeader:
    """Split ``t=...,v1=...[,v1=...]``; several v1 values allow secret rotation."""
    if not value:
        raise SignatureError("missing signature header")
    timestamp = None
    signatures = []
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature header")
        if key == "t":
            try:
                timestamp = int(item)
            except ValueError as err:
                raise SignatureError("malformed signature timestamp") from err
        elif key == "v1":
            signatures.append(item.lower())
    if timestamp is None or not signatures:
        raise SignatureError("signature header needs t= and v1=")
    return SignedHeader(timestamp, tuple(signatures))


def verify_signature(
    secret: str,
    header_value: str | None,
    body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check the header against ``body``; returns the signed timestamp.

    Raises :class:`SignatureError` for a missing, malformed, stale (outside
    ``tolerance`` seconds either way) or non-matching signature. The compare is
    constant-time.
    """
    if not secret:
        raise SignatureError("the source has no signing secret")
    signed = parse_signature_header(header_value)
    current = time.time() if now is None else now
    if abs(current - signed.timestamp) > tolerance:
        raise SignatureError(f"timestamp outside the {tolerance}s tolerance window (replay?)")
    expected = compute_signature(secret, signed.timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signed.signatures):
        raise SignatureError("signature does not match the body")
    return signed.timestamp
