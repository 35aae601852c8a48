"""Rule-based reading of a vendor reply to a purchase order.

``extract_reply`` works on the plain text of the *new* part of a reply (see
:func:`vendor_engine.text.reply_text` for HTML bodies and quoted history) and
returns :class:`ReplyFacts`: confirmation or decline, ETA and ship date with
the sentence each came from, partial lines and backorders, price changes,
tracking numbers, and the ambiguities a buyer must look at. Nothing here
decides: the Odoo layer changes a PO date only from an unambiguous fact and
turns every ambiguity into an activity.

How a date becomes an ETA or a ship date: within its sentence, the keyword
closest before it (else just after it) decides: delivery words ("deliver",
"arrive", "ETA", "livraison", "Liefertermin", "entrega"...) make an ETA, ship
words ("ship", "dispatch", "expédié", "versandt", "enviado"...) a ship date;
"delayed until" / "new ETA" / "postponed to" mark a *revised* ETA, which wins
over the others; "originally" / "instead of" / "order dated" dates are
ignored; dates in a backorder sentence are the backorder's ETA. Two different
candidate dates, a vague one ("next week"), a day/month order that cannot be
told, or an ETA before the reply make an ambiguity and leave the field empty.
An auto-reply (out of office...) yields nothing, not even its return date.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from .dates import DateMention, day_first_for, find_dates
from .text import reply_text, sentences
from .tracking_numbers import TrackingRef, find_tracking_numbers

LANGUAGES = ("en", "fr", "de", "es")


@dataclass(frozen=True)
class PartialLine:
    """A line the vendor will not deliver in full."""

    product_hint: str | None  # SKU-like code or "line 2"; None when not named
    quantity: float | None  # what is delivered now (0: the line is declined)
    sentence: str
    ordered_quantity: float | None = None
    backorder_quantity: float | None = None


@dataclass(frozen=True)
class PriceChange:
    """A price the vendor announces for one product (or all, hint None)."""

    product_hint: str | None
    new_price: float | None  # None when only a percentage is given
    currency: str
    sentence: str
    old_price: float | None = None
    percent: float | None = None


@dataclass
class ReplyFacts:
    """What a vendor reply says, each fact with the sentence it came from."""

    confirmed: bool | None = None
    declined: bool | None = None
    eta: date | None = None
    eta_sentence: str | None = None
    eta_approximate: bool = False
    ship_date: date | None = None
    ship_date_sentence: str | None = None
    ship_date_approximate: bool = False
    partial_lines: list[PartialLine] = field(default_factory=list)
    backorder: bool = False
    backorder_sentence: str | None = None
    backorder_eta: date | None = None
    price_changes: list[PriceChange] = field(default_factory=list)
    tracking: list[TrackingRef] = field(default_factory=list)
    ambiguities: list[str] = field(default_factory=list)
    language: str = "en"
    auto_reply: bool = False
    confirmation_sentence: str | None = None
    decline_sentence: str | None = None

    @property
    def nothing_useful(self) -> bool:
        """True when the reply gives no fact and raises no question."""
        return not (
            self.confirmed is not None
            or self.declined is not None
            or self.eta
            or self.ship_date
            or self.partial_lines
            or self.backorder
            or self.price_changes
            or self.tracking
            or self.ambiguities
        )

    def to_dict(self) -> dict:
        """JSON-ready: dates as ISO strings, ``nothing_useful`` included."""
        data = asdict(self)
        for key in ("eta", "ship_date", "backorder_eta"):
            data[key] = data[key].isoformat() if data[key] else None
        data["nothing_useful"] = self.nothing_useful
        return data


# --- language ---------------------------------------------------------------

_LANGUAGE_WORDS = {
    "en": r"the|we|your|order|will|and|of|is|thank|please|delivery|ship",
    "fr": r"le|la|les|nous|votre|commande|est|des|merci|livraison|bonjour|pour|sera",
    "de": r"der|die|das|und|wir|ihre|bestellung|ist|mit|danke|lieferung|vielen|wird",
    "es": r"el|los|las|su|pedido|nosotros|gracias|entrega|para|será|hola|con|está",
}
_LANGUAGE_RES = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _LANGUAGE_WORDS.items()}


def detect_language(text: str) -> str:
    """en/fr/de/es by common-word counts; English on a tie or no text."""
    scores = {lang: len(p.findall(text or "")) for lang, p in _LANGUAGE_RES.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > scores["en"] else "en"


# --- vocabulary -------------------------------------------------------------

_AUTO_REPLY = re.compile(
    r"out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?reply|autoreply|"
    r"\bI am (?:currently )?(?:away|on leave|on vacation)|réponse automatique|"
    r"absente? du bureau|je suis absente?|abwesenheitsnotiz|automatische antwort|"
    r"nicht im büro|bin (?:derzeit )?abwesend|fuera de la oficina|respuesta automática|"
    r"estoy de vacaciones|estoy ausente",
    re.I,
)
_ETA_WORDS = (
    r"deliver|arriv|\beta\b|expected|reach you|in your hands|at your (?:door|store|warehouse)|"
    r"receive|delayed|postponed|pushed back|moved to|livr|réception|reçu|liefer|zustell|"
    r"eintreff|ankunft|bei ihnen|entreg|llegar|llegad|recibir|retras"
)
_SHIP_WORDS = (
    r"\bship|dispatch|sent out|send out|leaves? our|pick[- ]?up|collected|handed (?:over )?to|"
    r"expédi|envoi|envoy|versand|versend|verschick|abgeschickt|\benv[ií]|despach"
)
_REVISED_WORDS = (
    r"delayed|postponed|pushed back|pushed to|moved to|new (?:eta|delivery date|date)|revised|"
    r"now expected|updated eta|report[ée]|décal|nouvelle date|retard|verschoben|verzöger|"
    r"neuer liefertermin|neues datum|retras|aplazad|nueva fecha"
)
_IGNORE_WORDS = (
    r"originally|previously|initially|instead of|old eta|initialement|au lieu d|ursprünglich|"
    r"statt|anstatt|inicialmente|en lugar d|en vez d|order(?:ed)? (?:on|of|from|dated)|"
    r"\bdated\b|placed on|invoice|payment|commande du|bestellung vom|pedido del"
)
_BACKORDER = re.compile(
    r"back[- ]?order|reliquat|en attente de réapprovisionnement|rückstand|nachliefer|"
    r"pedido pendiente|pendiente de entrega|pendientes de entrega",
    re.I,
)
_PARTIAL = re.compile(
    r"partial|only \d+|remaining \d+|restlichen \d+|\d+ restantes|"
    r"\b\d+ (?:\w+ )?(?:of|out of) (?:the )?\d+\b|short[- ]?ship|short by|"
    r"partiel|seulement \d+|teillieferung|nur \d+|parcial|solo \d+|sólo \d+|"
    r"\d+ (?:\w+ )?(?:sur|von|de) (?:les |den )?\d+\b",
    re.I,
)
_NEGATION = (
    r"cannot|can't|can not|unable|not able|won't|will not|unfortunately not|ne pouvons pas|"
    r"ne pourrons pas|pas en mesure|nicht|no podemos|no podremos|no es posible"
)
_CONFIRM = re.compile(
    r"\b(?:we|I)\s+(?:hereby\s+|can\s+|are\s+(?:happy|pleased|glad)\s+to\s+|gladly\s+)?"
    r"(?:confirm|acknowledge|accept)\b|\b(?:is|has been|was|are|have been)\s+(?:now\s+)?"
    r"(?:confirmed|accepted)\b|\border confirmation\b|\bconfirmed\b|confirmons|confirmée?s?\b|"
    r"bien reçu votre commande|bestätigen|bestätigt|auftragsbestätigung|confirmamos|"
    r"confirmad[oa]s?\b|confirmación del pedido",
    re.I,
)
_CONFIRM_REQUEST = re.compile(
    r"please confirm|could you confirm|can you confirm|let us know|merci de confirmer|"
    r"bitte bestätigen|por favor confirm",
    re.I,
)
_DECLINE = re.compile(
    r"\b(?:cannot|can't|can not|(?:are |is )?unable to|not able to)\s+(?:\w+\s+)?"
    r"(?:fulfil|fulfill|supply|accept|deliver|process|honou?r|ship|confirm)\b|"
    r"\b(?:must|have to|regret(?:fully)?(?: to)?)\s+decline\b|\bwe decline\b|\bdiscontinued\b|"
    r"\bno longer (?:available|produced|manufactured|carry|stock|offer|make)\b|"
    r"\bcancel(?:l?ed|ling)? (?:your|the|this) (?:order|po)\b|"
    r"ne (?:pouvons|pourrons) pas (?:\w+ )?(?:honorer|livrer|accepter|traiter|fournir)|"
    r"\bplus (?:disponible|fabriqué)|"
    r"(?:können|könnten) [^.]{0,40}nicht (?:liefern|annehmen|ausführen|bestätigen)|"
    r"nicht mehr (?:lieferbar|verfügbar|erhältlich)|"
    r"no (?:podemos|podremos) (?:\w+ )?(?:atender|suministrar|aceptar|servir|entregar|confirmar)|"
    r"descatalogado|ya no (?:está disponible|fabricamos)",
    re.I,
)
_OUT_OF_STOCK = re.compile(
    r"out of stock|rupture de stock|nicht (?:auf|am) lager|sin stock|agotado|fuera de stock", re.I
)
_PRICE_WORDS = re.compile(
    r"price|pricing|\bcost|increase|surcharge|\bprix|tarif|augment|preis|erhöh|kosten|"
    r"precio|aumento|subida|coste",
    re.I,
)
_SKU = re.compile(
    r"\b(?:SKU|item|article|art\.?(?:-?nr\.?)?|réf\.?|ref\.?|référence|artikel(?:nummer)?|"
    r"referencia)\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9_./-]{1,30}[A-Za-z0-9])|"
    r"\b((?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+)\b|"
    r"\b(line|ligne|position|pos\.|línea|linea)\s*#?\s*(\d{1,3})\b",
    re.I,
)
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_CODES = r"USD|EUR|GBP|CAD|AUD|CHF|MXN|NZD|JPY"
_AMOUNT = r"\d{1,3}(?:[,.\s']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(
    rf"(?P<c1>[$€£]|(?:{_CURRENCY_CODES})\b)\s?(?P<a1>{_AMOUNT})|"
    rf"(?P<a2>{_AMOUNT})\s?(?P<c2>[$€£]|(?:{_CURRENCY_CODES})\b|dollars?\b|euros?\b)",
    re.I,
)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")
_FROM_TO = re.compile(r"\b(?:from|de|von|desde)\b.*\b(?:to|à|a|auf|zu|hasta)\b", re.I)
_QTY_OF = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:units?|pcs|pieces?|pc|ea|x|cases?|boxes|unités?|pièces?|stück|stk\.?|"
    r"unidades?|uds\.?)?\s*(?:of|out of|sur|von|de)\s*(?:the\s+|les\s+|den\s+|los\s+|las\s+)?"
    r"(\d+(?:[.,]\d+)?)(?!\s*[/.-]\d)",
    re.I,
)
_QTY_ONLY = re.compile(r"\b(?:only|seulement|nur|solo|sólo)\s+(\d+(?:[.,]\d+)?)", re.I)
_QTY_BACKORDER = re.compile(
    r"(?:remaining|other|rest of the|reste de|restlichen|restantes?)\s+(\d+(?:[.,]\d+)?)|"
    r"(\d+(?:[.,]\d+)?)\s*(?:units?|pcs|pieces?|unités?|pièces?|stück|unidades?)?\s*"
    r"(?:are |is |will be |remain |restantes |)(?:on |en )?(?:back[- ]?order|reliquat|rückstand)",
    re.I,
)


def _num(raw: str) -> float:
    return float(raw.replace(",", "."))


def _closest(segment: str, *patterns: tuple[str, str]) -> str | None:
    """The kind whose pattern occurs last in ``segment`` (closest to a date after it)."""
    best: tuple[int, str] | None = None
    for kind, pattern in patterns:
        for m in re.finditer(pattern, segment, re.I):
            if best is None or m.end() > best[0]:
                best = (m.end(), kind)
    return best[1] if best else None


def _first(segment: str, *patterns: tuple[str, str]) -> str | None:
    """The kind whose pattern occurs first in ``segment`` (a date before it)."""
    best: tuple[int, str] | None = None
    for kind, pattern in patterns:
        m = re.search(pattern, segment, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None


_KINDS = (
    ("ignore", _IGNORE_WORDS),
    ("revised", _REVISED_WORDS),
    ("eta", _ETA_WORDS),
    ("ship", _SHIP_WORDS),
)


def _classify(sentence: str, mentions: list[DateMention], index: int) -> str | None:
    mention = mentions[index]
    before_start = mentions[index - 1].end if index else 0
    kind = _closest(sentence[before_start : mention.start], *_KINDS)
    if kind is None:
        after_end = mentions[index + 1].start if index + 1 < len(mentions) else len(sentence)
        kind = _first(sentence[mention.end : after_end], *_KINDS)
    if kind is None and index:
        kind = _closest(sentence[: mention.start], *_KINDS)
    return kind


@dataclass
class _Candidate:
    mention: DateMention
    sentence: str
    revised: bool = False


def _fmt(value: date) -> str:
    return value.isoformat()


def _settle(
    label: str, candidates: list[_Candidate], received_at: date, ambiguities: list[str]
) -> _Candidate | None:
    """The one date the candidates agree on, else None with the reason noted."""
    revised = [c for c in candidates if c.revised]
    if revised:
        candidates = revised
    precise = [c for c in candidates if c.mention.value is not None]
    unresolved = [c for c in candidates if c.mention.value is None]
    values = {c.mention.value for c in precise}
    for c in unresolved:
        if c.mention.problem == "day_month_order":
            if len(values) == 1 and values & set(c.mention.alternatives):
                continue
            readings = " or ".join(_fmt(d) for d in c.mention.alternatives)
            ambiguities.append(
                f"The {label} '{c.mention.text}' could be {readings} (day/month order unknown):"
                f' "{c.sentence}"'
            )
            return None
        if not precise:
            ambiguities.append(
                f"The {label} '{c.mention.text}' is vague, no date can be set from it:"
                f' "{c.sentence}"'
            )
            return None
    if len(values) > 1:
        listed = "; ".join(f'{_fmt(c.mention.value)} ("{c.sentence}")' for c in precise)
        ambiguities.append(f"Different {label}s are given: {listed}")
        return None
    if not precise:
        return None
    chosen = precise[0]
    if label == "delivery date" and chosen.mention.value < received_at:
        ambiguities.append(
            f"The {label} {_fmt(chosen.mention.value)} is before the reply was received"
            f' ({_fmt(received_at)}): "{chosen.sentence}"'
        )
        return None
    return chosen


def _product_hint(sentence: str, exclude: set[str]) -> str | None:
    for m in _SKU.finditer(sentence):
        if m.group(3):
            return f"line {m.group(4)}"
        code = (m.group(1) or m.group(2) or "").strip(".")
        if code and code.upper() not in exclude and any(ch.isdigit() for ch in code):
            return code
    return None


def _parse_amount(raw: str, language: str) -> float:
    raw = raw.replace(" ", "").replace("'", "")
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(raw.replace(thousands, "").replace(decimal, "."))
    for sep in (",", "."):
        if sep in raw:
            head, _, tail = raw.rpartition(sep)
            if len(tail) == 3 and (sep == "," or language in ("fr", "de", "es")):
                return float(raw.replace(sep, ""))
            return float(head.replace(sep, "") + "." + tail)
    return float(raw)


def _price_change(
    sentence: str, currency: str, language: str, exclude: set[str]
) -> PriceChange | None:
    if not _PRICE_WORDS.search(sentence):
        return None
    amounts = []
    for m in _MONEY.finditer(sentence):
        symbol = (m.group("c1") or m.group("c2") or "").upper()
        code = _CURRENCY_SYMBOLS.get(symbol) or (
            "USD" if symbol.startswith("DOLLAR") else "EUR" if symbol.startswith("EURO") else symbol
        )
        amounts.append((m, _parse_amount(m.group("a1") or m.group("a2"), language), code))
    percent = _PERCENT.search(sentence)
    if not amounts and not percent:
        return None
    hint = _product_hint(sentence, exclude)
    if not amounts:
        return PriceChange(hint, None, currency, sentence, percent=_num(percent.group(1)))
    old = None
    if len(amounts) >= 2 and _FROM_TO.search(sentence):
        old = amounts[-2][1]
    _, new, code = amounts[-1]
    return PriceChange(
        hint,
        new,
        code or currency,
        sentence,
        old_price=old,
        percent=_num(percent.group(1)) if percent else None,
    )


def _partial_line(sentence: str, exclude: set[str]) -> PartialLine | None:
    backorder = _BACKORDER.search(sentence)
    if not (_PARTIAL.search(sentence) or backorder):
        return None
    hint = _product_hint(sentence, exclude)
    shipped = ordered = pending = None
    if m := _QTY_OF.search(sentence):
        shipped, ordered = _num(m.group(1)), _num(m.group(2))
    elif m := _QTY_ONLY.search(sentence):
        shipped = _num(m.group(1))
    if m := _QTY_BACKORDER.search(sentence):
        pending = _num(m.group(1) or m.group(2))
    if shipped is not None and ordered is not None and pending is None and ordered >= shipped:
        pending = ordered - shipped
    if shipped is None and ordered is not None and pending is not None:
        shipped = ordered - pending
    if shipped is None and pending is None:
        return None
    return PartialLine(hint, shipped, sentence, ordered, pending)


def _add_partial(lines: list[PartialLine], line: PartialLine) -> None:
    """Append ``line``, or complete the earlier line naming the same product."""
    for index, known in enumerate(lines):
        if line.product_hint and known.product_hint == line.product_hint:
            lines[index] = replace(
                known,
                quantity=known.quantity if known.quantity is not None else line.quantity,
                ordered_quantity=known.ordered_quantity or line.ordered_quantity,
                backorder_quantity=known.backorder_quantity or line.backorder_quantity,
            )
            return
    lines.append(line)


def extract_reply(
    text: str,
    *,
    received_at: date,
    order_date: date | None = None,
    currency: str = "USD",
    locale_hint: str | None = None,
) -> ReplyFacts:
    """The facts of a vendor reply, by rules (no model involved).

    ``text`` may be plain text or HTML, with or without quoted history.
    ``received_at`` anchors relative dates; ``order_date`` drops dates before
    the order; ``currency`` is the PO's, used when a price names none;
    ``locale_hint`` (``"en_US"``, ``"fr"``, ``"GB"``...) settles 03/04.
    """
    body = reply_text(text)
    facts = ReplyFacts(language=detect_language(body))
    if _AUTO_REPLY.search(body):
        facts.auto_reply = True
        return facts
    day_first = day_first_for(locale_hint, facts.language)
    facts.tracking = find_tracking_numbers(body)
    exclude = {t.number.upper() for t in facts.tracking}
    etas: list[_Candidate] = []
    ships: list[_Candidate] = []
    backorder_dates: list[_Candidate] = []
    out_of_stock: str | None = None
    for sentence in sentences(body):
        if _CONFIRM.search(sentence) and not _CONFIRM_REQUEST.search(sentence):
            negated = re.search(rf"(?:{_NEGATION})[^.]{{0,30}}confirm", sentence, re.I)
            if not negated and facts.confirmation_sentence is None:
                facts.confirmation_sentence = sentence
        if _DECLINE.search(sentence) and facts.decline_sentence is None:
            facts.decline_sentence = sentence
        if _OUT_OF_STOCK.search(sentence) and out_of_stock is None:
            out_of_stock = sentence
        is_backorder = bool(_BACKORDER.search(sentence))
        if is_backorder and not facts.backorder:
            facts.backorder, facts.backorder_sentence = True, sentence
        if line := _partial_line(sentence, exclude):
            _add_partial(facts.partial_lines, line)
        if change := _price_change(sentence, currency, facts.language, exclude):
            facts.price_changes.append(change)
        mentions = find_dates(sentence, received_at, day_first=day_first)
        for index, mention in enumerate(mentions):
            if order_date and mention.value and mention.value < order_date:
                continue
            kind = _classify(sentence, mentions, index)
            after_backorder = is_backorder and mention.start > _BACKORDER.search(sentence).start()
            if kind == "ignore" or (kind is None and not after_backorder):
                continue
            candidate = _Candidate(mention, sentence, revised=kind == "revised")
            if after_backorder:
                backorder_dates.append(candidate)
            elif kind == "ship":
                ships.append(candidate)
            else:
                etas.append(candidate)
    _settle_dates(facts, etas, ships, backorder_dates, received_at)
    _settle_decision(facts, out_of_stock, exclude)
    return facts


def _settle_dates(
    facts: ReplyFacts,
    etas: list[_Candidate],
    ships: list[_Candidate],
    backorder_dates: list[_Candidate],
    received_at: date,
) -> None:
    if eta := _settle("delivery date", etas, received_at, facts.ambiguities):
        facts.eta, facts.eta_sentence = eta.mention.value, eta.sentence
        facts.eta_approximate = eta.mention.approximate
    if ship := _settle("ship date", ships, received_at, facts.ambiguities):
        facts.ship_date, facts.ship_date_sentence = ship.mention.value, ship.sentence
        facts.ship_date_approximate = ship.mention.approximate
    if backorder := _settle("backorder date", backorder_dates, received_at, facts.ambiguities):
        facts.backorder_eta = backorder.mention.value
    if facts.eta and facts.ship_date and facts.ship_date > facts.eta:
        facts.ambiguities.append(
            f"The ship date {facts.ship_date.isoformat()} is after the delivery date"
            f" {facts.eta.isoformat()}"
        )


def _settle_decision(facts: ReplyFacts, out_of_stock: str | None, exclude: set[str]) -> None:
    confirmed = facts.confirmation_sentence is not None
    decline = facts.decline_sentence
    if decline and confirmed:
        hint = _product_hint(decline, exclude)
        if hint and not any(p.product_hint == hint for p in facts.partial_lines):
            facts.partial_lines.append(PartialLine(hint, 0.0, decline))
        elif not hint:
            facts.ambiguities.append(
                f'The reply both confirms ("{facts.confirmation_sentence}") and declines'
                f' ("{decline}")'
            )
        facts.confirmed = True
        return
    has_plan = bool(facts.eta or facts.ship_date or facts.partial_lines or facts.backorder)
    if not decline and out_of_stock and not confirmed and not has_plan:
        facts.decline_sentence = decline = out_of_stock
    if decline:
        facts.declined, facts.confirmed = True, False
    elif confirmed:
        facts.confirmed = True
