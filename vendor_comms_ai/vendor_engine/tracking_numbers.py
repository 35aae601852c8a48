"""Carrier tracking numbers in free text (UPS, FedEx, USPS, DHL).

* UPS: ``1Z`` + 16 letters/digits (check digit verified and reported).
* USPS: 20 or 22 digits starting 92/93/94/95 (IMpb, mod-10 check digit:
  from the right, odd positions x3), or S10 ``AB123456789US`` (weights
  8 6 4 2 3 5 9 7, mod 11).
* FedEx: 12 digits (Express: weights 1 3 7 from the right, sum mod 11 mod 10),
  15 digits (Ground: the mod-10 above), 22 digits starting 96 (Ground barcode:
  the last 15 digits), 20 digits. Taken when "FedEx" is written nearby, or
  when the check digit holds *and* a tracking word is nearby.
* DHL: ``JJD`` + digits, ``JD`` + 18 digits, or 10 digits with "DHL" nearby
  (Express check digit: first 9 digits mod 7).

Numbers pasted in groups ("9400 1000 0000 ...") are joined first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import sentences

CARRIERS = ("ups", "fedex", "usps", "dhl")


@dataclass(frozen=True)
class TrackingRef:
    """One tracking number, its carrier code and the sentence it was in."""

    carrier: str  # one of CARRIERS
    number: str  # without spaces
    sentence: str
    checksum_ok: bool | None = None  # None: the format has no check digit we know


def _mod10_3_1(digits: str) -> bool:
    """USPS IMpb / FedEx Ground: from the right of the serial, x3, x1, x3..."""
    serial, check = digits[:-1], int(digits[-1])
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(serial)))
    return (10 - total % 10) % 10 == check


def fedex_express_ok(digits: str) -> bool:
    """FedEx Express 12-digit check digit: weights 1, 3, 7 from the right, mod 11, mod 10."""
    if not re.fullmatch(r"\d{12}", digits):
        return False
    weights = (1, 3, 7)
    total = sum(int(c) * weights[i % 3] for i, c in enumerate(reversed(digits[:-1])))
    return total % 11 % 10 == int(digits[-1])


def fedex_ground_ok(digits: str) -> bool:
    """FedEx Ground: 15 digits, or the 22-digit ``96`` barcode (its last 15)."""
    if re.fullmatch(r"96\d{20}", digits):
        digits = digits[7:]
    return bool(re.fullmatch(r"\d{15}", digits)) and _mod10_3_1(digits)


def ups_ok(number: str) -> bool:
    """UPS ``1Z`` check digit: letters count as (ord - 3) mod 10; odd positions x2."""
    body, check = number[2:-1], number[-1]
    if not check.isdigit():
        return False
    values = [int(c) if c.isdigit() else (ord(c) - 3) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return (10 - total % 10) % 10 == int(check)


def usps_s10_ok(number: str) -> bool:
    """UPU S10 (``AB123456789US``) check digit."""
    digits, check = number[2:10], int(number[10])
    total = sum(int(c) * w for c, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    expected = 11 - total % 11
    return {10: 0, 11: 5}.get(expected, expected) == check


def dhl_express_ok(digits: str) -> bool:
    """DHL Express 10-digit waybill: the first nine digits mod 7."""
    return bool(re.fullmatch(r"\d{10}", digits)) and int(digits[:9]) % 7 == int(digits[9])


_UPS = re.compile(r"(?<![A-Z0-9])1Z[0-9A-Z]{16}(?![A-Z0-9])", re.I)
_S10 = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{9}US(?![A-Z0-9])")
_DHL_JJD = re.compile(r"(?<![A-Z0-9])(?:JJD\d{10,20}|JD\d{18})(?![A-Z0-9])")
_DIGIT_RUN = re.compile(r"(?<![\w.,/-])\d(?: ?\d){9,33}(?![\w/-])")
_FEDEX_WORD = re.compile(r"fed\s?ex", re.I)
_DHL_WORD = re.compile(r"\bdhl\b", re.I)
_USPS_WORD = re.compile(r"\busps\b|postal service", re.I)
_TRACK_WORD = re.compile(
    r"track|suivi|sendungs|seguimiento|rastreo|awb|waybill|colis|envío|shipment|expédition",
    re.I,
)


def _classify_digits(  # noqa: PLR0911 - one return per carrier rule reads best
    digits: str, context: str
) -> tuple[str, bool | None] | None:
    fedex_near = bool(_FEDEX_WORD.search(context))
    tracking_near = bool(_TRACK_WORD.search(context))
    n = len(digits)
    if n in (20, 22) and digits[:2] in ("92", "93", "94", "95") and not fedex_near:
        return "usps", _mod10_3_1(digits)
    if n == 10 and _DHL_WORD.search(context):
        return "dhl", dhl_express_ok(digits)
    if n == 12:
        ok = fedex_express_ok(digits)
        if fedex_near or (ok and tracking_near):
            return "fedex", ok
    if n == 15 or (n == 22 and digits.startswith("96")):
        ok = fedex_ground_ok(digits)
        if fedex_near or (ok and tracking_near):
            return "fedex", ok
    if n == 20 and fedex_near:
        return "fedex", None
    if n in (20, 22) and _USPS_WORD.search(context):
        return "usps", _mod10_3_1(digits)
    return None


def _candidates(text: str) -> list[tuple[int, int, str, bool | None, str]]:
    found: list[tuple[int, int, str, bool | None, str]] = []
    for m in _UPS.finditer(text):
        number = m.group(0).upper()
        found.append((m.start(), m.end(), "ups", ups_ok(number), number))
    for m in _S10.finditer(text):
        found.append((m.start(), m.end(), "usps", usps_s10_ok(m.group(0)), m.group(0)))
    for m in _DHL_JJD.finditer(text):
        found.append((m.start(), m.end(), "dhl", None, m.group(0)))
    for m in _DIGIT_RUN.finditer(text):
        context = text[max(0, m.start() - 120) : m.end() + 40]
        whole = m.group(0).replace(" ", "")
        options = [(m.start(), m.end(), whole)]
        if " " in m.group(0):
            offset = m.start()
            for token in m.group(0).split(" "):
                options.append((offset, offset + len(token), token))
                offset += len(token) + 1
        for start, end, digits in options:
            kind = _classify_digits(digits, context)
            if kind:
                found.append((start, end, kind[0], kind[1], digits))
                break
    return found


def find_tracking_numbers(text: str) -> list[TrackingRef]:
    """Tracking numbers in ``text``, in order of appearance, without duplicates."""
    refs: list[TrackingRef] = []
    seen: set[str] = set()
    all_sentences = sentences(text)
    for _, _, carrier, ok, number in sorted(_candidates(text)):
        if number in seen:
            continue
        seen.add(number)
        sentence = next(
            (s for s in all_sentences if number in s.replace(" ", "").upper()),
            number,
        )
        refs.append(TrackingRef(carrier, number, sentence, ok))
    return refs
