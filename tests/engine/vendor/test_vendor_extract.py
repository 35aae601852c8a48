"""Rule-based extraction: dates, quotes, decisions, lines, prices, tracking."""

from __future__ import annotations

from datetime import date

import pytest
from vendor_engine.dates import day_first_for, find_dates
from vendor_engine.extract import detect_language, extract_reply
from vendor_engine.text import html_to_text, reply_text, sentences
from vendor_engine.tracking_numbers import (
    dhl_express_ok,
    fedex_express_ok,
    fedex_ground_ok,
    find_tracking_numbers,
    ups_ok,
    usps_s10_ok,
)

WED = date(2026, 3, 4)  # a Wednesday


def read(text: str, **kwargs):
    kwargs.setdefault("received_at", WED)
    return extract_reply(text, **kwargs)


# --- quotes, html, sentences -------------------------------------------------


@pytest.mark.parametrize(
    "opener",
    [
        "On Mon, Mar 2, 2026 at 9:14 AM Anna <a@x.example> wrote:",
        "-----Original Message-----",
        "Le lun. 2 mars 2026 à 09:14, Anna <a@x.example> a écrit :",
        "Am 02.03.2026 um 09:14 schrieb Anna <a@x.example>:",
        "El lun, 2 mar 2026 a las 9:14, Anna escribió:",
        "> Please deliver by March 10.",
        "From: Anna <a@x.example>\nSent: Monday, March 2, 2026\nTo: b@y.example",
        "De : Anna <a@x.example>\nEnvoyé : lundi 2 mars 2026\nÀ : b@y.example",
        "--\nMaria",
        "Sent from my iPhone",
    ],
)
def test_quoted_history_and_signature_are_cut(opener):
    text = f"We will deliver on March 12.\n\n{opener}\nDelivery expected March 10, 2026."
    assert reply_text(text) == "We will deliver on March 12."
    assert read(text).eta == date(2026, 3, 12)


def test_wrapped_quote_header_is_cut():
    text = "Confirmed.\n\nOn Mon, Mar 2, 2026 at 9:14 AM Anna Novak\n<a@x.example> wrote:\n> x"
    assert reply_text(text) == "Confirmed."


def test_html_to_text_drops_quotes_scripts_and_odoo_quotes():
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Delivery on&nbsp;March 12.</p>"
        "<div data-o-mail-quote='1'>Old: delivery on March 1</div>"
        "<blockquote><p>older <b>March 2</b></p></blockquote><div>Thanks</div></body></html>"
    )
    assert html_to_text(html).split() == "Delivery on March 12. Thanks".split()


def test_sentences_join_wrapped_lines_and_keep_ordinals():
    text = (
        "Hi Anna,\nThe goods for your order will be dispatched on Tuesday and should\n"
        "arrive on 13. März. Thanks. Order P00042. Approx. 3 days."
    )
    assert sentences(text) == [
        "Hi Anna,",
        "The goods for your order will be dispatched on Tuesday and should arrive on 13. März.",
        "Thanks.",
        "Order P00042.",
        "Approx. 3 days.",
    ]


# --- dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-12", date(2026, 3, 12)),
        ("March 12", date(2026, 3, 12)),
        ("Mar. 12th, 2026", date(2026, 3, 12)),
        ("12 March 2026", date(2026, 3, 12)),
        ("12 mars 2026", date(2026, 3, 12)),
        ("12. März", date(2026, 3, 12)),
        ("12 de marzo de 2026", date(2026, 3, 12)),
        ("12.03.2026", date(2026, 3, 12)),
        ("15/03/2026", date(2026, 3, 15)),
        ("03/15/2026", date(2026, 3, 15)),
        ("November 5", date(2026, 11, 5)),
        ("February 20", date(2026, 2, 20)),  # recently past stays this year
    ],
)
def test_absolute_dates(text, expected):
    [mention] = find_dates(f"Delivery {text}.", WED)
    assert mention.value == expected
    assert not mention.approximate


def test_date_without_year_rolls_into_next_year():
    [mention] = find_dates("Delivery January 5.", date(2026, 12, 20))
    assert mention.value == date(2027, 1, 5)


def test_invalid_dates_and_prices_are_not_dates():
    assert find_dates("Price 12.50 per unit, 31/02/2026, version 3.4", WED) == []


def test_ambiguous_day_month_order():
    [mention] = find_dates("ETA 03/04/2026", WED)
    assert mention.value is None and mention.problem == "day_month_order"
    assert set(mention.alternatives) == {date(2026, 3, 4), date(2026, 4, 3)}
    [us] = find_dates("ETA 03/04/2026", WED, day_first=False)
    [eu] = find_dates("ETA 03/04/2026", WED, day_first=True)
    assert (us.value, eu.value) == (date(2026, 3, 4), date(2026, 4, 3))


