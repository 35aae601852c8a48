"""Dates written in vendor replies (en/fr/de/es), found and resolved.

Absolute forms: ISO ``2026-03-12``; ``12.03.2026`` (dots: day first);
``03/04/2026`` or ``03/04`` (slashes: day/month order from the vendor's
locale, else from the reply's language when it is fr/de/es, else ambiguous
unless a part is above 12); month names ``March 3``, ``3 March 2026``,
``3 mars``, ``3. März``, ``3 de marzo de 2026``. A date written without a
year is taken in the year of ``received_at``, or the next one when that
would put it more than 90 days in the past.

Relative forms are resolved against ``received_at`` and marked approximate:
today, tomorrow, the day after tomorrow, in N days/weeks, within N business
days, a weekday (next occurrence after the reply), end of this/next week
(its Friday), end of the month. Vague ones ("next week", "soon", "in the
coming days") are found but not resolved: ``value`` is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

_MONTH_NAMES = {
    1: "january jan janvier janv januar jänner enero ene",
    2: "february feb février fevrier févr fevr februar febrero",
    3: "march mar mars märz maerz marzo",
    4: "april apr avril avr abril",
    5: "may mai mayo",
    6: "june jun juin juni junio",
    7: "july jul juillet juil juli julio",
    8: "august aug août aout agosto ago",
    9: "september sep sept septembre septiembre setiembre",
    10: "october oct octobre oktober okt octubre",
    11: "november nov novembre noviembre",
    12: "december dec décembre decembre déc dezember dez diciembre dic",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

_WEEKDAY_NAMES = {
    0: "monday lundi montag lunes",
    1: "tuesday mardi dienstag martes",
    2: "wednesday mercredi mittwoch miércoles miercoles",
    3: "thursday jeudi donnerstag jueves",
    4: "friday vendredi freitag viernes",
    5: "saturday samedi samstag sábado sabado",
    6: "sunday dimanche sonntag domingo",
}
WEEKDAYS = {name: number for number, names in _WEEKDAY_NAMES.items() for name in names.split()}
_WEEKDAY_RE = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "deux": 2,
    "trois": 3,
    "zwei": 2,
    "drei": 3,
    "dos": 2,
    "tres": 3,
}
_N = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"

# Regions writing numeric dates month first; CA mixes both (left ambiguous).
MONTH_FIRST_REGIONS = {"US", "PH", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW"}


@dataclass(frozen=True)
class DateMention:
    """A date found in a sentence: where, what it says, and how sure we are."""

    start: int
    end: int
    text: str
    value: date | None  # None: vague, or day/month order unknown
    approximate: bool = False  # resolved from a relative expression
    alternatives: tuple[date, ...] = ()  # both readings of an ambiguous 03/04
    problem: str | None = None  # "vague" | "day_month_order"


def _year_for(month: int, day: int, received_at: date) -> date | None:
    for year in (received_at.year, received_at.year + 1):
        try:
            value = date(year, month, day)
        except ValueError:
            return None
        if value >= received_at - timedelta(days=90):
            return value
    return None


def _full_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def day_first_for(locale_hint: str | None, language: str | None) -> bool | None:
    """True: 03/04 is 3 April; False: 4 March; None: unknown."""
    if locale_hint:
        parts = re.split(r"[-_.@]", locale_hint.strip())
        region = next((p.upper() for p in parts[1:] if len(p) == 2), None)
        if region is None and len(parts[0]) == 2 and parts[0].isupper():
            region = parts[0]
        if region:
            if region == "CA":
                return None
            return region not in MONTH_FIRST_REGIONS
        if parts[0].lower() in ("fr", "de", "es", "it", "nl", "pt"):
            return True
    if language in ("fr", "de", "es"):
        return True
    return None


_ISO = re.compile(r"(?<![\d/.])(20\d{2})-(\d{1,2})-(\d{1,2})(?![\d])")
_NUMERIC = re.compile(r"(?<![\d/.,])(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/])(?!\.\d)")
_DAY_MONTH = re.compile(
    r"(?<![\d.,])(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(" + _MONTH_RE + r")\.?"
    r"(?:,?\s+(?:de\s+)?(\d{4}))?(?![\w])",
    re.I,
)
_MONTH_DAY = re.compile(
    r"(?<![\w])(" + _MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\d])(?:,?\s+(\d{4}))?",
    re.I,
)
_RELATIVE = [
    (
        re.compile(
            r"\b(?:the )?day after tomorrow\b|après-demain|\bübermorgen\b|\bpasado mañana\b", re.I
        ),
        2,
    ),
    (
        re.compile(
            r"\btomorrow\b|\bdemain\b|(?<!guten )\bmorgen\b(?! früh)|(?<!la )\bmañana\b", re.I
        ),
        1,
    ),
    (re.compile(r"\btoday\b|aujourd'hui|\bheute\b|\bhoy\b", re.I), 0),
]
_IN_N = re.compile(
    r"\b(?:in|within|dans|sous|en|innerhalb von|binnen)\s+" + _N + r"\s+"
    r"(business days?|working days?|days?|weeks?|jours? ouvrés|jours?|semaines?|"
    r"werktagen|arbeitstagen|tagen|wochen|días hábiles|días|dias|semanas)\b",
    re.I,
)
_END_NEXT_WEEK = re.compile(
    r"\bend of next week\b|\bfin de la semaine prochaine\b|\bende nächster woche\b|"
    r"\bende der nächsten woche\b|\bfinales de la (?:próxima semana|semana que viene)\b",
    re.I,
)
_END_THIS_WEEK = re.compile(
    r"\bend of (?:this|the) week\b|\bfin de (?:cette |la )?semaine\b|\bende (?:dieser|der) woche\b|"
    r"\bfinales de (?:esta|la) semana\b",
    re.I,
)
_END_MONTH = re.compile(
    r"\bend of (?:this|the) month\b|\bfin du mois\b|\bende des monats\b|\bmonatsende\b|"
    r"\bfinales de(?:l| este)? mes\b",
    re.I,
)
_WEEKDAY = re.compile(r"(?<![\w])(" + _WEEKDAY_RE + r")(?![\w])", re.I)
_VAGUE = re.compile(
    r"\b(?:early |later |late )?next week\b|\bthe (?:coming|next few) (?:days|weeks)\b|"
    r"\bnext month\b|\bsoon\b|\bshortly\b|\bin a few (?:days|weeks)\b|\bsemaine prochaine\b|"
    r"\bprochainement\b|\bmois prochain\b|\bnächste(?:n)? woche\b|\bin kürze\b|\bdemnächst\b|"
    r"\bpróxima semana\b|\bsemana que viene\b|\bpróximamente\b|\bpronto\b",
    re.I,
)


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _in_n(match: re.Match, received_at: date) -> date:
    raw = match.group(1).lower()
    count = _NUMBER_WORDS.get(raw) or int(raw)
    unit = match.group(2).lower()
    if any(w in unit for w in ("business", "working", "ouvré", "werktag", "arbeitstag", "hábil")):
        return _add_business_days(received_at, count)
    if unit.startswith(("week", "semaine", "woche", "semana")):
        return received_at + timedelta(weeks=count)
    return received_at + timedelta(days=count)


def _friday(day: date) -> date:
    """The Friday of ``day``'s week (Monday to Sunday)."""
    return day - timedelta(days=day.weekday()) + timedelta(days=4)


