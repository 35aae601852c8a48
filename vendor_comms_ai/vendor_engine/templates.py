"""Deterministic messages to vendors: the PO cover note and follow-ups.

Used when no language model is configured, or when it fails or answers
something unusable. Plain text in English; the Odoo layer wraps it in its
mail layout. Follow-ups get firmer with each attempt (1: a reminder, 2: a
firm request, 3 and later: the last before the buyer calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

FOLLOW_UP_KINDS = ("confirmation", "eta", "shipping")


@dataclass(frozen=True)
class PoLine:
    """One PO line as the vendor should read it."""

    product: str
    quantity: float
    uom: str = "Units"
    price_unit: float | None = None
    vendor_code: str | None = None  # the vendor's own product code, when known


@dataclass(frozen=True)
class PoContext:
    """What a message about one PO needs to say."""

    po_name: str
    vendor_name: str
    company_name: str
    buyer_name: str
    buyer_email: str | None = None
    buyer_phone: str | None = None  # E.164, see vendor_engine.phone
    currency: str = "USD"
    order_date: date | None = None
    requested_date: date | None = None  # the date the goods are expected
    eta: date | None = None  # the last ETA the vendor gave
    lines: list[PoLine] = field(default_factory=list)


def _qty(value: float) -> str:
    return f"{value:g}"


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _day(value: date | None) -> str:
    return value.strftime("%A %d %B %Y") if value else "as soon as possible"


def _line(line: PoLine, currency: str) -> str:
    code = f" [{line.vendor_code}]" if line.vendor_code else ""
    price = f" at {_money(line.price_unit, currency)}" if line.price_unit is not None else ""
    return f"- {line.product}{code}: {_qty(line.quantity)} {line.uom}{price}"


def _contact(context: PoContext) -> str:
    parts = [context.buyer_name, context.company_name]
    parts += [v for v in (context.buyer_email, context.buyer_phone) if v]
    return "\n".join(parts)


def draft_po_cover(context: PoContext) -> str:
    """The cover message sent with a purchase order."""
    total = sum(
        line.quantity * line.price_unit for line in context.lines if line.price_unit is not None
    )
    lines = "\n".join(_line(line, context.currency) for line in context.lines) or "- (see PDF)"
    priced = any(line.price_unit is not None for line in context.lines)
    total_text = (
        f"\nTotal at the agreed prices: {_money(total, context.currency)}\n" if priced else ""
    )
    return (
        f"Dear {context.vendor_name},\n\n"
        f"Please find our purchase order {context.po_name} attached.\n\n"
        f"{lines}\n{total_text}\n"
        f"Requested delivery date: {_day(context.requested_date)}.\n\n"
        f"Please reply to this e-mail to confirm the order, the delivery date and any "
        f"change in quantities or prices, quoting {context.po_name}.\n\n"
        f"Kind regards,\n{_contact(context)}\n"
    )


_ASKS = {
    "confirmation": "confirm purchase order {po} and its delivery date",
    "eta": "tell us when purchase order {po} will be delivered",
    "shipping": "send the shipping date and tracking number for purchase order {po}",
}
_OPENINGS = {
    1: "This is a friendly reminder about our purchase order {po}.",
    2: "We have not yet heard back about our purchase order {po}.",
}
_LAST = (
    "We still have no answer about our purchase order {po}, and it now affects our stock planning."
)


def draft_follow_up(kind: str, context: PoContext, attempt: int) -> str:
    """A follow-up asking for a confirmation, an ETA or shipping details."""
    if kind not in FOLLOW_UP_KINDS:
        raise ValueError(f"unknown follow-up kind {kind!r}, expected one of {FOLLOW_UP_KINDS}")
    attempt = max(1, int(attempt))
    po = context.po_name
    opening = _OPENINGS.get(attempt, _LAST).format(po=po)
    ask = _ASKS[kind].format(po=po)
    reference = ""
    if kind == "confirmation" and context.order_date:
        reference = f" It was sent on {_day(context.order_date)}."
    elif context.requested_date:
        reference = f" We expected the goods by {_day(context.requested_date)}."
    if kind == "shipping" and context.eta:
        reference += f" Your last estimate was {_day(context.eta)}."
    urgency = "" if attempt == 1 else " today" if attempt == 2 else " by return, or call us"
    return (
        f"Dear {context.vendor_name},\n\n{opening}{reference}\n\n"
        f"Could you please {ask}{urgency}? A reply to this e-mail is enough.\n\n"
        f"Kind regards,\n{_contact(context)}\n"
    )