@pytest.mark.parametrize(
    ("hint", "language", "expected"),
    [
        ("en_US", "en", False),
        ("en-GB", "en", True),
        ("fr_FR", "en", True),
        ("US", "en", False),
        ("CA", "en", None),
        ("de", "en", True),
        (None, "fr", True),
        (None, "en", None),
    ],
)
def test_day_first_from_locale_then_language(hint, language, expected):
    assert day_first_for(hint, language) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 3, 5)),
        ("the day after tomorrow", date(2026, 3, 6)),
        ("today", date(2026, 3, 4)),
        ("in 3 days", date(2026, 3, 7)),
        ("within 5 business days", date(2026, 3, 11)),
        ("in two weeks", date(2026, 3, 18)),
        ("next Tuesday", date(2026, 3, 10)),
        ("on Wednesday", date(2026, 3, 11)),  # the same weekday: a week later
        ("end of next week", date(2026, 3, 13)),
        ("end of this week", date(2026, 3, 6)),
        ("end of the month", date(2026, 3, 31)),
        ("demain", date(2026, 3, 5)),
        ("dans 10 jours", date(2026, 3, 14)),
        ("übermorgen", date(2026, 3, 6)),
        ("in 2 Wochen", date(2026, 3, 18)),
        ("pasado mañana", date(2026, 3, 6)),
        ("el próximo viernes", date(2026, 3, 6)),
    ],
)
def test_relative_dates_resolve_against_received_at(text, expected):
    mentions = [m for m in find_dates(f"Delivery {text}.", WED) if m.value]
    assert [m.value for m in mentions] == [expected]
    assert mentions[0].approximate


def test_relative_eta_is_set_and_flagged_approximate():
    facts = read("Delivery will be end of next week.")
    assert facts.eta == date(2026, 3, 13) and facts.eta_approximate
    assert facts.ambiguities == []


@pytest.mark.parametrize(
    "text", ["Delivery next week.", "It will arrive soon.", "La livraison la semaine prochaine."]
)
def test_vague_eta_is_an_ambiguity(text):
    facts = read(text)
    assert facts.eta is None
    assert len(facts.ambiguities) == 1 and "vague" in facts.ambiguities[0]
    assert not facts.nothing_useful


def test_weekday_before_a_date_only_qualifies_it():
    facts = read("Delivery on Tuesday, March 17.")
    assert facts.eta == date(2026, 3, 17) and not facts.eta_approximate


def test_eta_in_the_past_is_an_ambiguity():
    facts = read("Delivery was planned on March 2.")
    assert facts.eta is None and "before the reply" in facts.ambiguities[0]


def test_dates_before_the_order_are_ignored():
    facts = read("Thanks for your order. Delivery February 20.", order_date=date(2026, 3, 1))
    assert facts.eta is None and facts.ambiguities == []


def test_ship_and_delivery_in_one_sentence_follow_the_nearest_keyword():
    facts = read("We ship on March 9 and the goods should arrive on March 12.")
    assert (facts.ship_date, facts.eta) == (date(2026, 3, 9), date(2026, 3, 12))
    facts = read("Expected to ship on March 9.")
    assert (facts.ship_date, facts.eta) == (date(2026, 3, 9), None)


def test_ship_date_after_eta_is_flagged():
    facts = read("Delivery on March 10. We ship on March 12.")
    assert any("after the delivery date" in a for a in facts.ambiguities)


def test_us_locale_settles_numeric_date():
    facts = read("ETA is 03/04/2026.", locale_hint="en_US")
    assert facts.eta == date(2026, 3, 4) and facts.ambiguities == []


# --- decisions, lines, prices ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "confirmed", "declined"),
    [
        ("We confirm your order.", True, None),
        ("Order confirmed, thanks!", True, None),
        ("Please confirm the delivery address.", None, None),
        ("We cannot confirm this order yet.", False, True),
        ("We regret to decline this order.", False, True),
        ("Nous ne pouvons pas honorer cette commande.", False, True),
        ("Leider können wir diese Bestellung nicht liefern.", False, True),
        ("No podemos atender su pedido.", False, True),
        ("The item is out of stock.", False, True),
        ("Wir bestätigen Ihre Bestellung.", True, None),
    ],
)
def test_confirmation_and_decline(text, confirmed, declined):
    facts = read(text)
    assert (facts.confirmed, facts.declined) == (confirmed, declined)


def test_line_decline_inside_a_confirmation_is_a_zero_quantity_line():
    facts = read("We confirm the order. Item AB-12 is discontinued.")
    assert facts.confirmed is True and facts.declined is None
    [line] = facts.partial_lines
    assert (line.product_hint, line.quantity) == ("AB-12", 0.0)


