"""The vendor reply corpus in ``replies/``: RFC 5322 messages with the
``{po_name}`` and ``{thread_message_id}`` placeholders filled in, and their
expected facts (``replies/expected.json``)."""

from __future__ import annotations

import email
import json
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

REPLIES = Path(__file__).resolve().parent / "replies"
PO_NAME = "P00042"
THREAD_MESSAGE_ID = "<1741000000.123456789.42-purchase.order-42@retailer.example>"


@dataclass(frozen=True)
class Reply:
    name: str
    message: EmailMessage

    @property
    def received_at(self) -> date:
        return parsedate_to_datetime(self.message["Date"]).date()

    def body(self, subtype: str = "plain") -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else None

    @property
    def text(self) -> str:
        """The body a mail client would show: text/plain, else the HTML."""
        return self.body("plain") or self.body("html")


def raw_message(name: str, po_name: str = PO_NAME, thread_id: str = THREAD_MESSAGE_ID) -> bytes:
    text = (REPLIES / name).read_text(encoding="utf-8")
    text = text.replace("{po_name}", po_name).replace("{thread_message_id}", thread_id)
    return text.encode("utf-8")


def load(name: str) -> Reply:
    return Reply(name, email.message_from_bytes(raw_message(name), policy=policy.default))


def names() -> list[str]:
    return sorted(p.name for p in REPLIES.glob("*.eml"))


def expected() -> dict:
    return json.loads((REPLIES / "expected.json").read_text(encoding="utf-8"))
