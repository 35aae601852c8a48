"""Vendor phone numbers in E.164 for escalations to the buyer.

``phonenumbers`` (a declared project dependency) parses the number; a number
written without ``+`` needs the vendor's country as ``region`` (ISO 3166
alpha-2, e.g. "US"). Only numbers ``phonenumbers`` deems *valid* (a real
allocated range, not just the right length) get an E.164 form; otherwise the
reason says what is wrong, so the buyer sees the number as typed and why it
could not be checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: (
        "unknown country: write +<country code> or set the vendor's country"
    ),
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short for the country",
    phonenumbers.ValidationResult.TOO_LONG: "too long for the country",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number: area code missing",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


@dataclass(frozen=True)
class PhoneResult:
    """A vendor phone: E.164 when valid, else why not."""

    e164: str | None
    valid: bool
    reason: str | None = None


def normalize_phone(raw: str | None, region: str | None = None) -> PhoneResult:
    """E.164 form of ``raw`` (``"+13125550147"``), validated with phonenumbers."""
    text = (raw or "").strip()
    if not text:
        return PhoneResult(None, False, "no phone number")
    region = (region or "").strip().upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as err:
        return PhoneResult(None, False, _PARSE_REASONS.get(err.error_type, str(err)))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        return PhoneResult(None, False, _LENGTH_REASONS.get(possible, "wrong number of digits"))
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(None, False, "not a valid number for the country")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(e164, True, None)