def test_confirm_and_decline_without_a_product_is_an_ambiguity():
    facts = read("We confirm the order. We are unable to fulfil it in March.")
    assert facts.confirmed is True
    assert "both confirms" in facts.ambiguities[0]


def test_out_of_stock_with_a_plan_is_not_a_decline():
    facts = read("SKU KX-1 is out of stock; it is on backorder until April 2.")
    assert facts.declined is None and facts.backorder
    assert facts.backorder_eta == date(2026, 4, 2)


def test_partial_quantities_in_other_languages():
    [line] = read("Nous livrons seulement 30 pièces de la réf. ZX-9.").partial_lines
    assert (line.product_hint, line.quantity) == ("ZX-9", 30.0)
    [line] = read("Wir liefern nur 12 Stück von Artikel KM-7, der Rest folgt.").partial_lines
    assert (line.product_hint, line.quantity) == ("KM-7", 12.0)


@pytest.mark.parametrize(
    ("text", "new", "old", "currency", "percent"),
    [
        ("The price of SKU A-1 goes from $8.50 to $9.20.", 9.20, 8.50, "USD", None),
        ("New price for A-1: 1.234,50 EUR.", 1234.50, None, "EUR", None),
        ("Le prix de A-1 passe à 12,40 €.", 12.40, None, "EUR", None),
        ("Price increase of 5% on A-1, now £10.50.", 10.50, None, "GBP", 5.0),
        ("Prices increase by 4% from April.", None, None, "CAD", 4.0),
    ],
)
def test_price_changes(text, new, old, currency, percent):
    [change] = read(text, currency="CAD").price_changes
    assert (change.new_price, change.old_price, change.currency, change.percent) == (
        new,
        old,
        currency,
        percent,
    )


def test_amount_without_price_words_is_no_price_change():
    assert read("Your order total of $1,250.00 is confirmed.").price_changes == []


def test_out_of_office_yields_nothing():
    facts = read("Automatic reply: I am out of the office until March 16. Delivery March 20.")
    assert facts.auto_reply and facts.nothing_useful and facts.eta is None


def test_empty_reply_is_nothing_useful():
    facts = read("Thanks, noted.")
    assert facts.nothing_useful
    assert facts.to_dict()["nothing_useful"] is True


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We will deliver the order next week, thank you", "en"),
        ("Nous vous remercions pour votre commande, la livraison sera", "fr"),
        ("Vielen Dank für Ihre Bestellung, die Lieferung ist", "de"),
        ("Gracias por su pedido, la entrega será", "es"),
        ("", "en"),
    ],
)
def test_language(text, language):
    assert detect_language(text) == language


# --- tracking numbers -----------------------------------------------------------


def test_check_digits():
    assert ups_ok("1Z999AA10123456784") and not ups_ok("1Z999AA10123456785")
    assert fedex_express_ok("797806677146") and not fedex_express_ok("797806677147")
    assert fedex_ground_ok("449044304137821") and not fedex_ground_ok("449044304137822")
    assert usps_s10_ok("RA123456785US") and not usps_s10_ok("RA123456784US")
    assert dhl_express_ok("8113114402") and not dhl_express_ok("8113114403")


@pytest.mark.parametrize(
    ("text", "carrier", "number"),
    [
        ("UPS tracking 1z999aa10123456784.", "ups", "1Z999AA10123456784"),
        ("Sent with Fed Ex, number 797806677147.", "fedex", "797806677147"),  # named: kept
        ("Tracking number: 797806677146", "fedex", "797806677146"),  # check digit + word
        ("Tracking 9400 1118 9984 8372 6167 51", "usps", "9400111899848372616751"),
        ("Registered mail RA123456785US", "usps", "RA123456785US"),
        ("DHL waybill 8113114402", "dhl", "8113114402"),
        ("Paket JJD0123456789012345 ist unterwegs", "dhl", "JJD0123456789012345"),
        ("FedEx ground 9612345678901234567890", "fedex", "9612345678901234567890"),
    ],
)
def test_tracking_numbers(text, carrier, number):
    refs = find_tracking_numbers(text)
    assert [(r.carrier, r.number) for r in refs] == [(carrier, number)]


@pytest.mark.parametrize(
    "text",
    [
        "Our reference 797806677146 is noted.",  # valid FedEx digits, no tracking word
        "Call us at 3125550147 any time.",  # 10 digits but no DHL
        "Invoice 12345678901234567890.",
    ],
)
def test_numbers_that_are_not_tracking(text):
    assert find_tracking_numbers(text) == []
