"""An optional OpenAI-compatible chat model: reading replies, drafting messages.

The model is never trusted: ``POST {base_url}/chat/completions`` with
``response_format: {"type": "json_object"}`` and temperature 0, then the
answer is validated strictly (:func:`validate_facts`): exact keys, types, ISO
dates within a plausible window, quantities and prices >= 0, ISO 4217
currency codes, carriers from :data:`~vendor_engine.tracking_numbers.CARRIERS`,
and every quoted sentence and tracking number must occur in the reply. Any
failure gives ``None`` and a :class:`LlmTrace` saying why; :func:`read_reply`
then falls back to the rules and reports ``source="rules"``. Every call, good
or bad, leaves a trace (prompt, raw answer, status, error, latency) for the
audit trail.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import requests

from .extract import PartialLine, PriceChange, ReplyFacts, extract_reply
from .templates import PoContext, draft_follow_up, draft_po_cover
from .text import reply_text
from .tracking_numbers import CARRIERS, TrackingRef

STATUSES = ("ok", "invalid_json", "schema_error", "http_error", "timeout", "disabled")
MESSAGE_KINDS = ("po_cover", "follow_up_confirmation", "follow_up_eta", "follow_up_shipping")
MAX_MESSAGE_CHARS = 4000
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class LlmClient:
    """Where and how to reach the model. An empty base URL or model disables it."""

    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 20.0
    session: requests.Session | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

    def complete(self, messages: list[dict], *, json_mode: bool) -> str:
        """The assistant's content; raises requests errors or ``LlmAnswerError``."""
        payload: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if json_mode:
            payload["response_format"] = {"type": "json_object"}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        http = self.session or requests
        response = http.post(
            f"{self.base_url.rstrip('/')}/chat/completions",
            json=payload,
            headers=headers,
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise LlmHttpError(f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise LlmAnswerError(f"not a chat completion: {response.text[:300]}") from err
        if not isinstance(content, str):
            raise LlmAnswerError("the message content is not text")
        return content


class LlmHttpError(RuntimeError):
    """The endpoint answered with an error status."""


class LlmAnswerError(ValueError):
    """The endpoint answered, but not with a usable chat completion."""


@dataclass
class LlmTrace:
    """One model call, for the audit trail."""

    purpose: str  # "extract" or a message kind
    prompt: list[dict] = field(default_factory=list)
    raw_answer: str | None = None
    status: str = "disabled"  # one of STATUSES
    error: str | None = None
    latency_ms: int = 0
    model: str | None = None

    def to_dict(self) -> dict:
        return {
            "purpose": self.purpose,
            "model": self.model,
            "prompt": self.prompt,
            "raw_answer": self.raw_answer,
            "status": self.status,
            "error": self.error,
            "latency_ms": self.latency_ms,
        }


def _call(client: LlmClient | None, purpose: str, messages: list[dict], json_mode: bool):
    trace = LlmTrace(purpose, prompt=messages, model=client.model if client else None)
    if client is None or not client.enabled:
        trace.error = "no model is configured"
        return None, trace
    started = time.monotonic()
    try:
        trace.raw_answer = client.complete(messages, json_mode=json_mode)
        trace.status = "ok"
    except requests.Timeout as err:
        trace.status, trace.error = "timeout", f"no answer within {client.timeout}s: {err}"
    except (requests.RequestException, LlmHttpError) as err:
        trace.status, trace.error = "http_error", str(err)
    except LlmAnswerError as err:
        trace.status, trace.error = "invalid_json", str(err)
    trace.latency_ms = int((time.monotonic() - started) * 1000)
    return trace.raw_answer if trace.status == "ok" else None, trace


# --- reading a reply -------------------------------------------------------------

FACT_KEYS = {
    "confirmed": "true, false or null (not stated)",
    "declined": "true, false or null",
    "eta": "delivery date YYYY-MM-DD or null",
    "eta_sentence": "the exact sentence of the reply giving the ETA, or null",
    "ship_date": "YYYY-MM-DD or null",
    "ship_date_sentence": "exact sentence or null",
    "backorder": "true or false",
    "backorder_sentence": "exact sentence or null",
    "partial_lines": "list of {product_hint, quantity (>= 0, delivered now), sentence}",
    "price_changes": "list of {product_hint, new_price (>= 0), currency (ISO 4217), sentence}",
    "tracking": f"list of {{carrier (one of {', '.join(CARRIERS)}), number, sentence}}",
    "ambiguities": "list of short strings: anything unclear (conflicting or vague dates...)",
    "language": "en, fr, de, es or another ISO 639-1 code",
}

SYSTEM_PROMPT = (
    "You read a supplier's e-mail reply to a purchase order and return only a JSON "
    "object with exactly these keys:\n"
    + "\n".join(f"- {key}: {meaning}" for key, meaning in FACT_KEYS.items())
    + "\nResolve relative dates against the date the reply was received. Never guess: "
    "when a date is vague or two dates conflict, leave it null and add an ambiguity. "
    "Sentences must be copied verbatim from the reply."
)


class FactsSchemaError(ValueError):
    """The model's JSON does not match the ReplyFacts schema."""


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _type(value: Any, kinds: tuple, where: str) -> Any:
    # bool is an int in Python: refuse it where a number is expected
    if isinstance(value, bool) and bool not in kinds:
        raise FactsSchemaError(f"{where}: expected {kinds}, got a boolean")
    if not isinstance(value, kinds):
        names = "/".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise FactsSchemaError(f"{where}: expected {names}, got {type(value).__name__}")
    return value


def _sentence(value: Any, where: str, text: str, required: bool) -> str | None:
    if value is None:
        if required:
            raise FactsSchemaError(f"{where}: a sentence is required")
        return None
    _type(value, (str,), where)
    if not value.strip() or _norm(value) not in _norm(text):
        raise FactsSchemaError(f"{where}: {value!r} is not a sentence of the reply")
    return " ".join(value.split())


def _date(value: Any, where: str, received_at: date, order_date: date | None) -> date | None:
    if value is None:
        return None
    _type(value, (str,), where)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise FactsSchemaError(f"{where}: {value!r} is not a YYYY-MM-DD date")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as err:
        raise FactsSchemaError(f"{where}: {value!r} is not a valid date") from err
    earliest = min(order_date or received_at, received_at) - timedelta(days=30)
    if not earliest <= parsed <= received_at + timedelta(days=400):
        raise FactsSchemaError(f"{where}: {value} is implausibly far from {received_at}")
    return parsed


def _amount(value: Any, where: str, required: bool = True) -> float | None:
    if value is None and not required:
        return None
    _type(value, (int, float), where)
    if value < 0 or math.isnan(value):
        raise FactsSchemaError(f"{where}: {value} must be >= 0")
    return float(value)


def _items(data: dict, key: str, fields: set[str]) -> list[dict]:
    items = _type(data[key], (list,), key)
    for index, item in enumerate(items):
        _type(item, (dict,), f"{key}[{index}]")
        if set(item) != fields:
            raise FactsSchemaError(f"{key}[{index}]: keys must be {sorted(fields)}")
    return items


def validate_facts(
    data: Any, *, text: str, received_at: date, order_date: date | None = None
) -> ReplyFacts:
    """Strictly turn the model's JSON into :class:`ReplyFacts`, or raise
    :class:`FactsSchemaError` with the first reason it is unusable."""
    _type(data, (dict,), "answer")
    missing, extra = set(FACT_KEYS) - set(data), set(data) - set(FACT_KEYS)
    if missing or extra:
        raise FactsSchemaError(f"keys: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for key in ("confirmed", "declined"):
        _type(data[key], (bool, type(None)), key)
    _type(data["backorder"], (bool,), "backorder")
    language = _type(data["language"], (str,), "language")
    if not re.fullmatch(r"[a-z]{2}", language):
        raise FactsSchemaError(f"language: {language!r} is not an ISO 639-1 code")
    facts = ReplyFacts(confirmed=data["confirmed"], declined=data["declined"], language=language)
    facts.eta = _date(data["eta"], "eta", received_at, order_date)
    facts.eta_sentence = _sentence(data["eta_sentence"], "eta_sentence", text, bool(facts.eta))
    facts.ship_date = _date(data["ship_date"], "ship_date", received_at, order_date)
    facts.ship_date_sentence = _sentence(
        data["ship_date_sentence"], "ship_date_sentence", text, bool(facts.ship_date)
    )
    facts.backorder = data["backorder"]
    facts.backorder_sentence = _sentence(
        data["backorder_sentence"], "backorder_sentence", text, facts.backorder
    )
    for i, item in enumerate(
        _items(data, "partial_lines", {"product_hint", "quantity", "sentence"})
    ):
        where = f"partial_lines[{i}]"
        facts.partial_lines.append(
            PartialLine(
                _type(item["product_hint"], (str, type(None)), f"{where}.product_hint"),
                _amount(item["quantity"], f"{where}.quantity"),
                _sentence(item["sentence"], f"{where}.sentence", text, True),
            )
        )
    fields = {"product_hint", "new_price", "currency", "sentence"}
    for i, item in enumerate(_items(data, "price_changes", fields)):
        where = f"price_changes[{i}]"
        currency = _type(item["currency"], (str,), f"{where}.currency")
        if not _CURRENCY.fullmatch(currency):
            raise FactsSchemaError(f"{where}.currency: {currency!r} is not an ISO 4217 code")
        facts.price_changes.append(
            PriceChange(
                _type(item["product_hint"], (str, type(None)), f"{where}.product_hint"),
                _amount(item["new_price"], f"{where}.new_price"),
                currency,
                _sentence(item["sentence"], f"{where}.sentence", text, True),
            )
        )
    compact = re.sub(r"\s", "", text).upper()
    for i, item in enumerate(_items(data, "tracking", {"carrier", "number", "sentence"})):
        where = f"tracking[{i}]"
        carrier = _type(item["carrier"], (str,), f"{where}.carrier").lower()
        if carrier not in CARRIERS:
            raise FactsSchemaError(f"{where}.carrier: {carrier!r} is not one of {CARRIERS}")
        number = re.sub(r"\s", "", _type(item["number"], (str,), f"{where}.number")).upper()
        if not re.fullmatch(r"[A-Z0-9]{8,40}", number) or number not in compact:
            raise FactsSchemaError(f"{where}.number: {number!r} does not occur in the reply")
        sentence = _sentence(item["sentence"], f"{where}.sentence", text, True)
        facts.tracking.append(TrackingRef(carrier, number, sentence))
    for i, note in enumerate(_type(data["ambiguities"], (list,), "ambiguities")):
        if not isinstance(note, str) or not note.strip():
            raise FactsSchemaError(f"ambiguities[{i}]: expected a non-empty string")
        facts.ambiguities.append(note.strip())
    if facts.confirmed and facts.declined:
        raise FactsSchemaError("confirmed and declined are both true")
    return facts


def extract_with_llm(
    text: str,
    *,
    received_at: date,
    order_date: date | None = None,
    po_name: str | None = None,
    client: LlmClient | None,
) -> tuple[ReplyFacts | None, LlmTrace]:
    """The model's reading of a reply, validated; ``None`` with the reason in the trace."""
    body = reply_text(text)
    context = f"Purchase order: {po_name}\n" if po_name else ""
    context += f"Order date: {order_date.isoformat()}\n" if order_date else ""
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": f"{context}Reply received on: {received_at.isoformat()}\n\n{body}",
        },
    ]
    raw, trace = _call(client, "extract", messages, json_mode=True)
    if raw is None:
        return None, trace
    try:
        data = json.loads(raw)
    except ValueError as err:
        trace.status, trace.error = "invalid_json", f"not JSON: {err}"
        return None, trace
    try:
        facts = validate_facts(data, text=body, received_at=received_at, order_date=order_date)
    except FactsSchemaError as err:
        trace.status, trace.error = "schema_error", str(err)
        return None, trace
    return facts, trace


def read_reply(
    text: str,
    *,
    received_at: date,
    order_date: date | None = None,
    currency: str = "USD",
    locale_hint: str | None = None,
    po_name: str | None = None,
    client: LlmClient | None = None,
) -> tuple[ReplyFacts, str, LlmTrace | None]:
    """``(facts, source, trace)``: the model's facts when it is configured and
    its answer validates (``source="llm"``), else the rules' (``"rules"``).
    ``trace`` is None only when no model is configured."""
    trace = None
    if client is not None and client.enabled:
        facts, trace = extract_with_llm(
            text, received_at=received_at, order_date=order_date, po_name=po_name, client=client
        )
        if facts is not None:
            return facts, "llm", trace
    facts = extract_reply(
        text,
        received_at=received_at,
        order_date=order_date,
        currency=currency,
        locale_hint=locale_hint,
    )
    return facts, "rules", trace


# --- drafting messages -----------------------------------------------------------


def _context_text(context: PoContext) -> str:
    lines = "\n".join(
        f"- {line.product}: {line.quantity:g} {line.uom}"
        + (f" at {line.price_unit:.2f} {context.currency}" if line.price_unit is not None else "")
        for line in context.lines
    )
    facts = {
        "PO reference": context.po_name,
        "Vendor": context.vendor_name,
        "Buyer": f"{context.buyer_name}, {context.company_name}",
        "Buyer e-mail": context.buyer_email,
        "Buyer phone": context.buyer_phone,
        "Order date": context.order_date and context.order_date.isoformat(),
        "Requested delivery date": context.requested_date and context.requested_date.isoformat(),
        "Last ETA given by the vendor": context.eta and context.eta.isoformat(),
    }
    known = "\n".join(f"{k}: {v}" for k, v in facts.items() if v)
    return f"{known}\nLines:\n{lines}" if lines else known


_INSTRUCTIONS = {
    "po_cover": "Write the short cover e-mail sent with this purchase order: list the "
    "items, quantities and agreed prices, the requested delivery date, and ask the vendor "
    "to confirm by replying.",
    "follow_up_confirmation": "Write a polite follow-up asking the vendor to confirm this "
    "purchase order and its delivery date.",
    "follow_up_eta": "Write a polite follow-up asking the vendor for the delivery date of "
    "this purchase order.",
    "follow_up_shipping": "Write a polite follow-up asking the vendor for the shipping date "
    "and tracking number of this purchase order.",
}


def draft_message(
    kind: str, context: PoContext, client: LlmClient | None, attempt: int = 1
) -> tuple[str | None, LlmTrace]:
    """The model's draft, plain text, or ``None`` when it is unusable: empty,
    longer than :data:`MAX_MESSAGE_CHARS`, or not naming the PO reference."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown message kind {kind!r}, expected one of {MESSAGE_KINDS}")
    messages = [
        {
            "role": "system",
            "content": "You write concise, polite business e-mails from a retailer's buyer "
            "to a supplier. Plain text only, no subject line, no placeholders, at most "
            "200 words. Always quote the PO reference exactly.",
        },
        {
            "role": "user",
            "content": f"{_INSTRUCTIONS[kind]} This is reminder number {attempt}."
            if kind != "po_cover"
            else _INSTRUCTIONS[kind],
        },
        {"role": "user", "content": _context_text(context)},
    ]
    raw, trace = _call(client, kind, messages, json_mode=False)
    if raw is None:
        return None, trace
    text = raw.strip()
    problem = None
    if not text:
        problem = "the draft is empty"
    elif len(text) > MAX_MESSAGE_CHARS:
        problem = f"the draft is {len(text)} characters long (at most {MAX_MESSAGE_CHARS})"
    elif context.po_name not in text:
        problem = f"the draft does not mention {context.po_name}"
    elif re.search(r"\[[A-Z][A-Za-z ]+\]|\{\{?\w+\}?\}", text):
        problem = "the draft contains unfilled placeholders"
    if problem:
        trace.status, trace.error = "schema_error", problem
        return None, trace
    return text, trace


def compose_message(
    kind: str, context: PoContext, client: LlmClient | None = None, attempt: int = 1
) -> tuple[str, str, LlmTrace | None]:
    """``(text, source, trace)``: the model's draft when usable (``"llm"``),
    else the deterministic template (``"template"``)."""
    trace = None
    if client is not None and client.enabled:
        text, trace = draft_message(kind, context, client, attempt)
        if text is not None:
            return text, "llm", trace
    if kind == "po_cover":
        return draft_po_cover(context), "template", trace
    follow_up = kind.removeprefix("follow_up_")
    return draft_follow_up(follow_up, context, attempt), "template", trace
