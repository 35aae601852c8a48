"""The model client against a real local chat-completions server: a good
answer is used, every failure falls back to the rules with the right status."""

from __future__ import annotations

import json
from datetime import date

import pytest
import reply_corpus as rc
from fake_llm import FakeLlm
from vendor_engine.llm import (
    LlmClient,
    compose_message,
    draft_message,
    extract_with_llm,
    read_reply,
    validate_facts,
)
from vendor_engine.templates import PoContext, PoLine, draft_follow_up, draft_po_cover

REPLY = rc.load("02_confirmation_with_eta.eml")
GOOD = {
    "confirmed": True,
    "declined": None,
    "eta": "2026-03-12",
    "eta_sentence": "Expected delivery to your warehouse: March 12, 2026.",
    "ship_date": None,
    "ship_date_sentence": None,
    "backorder": False,
    "backorder_sentence": None,
    "partial_lines": [],
    "price_changes": [],
    "tracking": [],
    "ambiguities": [],
    "language": "en",
}
CONTEXT = PoContext(
    po_name="P00042",
    vendor_name="Northwind Supply",
    company_name="Retailer Inc.",
    buyer_name="Anna Novak",
    buyer_email="purchasing@retailer.example",
    buyer_phone="+13125550147",
    order_date=date(2026, 3, 2),
    requested_date=date(2026, 3, 9),
    eta=date(2026, 3, 12),
    lines=[
        PoLine("Trail tee white M", 120, "Units", 8.5, "TEE-100-WH"),
        PoLine("Beanie black", 40, "Units", 4.25),
    ],
)


@pytest.fixture
def server():
    fake = FakeLlm()
    yield fake
    fake.stop()


def client_for(server: FakeLlm, timeout: float = 5.0) -> LlmClient:
    return LlmClient(server.base_url, "gpt-test", api_key="sk-test", timeout=timeout)


def read(client):
    return read_reply(
        REPLY.text,
        received_at=REPLY.received_at,
        order_date=date(2026, 3, 2),
        po_name="P00042",
        client=client,
    )


def test_good_answer_is_used_and_the_request_follows_the_protocol(server):
    server.content = json.dumps(GOOD)
    facts, source, trace = read(client_for(server))
    assert source == "llm" and trace.status == "ok" and trace.error is None
    assert facts.eta == date(2026, 3, 12) and facts.confirmed is True
    assert facts.eta_sentence == GOOD["eta_sentence"]
    [request] = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "gpt-test" and body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Reply received on: 2026-03-04" in body["messages"][1]["content"]
    assert "Original Message" not in body["messages"][1]["content"]  # quotes stripped
    assert trace.prompt == body["messages"] and trace.raw_answer == server.content
    assert trace.to_dict()["model"] == "gpt-test"


@pytest.mark.parametrize(
    ("mode", "status", "error"),
    [
        ("malformed", "invalid_json", "not JSON"),
        ("schema", "schema_error", "eta: 'next week' is not a YYYY-MM-DD date"),
        ("error", "http_error", "HTTP 500"),
    ],
)
def test_failures_fall_back_to_rules(server, mode, status, error):
    server.mode = mode
    facts, source, trace = read(client_for(server))
    assert source == "rules"
    assert (trace.status, error in trace.error) == (status, True)
    assert facts.eta == date(2026, 3, 12)  # the rules' reading


def test_slow_answer_times_out_and_falls_back(server):
    server.mode, server.delay = "slow", 1.5
    facts, source, trace = read(client_for(server, timeout=0.3))
    assert (source, trace.status) == ("rules", "timeout")
    assert 250 <= trace.latency_ms < 1500
    assert facts.confirmed is True


def test_server_down_is_an_http_error(server):
    client = client_for(server)
    server.stop()
    facts, source, trace = read(client)
    assert (source, trace.status) == ("rules", "http_error")
    assert facts.eta == date(2026, 3, 12)
    server.stop = lambda: None  # already stopped for the fixture


def test_not_configured_uses_rules_without_a_call():
    facts, source, trace = read(None)
    assert (source, trace) == ("rules", None)
    disabled = LlmClient("", "")
    assert read(disabled)[1:] == ("rules", None)
    assert extract_with_llm("x", received_at=date(2026, 3, 4), client=disabled)[1].status == (
        "disabled"
    )


def test_a_body_that_is_not_a_chat_completion_is_invalid(server):
    server.mode = "not_completion"
    _, trace = extract_with_llm(
        REPLY.text, received_at=REPLY.received_at, client=client_for(server)
    )
    assert trace.status == "invalid_json" and "not a chat completion" in trace.error


# --- strict validation --------------------------------------------------------------

TEXT = "Shipped today with UPS 1Z999AA10123456784. Price of A-1 is now $9.20."