def _next_weekday(received_at: date, weekday: int) -> date:
    ahead = (weekday - received_at.weekday()) % 7 or 7
    return received_at + timedelta(days=ahead)


def _numeric(match: re.Match, received_at: date, day_first: bool | None) -> DateMention | None:
    a, sep, b, year = int(match.group(1)), match.group(2), int(match.group(3)), match.group(4)
    if sep == "." and not year:
        return None  # "3.5" is a number, not a date
    if a > 12 and b > 12:
        return None
    if sep == ".":
        order: bool | None = True
    elif a > 12:
        order = True
    elif b > 12:
        order = False
    elif a == b:
        order = True  # the same day either way
    else:
        order = day_first

    def build(month: int, day: int) -> date | None:
        return _full_date(int(year), month, day) if year else _year_for(month, day, received_at)

    if order is None:
        readings = tuple(d for d in (build(b, a), build(a, b)) if d)
        if not readings:
            return None
        if len(set(readings)) == 1:
            return DateMention(match.start(), match.end(), match.group(0), readings[0])
        return DateMention(
            match.start(),
            match.end(),
            match.group(0),
            None,
            alternatives=readings,
            problem="day_month_order",
        )
    value = build(b, a) if order else build(a, b)
    return DateMention(match.start(), match.end(), match.group(0), value) if value else None


def find_dates(
    sentence: str,
    received_at: date,
    *,
    day_first: bool | None = None,
) -> list[DateMention]:
    """Every date mention in ``sentence``, left to right, without overlaps."""
    found: list[DateMention] = []
    for m in _ISO.finditer(sentence):
        value = _full_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value:
            found.append(DateMention(m.start(), m.end(), m.group(0), value))
    # "3 March [2026]" and "March 3[, 2026]": (pattern, day group, month group)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for m in pattern.finditer(sentence):
            month = MONTHS[m.group(month_group).lower()]
            day = int(m.group(day_group))
            value = (
                _full_date(int(m.group(3)), month, day)
                if m.group(3)
                else _year_for(month, day, received_at)
            )
            if value:
                found.append(DateMention(m.start(), m.end(), m.group(0), value))
    for m in _NUMERIC.finditer(sentence):
        mention = _numeric(m, received_at, day_first)
        if mention:
            found.append(mention)
    absolute_spans = [(d.start, d.end) for d in found]

    def relative(m: re.Match, value: date | None, problem: str | None = None) -> None:
        found.append(
            DateMention(m.start(), m.end(), m.group(0), value, approximate=True, problem=problem)
        )

    for pattern, days in _RELATIVE:
        for m in pattern.finditer(sentence):
            relative(m, received_at + timedelta(days=days))
    for m in _IN_N.finditer(sentence):
        relative(m, _in_n(m, received_at))
    for m in _END_NEXT_WEEK.finditer(sentence):
        relative(m, _friday(received_at) + timedelta(weeks=1))
    for m in _END_THIS_WEEK.finditer(sentence):
        relative(m, max(received_at, _friday(received_at)))
    for m in _END_MONTH.finditer(sentence):
        relative(m, received_at + relativedelta(day=31))
    for m in _WEEKDAY.finditer(sentence):
        # "Tuesday, March 10" / "mardi 10 mars": the weekday only qualifies the date
        if any(
            0 <= start - m.end() <= 6 or start <= m.start() < end for start, end in absolute_spans
        ):
            continue
        relative(m, _next_weekday(received_at, WEEKDAYS[m.group(1).lower()]))
    for m in _VAGUE.finditer(sentence):
        relative(m, None, "vague")
    return _without_overlaps(found)


def _without_overlaps(found: list[DateMention]) -> list[DateMention]:
    kept: list[DateMention] = []
    for mention in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept
