"""Supplier contact data: addresses, e-mails and phones normalised to E.164.

Phones go through the ``phonenumbers`` library (a declared dependency of the
project). A number that parses to a valid number becomes E.164
(``+13105550123``); anything else is kept as typed and flagged
``phone_invalid=True`` with the reason, so a buyer can fix it by hand.
The region for numbers written without ``+`` comes from the contact's
country (``"USA"``, ``"United States"``, ``"GB"``...), else a given default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Country names and ISO 3166 alpha-3 codes seen in POS contact records, to
# alpha-2 regions. Alpha-2 codes are accepted as they are.
COUNTRY_REGIONS = {
    "USA": "US",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "US": "US",
    "GBR": "GB",
    "UK": "GB",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "CAN": "CA",
    "CANADA": "CA",
    "AUS": "AU",
    "AUSTRALIA": "AU",
    "NZL": "NZ",
    "NEW ZEALAND": "NZ",
    "IRL": "IE",
    "IRELAND": "IE",
    "FRA": "FR",
    "FRANCE": "FR",
    "DEU": "DE",
    "GERMANY": "DE",
    "NLD": "NL",
    "NETHERLANDS": "NL",
    "BEL": "BE",
    "BELGIUM": "BE",
    "ESP": "ES",
    "SPAIN": "ES",
    "ITA": "IT",
    "ITALY": "IT",
    "CHE": "CH",
    "SWITZERLAND": "CH",
    "MEX": "MX",
    "MEXICO": "MX",
}


@dataclass(frozen=True)
class Phone:
    """One phone number: as typed, and in E.164 when it is a valid number."""

    raw: str
    e164: str | None
    use_type: str | None = None
    phone_invalid: bool = False
    reason: str = ""

    @property
    def value(self) -> str:
        """What to store: the E.164 form, else the raw text."""
        return self.e164 or self.raw


@dataclass(frozen=True)
class Address:
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None  # as written by the POS
    country_code: str | None = None  # ISO alpha-2 when known


@dataclass(frozen=True)
class Supplier:
    """A POS vendor / supplier, ready to match or create an Odoo partner."""

    supplier_id: str
    name: str
    account_number: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[Phone, ...] = ()
    address: Address | None = None
    website: str | None = None
    archived: bool = False
    contacts: tuple[str, ...] = ()  # representatives' names
    notes: list[str] = field(default_factory=list)

    @property
    def phone_invalid(self) -> bool:
        return any(phone.phone_invalid for phone in self.phones)


def region_of(country: str | None) -> str | None:
    """ISO alpha-2 region of a country name or code, or ``None``."""
    if not country:
        return None
    key = country.strip().upper()
    if key in COUNTRY_REGIONS:
        return COUNTRY_REGIONS[key]
    if len(key) == 2 and key.isalpha():
        return key
    return None


def normalise_phone(raw: str, region: str | None = None, use_type: str | None = None) -> Phone:
    """Parse ``raw`` in ``region`` (numbers with ``+`` need none); valid
    numbers come back in E.164, others raw with ``phone_invalid`` and why."""
    import phonenumbers

    typed = (raw or "").strip()
    if not typed:
        return Phone(typed, None, use_type, True, "empty")
    try:
        parsed = phonenumbers.parse(typed, region.upper() if region else None)
    except phonenumbers.NumberParseException as err:
        reason = f"not a phone number: {err}"
        if not region and not typed.startswith("+"):
            reason = "no country to read a number without '+' in"
        return Phone(typed, None, use_type, True, reason)
    if not phonenumbers.is_possible_number(parsed):
        return Phone(typed, None, use_type, True, "wrong length for its country")
    if not phonenumbers.is_valid_number(parsed):
        return Phone(
            typed, None, use_type, True, f"not a valid number in {region or 'its country'}"
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(typed, e164, use_type)