def answer(**changes):
    data = dict(GOOD, eta=None, eta_sentence=None, confirmed=None)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"eta": "2026-03-12"}, "eta_sentence: a sentence is required"),
        ({"eta": "12/03/2026"}, "not a YYYY-MM-DD date"),
        ({"eta": "2026-02-30"}, "not a valid date"),
        ({"eta": "2031-01-01", "eta_sentence": "x"}, "implausibly far"),
        ({"eta": "2026-03-12", "eta_sentence": "We deliver Friday."}, "not a sentence of the"),
        ({"confirmed": "yes"}, "confirmed: expected bool/null"),
        ({"extra": 1}, "unexpected ['extra']"),
        ({"partial_lines": [{"product_hint": "A-1", "quantity": -1, "sentence": TEXT}]}, ">= 0"),
        (
            {"partial_lines": [{"product_hint": "A-1", "quantity": True, "sentence": TEXT}]},
            "boolean",
        ),
        ({"partial_lines": [{"quantity": 1, "sentence": TEXT}]}, "keys must be"),
        (
            {
                "price_changes": [
                    {
                        "product_hint": "A-1",
                        "new_price": 9.2,
                        "currency": "dollars",
                        "sentence": "Price of A-1 is now $9.20.",
                    }
                ]
            },
            "not an ISO 4217 code",
        ),
        (
            {
                "tracking": [
                    {
                        "carrier": "royalmail",
                        "number": "1Z999AA10123456784",
                        "sentence": "Shipped today with UPS 1Z999AA10123456784.",
                    }
                ]
            },
            "is not one of",
        ),
        (
            {
                "tracking": [
                    {
                        "carrier": "ups",
                        "number": "1Z999AA10123456799",
                        "sentence": "Shipped today with UPS 1Z999AA10123456784.",
                    }
                ]
            },
            "does not occur in the reply",
        ),
        ({"confirmed": True, "declined": True}, "both true"),
        ({"language": "English"}, "ISO 639-1"),
        ({"ambiguities": [""]}, "non-empty string"),
    ],
)
def test_schema_violations_are_rejected_with_the_reason(changes, reason):
    from vendor_engine.llm import FactsSchemaError

    with pytest.raises(FactsSchemaError) as err:
        validate_facts(answer(**changes), text=TEXT, received_at=date(2026, 3, 4))
    assert reason in str(err.value)


def test_a_full_valid_answer_becomes_reply_facts():
    facts = validate_facts(
        answer(
            ship_date="2026-03-04",
            ship_date_sentence="Shipped today with UPS 1Z999AA10123456784.",
            tracking=[
                {
                    "carrier": "UPS",
                    "number": "1Z999AA10123456784",
                    "sentence": "Shipped today with UPS 1Z999AA10123456784.",
                }
            ],
            price_changes=[
                {
                    "product_hint": "A-1",
                    "new_price": 9.2,
                    "currency": "USD",
                    "sentence": "Price of A-1 is now $9.20.",
                }
            ],
        ),
        text=TEXT,
        received_at=date(2026, 3, 4),
    )
    assert facts.ship_date == date(2026, 3, 4)
    assert [(t.carrier, t.number) for t in facts.tracking] == [("ups", "1Z999AA10123456784")]
    assert facts.price_changes[0].new_price == 9.2


# --- drafting ------------------------------------------------------------------------


def test_po_cover_template_lists_items_prices_date_and_contact():
    text = draft_po_cover(CONTEXT)
    for fragment in (
        "P00042",
        "- Trail tee white M [TEE-100-WH]: 120 Units at 8.50 USD",
        "- Beanie black: 40 Units at 4.25 USD",
        "Total at the agreed prices: 1,190.00 USD",
        "Requested delivery date: Monday 09 March 2026",
        "Anna Novak\nRetailer Inc.\npurchasing@retailer.example\n+13125550147",
    ):
        assert fragment in text


@pytest.mark.parametrize("kind", ["confirmation", "eta", "shipping"])
def test_follow_ups_get_firmer(kind):
    first, second, third = (draft_follow_up(kind, CONTEXT, n) for n in (1, 2, 3))
    assert all("P00042" in t for t in (first, second, third))
    assert "friendly reminder" in first and "not yet heard" in second
    assert "call us" in third and third != second
    with pytest.raises(ValueError):
        draft_follow_up("invoice", CONTEXT, 1)


def test_draft_from_the_model_is_used_when_valid(server):
    server.content = "Dear Northwind,\n\nCould you confirm P00042 and its date?\n\nAnna"
    text, source, trace = compose_message("follow_up_confirmation", CONTEXT, client_for(server))
    assert (text, source, trace.status) == (server.content, "llm", "ok")
    body = server.requests[0]["body"]
    assert "response_format" not in body
    assert "P00042" in body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("   ", "empty"),
        ("Dear vendor, please confirm our order.", "does not mention P00042"),
        ("P00042 " + "x" * 5000, "characters long"),
        ("Dear [Vendor Name], please confirm P00042.", "placeholders"),
    ],
)
def test_unusable_drafts_fall_back_to_templates(server, content, reason):
    server.content = content
    text, source, trace = compose_message("po_cover", CONTEXT, client_for(server))
    assert source == "template" and text == draft_po_cover(CONTEXT)
    assert trace.status == "schema_error" and reason in trace.error


def test_draft_when_model_fails_or_is_absent(server):
    server.mode = "error"
    text, source, trace = compose_message("follow_up_eta", CONTEXT, client_for(server), attempt=2)
    assert (source, trace.status) == ("template", "http_error")
    assert text == draft_follow_up("eta", CONTEXT, 2)
    assert compose_message("follow_up_shipping", CONTEXT)[1:] == ("template", None)
    with pytest.raises(ValueError):
        draft_message("poem", CONTEXT, client_for(server))
