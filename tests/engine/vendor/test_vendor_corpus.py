"""Every reply of the corpus against ``replies/expected.json``."""

from __future__ import annotations

import email
import html
from email import policy

import pytest
import reply_corpus as rc
from vendor_engine.extract import extract_reply

EXPECTED = rc.expected()


def _facts(reply: rc.Reply, body: str):
    return extract_reply(body, received_at=reply.received_at)


def _comparable(facts) -> dict:
    return {
        "confirmed": facts.confirmed,
        "declined": facts.declined,
        "eta": facts.eta and facts.eta.isoformat(),
        "eta_sentence": facts.eta_sentence,
        "eta_approximate": facts.eta_approximate,
        "ship_date": facts.ship_date and facts.ship_date.isoformat(),
        "ship_date_sentence": facts.ship_date_sentence,
        "backorder": facts.backorder,
        "backorder_eta": facts.backorder_eta and facts.backorder_eta.isoformat(),
        "partial_lines": [
            {
                "product_hint": p.product_hint,
                "quantity": p.quantity,
                "ordered_quantity": p.ordered_quantity,
                "backorder_quantity": p.backorder_quantity,
            }
            for p in facts.partial_lines
        ],
        "price_changes": [
            {
                "product_hint": p.product_hint,
                "new_price": p.new_price,
                "old_price": p.old_price,
                "currency": p.currency,
            }
            for p in facts.price_changes
        ],
        "tracking": [{"carrier": t.carrier, "number": t.number} for t in facts.tracking],
        "language": facts.language,
        "auto_reply": facts.auto_reply,
        "nothing_useful": facts.nothing_useful,
    }


def test_corpus_covers_every_file_and_enough_cases():
    assert sorted(EXPECTED) == rc.names()
    assert len(EXPECTED) >= 12


@pytest.mark.parametrize("name", rc.names())
def test_reply_is_a_real_rfc5322_message(name):
    message = rc.load(name).message
    for header in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References"):
        assert message[header], f"{name} lacks {header}"
    assert message["In-Reply-To"] == rc.THREAD_MESSAGE_ID
    assert rc.PO_NAME in message["Subject"]
    assert message["Message-ID"].startswith("<") and "@" in message["Message-ID"]
    assert "{" not in rc.raw_message(name).decode()  # every placeholder filled
    assert rc.load(name).received_at.isoformat() == EXPECTED[name]["received_at"]


def test_message_ids_are_unique():
    ids = [rc.load(name).message["Message-ID"] for name in rc.names()]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", rc.names())
def test_reply_facts_match_expected(name):
    reply = rc.load(name)
    facts = _facts(reply, reply.text)
    expected = dict(EXPECTED[name])
    wanted_ambiguities = expected.pop("ambiguities")
    expected.pop("received_at")
    assert _comparable(facts) == expected
    if wanted_ambiguities:
        notes = " | ".join(facts.ambiguities)
        for fragment in wanted_ambiguities:
            assert fragment in notes
    else:
        assert facts.ambiguities == []


MULTIPART = [n for n in rc.names() if rc.load(n).body("plain") and rc.load(n).body("html")]


def test_corpus_has_multipart_alternative_replies():
    assert len(MULTIPART) >= 2


@pytest.mark.parametrize("name", MULTIPART)
def test_html_part_reads_like_the_plain_part(name):
    reply = rc.load(name)
    html = reply.body("html")
    assert _comparable(_facts(reply, html)) == _comparable(_facts(reply, reply.body("plain")))


def test_quoted_older_date_is_ignored_in_html_only_reply():
    reply = rc.load("14_html_only_quoted.eml")
    assert reply.body("plain") is None
    facts = _facts(reply, reply.text)
    assert facts.eta.isoformat() == "2026-03-19"
    assert "March 10" not in (facts.eta_sentence or "")


def test_po_reference_substitution_is_used_in_facts():
    raw = rc.raw_message("09_french_eta.eml", po_name="PO/2026/0007")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert "PO/2026/0007" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nous confirmons votre commande PO/2026/0007." in body


def _like_odoo_plaintext2html(text: str) -> str:
    """Roughly what Odoo stores for a text/plain reply: escaped, paragraphs in
    ``<p>``, line breaks as ``<br/>``."""
    escaped = html.escape(text)
    paragraphs = [p for p in escaped.split("\n\n") if p.strip()]
    return "<div>" + "".join(f"<p>{p.replace(chr(10), '<br/>')}</p>" for p in paragraphs) + "</div>"


@pytest.mark.parametrize("name", [n for n in rc.names() if rc.load(n).body("plain")])
def test_plain_reply_stored_as_html_by_odoo_reads_the_same(name):
    reply = rc.load(name)
    plain = reply.body("plain")
    as_html = _like_odoo_plaintext2html(plain)
    assert _comparable(_facts(reply, as_html)) == _comparable(_facts(reply, plain))


@pytest.mark.parametrize("name", [n for n in rc.names() if rc.load(n).body("plain")])
def test_plain_reply_stored_in_pre_by_odoo_reads_the_same(name):
    """Odoo 18's mail gateway keeps a text/plain body as ``<pre>escaped text</pre>``."""
    reply = rc.load(name)
    plain = reply.body("plain")
    as_pre = f"<pre>{html.escape(plain)}</pre>"
    assert _comparable(_facts(reply, as_pre)) == _comparable(_facts(reply, plain))
