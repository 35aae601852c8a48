"""A vendor reply as plain text: HTML bodies flattened, quoted previous
messages and signatures cut, wrapped lines joined and split into sentences.

Quoted history is cut at the first line that opens it: lines starting with
``>``, ``On ... wrote:``, ``-----Original Message-----``, an Outlook ``From:``
header block (``From:`` followed by ``Sent:``/``To:``/``Subject:``...), the
French ``Le ... a écrit :``, German ``Am ... schrieb ...:``, Spanish
``El ... escribió:`` and their ``Message d'origine`` / ``Ursprüngliche
Nachricht`` / ``Mensaje original`` separators. Signatures end the reply at
``-- `` or a "Sent from my phone" line. In HTML, ``<blockquote>``, Gmail's
``gmail_quote``, Outlook's ``divRplyFwdMsg``/``appendonsend`` and Odoo's
``data-o-mail-quote`` elements are dropped before any of that.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .dates import MONTHS

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "pre",
    "section",
    "article",
}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base"}
_SKIP_TAGS = {"script", "style", "head", "title", "blockquote"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote")


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML body, skipping quoted parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def _is_quote(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in _SKIP_TAGS:
            return True
        values = {k.lower(): (v or "") for k, v in attrs}
        if "data-o-mail-quote" in values or "data-o-mail-quote-container" in values:
            return True
        if values.get("id", "").lower() in _QUOTE_IDS:
            return True
        classes = values.get("class", "").lower()
        return any(name in classes for name in _QUOTE_CLASSES)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag not in _VOID_TAGS:
                self._skip += 1
            return
        if tag not in _VOID_TAGS and self._is_quote(tag, attrs):
            self._skip = 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skip and tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag not in _VOID_TAGS:
                self._skip -= 1
            return
        if tag in _BLOCK_TAGS or tag == "td":
            self.parts.append("\n" if tag != "td" else " ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_HTML_HINT = re.compile(r"<\s*(?:html|body|div|p|pre|br|span|table|blockquote)\b", re.I)


def looks_like_html(body: str) -> bool:
    return bool(_HTML_HINT.search(body or ""))


def html_to_text(html: str) -> str:
    """Visible text of an HTML e-mail body, one block per line, quotes dropped."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Lines that open a quoted previous message; everything from there is dropped.
_QUOTE_OPENERS = [
    re.compile(r"^\s*>"),
    re.compile(r"^\s*On\b.{0,300}\bwrote\s*:\s*$", re.I),
    re.compile(r"^\s*Le\b.{0,300}\ba\s+écrit\s*:\s*$", re.I),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,200}:\s*$", re.I),
    re.compile(r"^\s*El\b.{0,300}\bescribió\s*:\s*$", re.I),
    re.compile(
        r"^\s*-{2,}\s*(?:Original Message|Forwarded message|Message d'origine|Message transféré|"
        r"Ursprüngliche Nachricht|Weitergeleitete Nachricht|Mensaje original|Mensaje reenviado)"
        r"\s*-{2,}",
        re.I,
    ),
    re.compile(r"^\s*_{10,}\s*$"),
]
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Da)\s*\*?\s*:\s*\S", re.I)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Cc|Envoyé|À|Objet|Gesendet|An|Betreff|Datum|Enviado|"
    r"Para|Asunto|Fecha)\s*\*?\s*:",
    re.I,
)
_SIGNATURE = [
    re.compile(r"^--\s*$"),
    re.compile(
        r"^\s*(?:Sent from my|Get Outlook for|Envoyé de mon|Von meinem|Enviado desde mi)\b", re.I
    ),
]


def _quote_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if any(p.search(line) for p in _QUOTE_OPENERS):
            return index
        # "On Mon, 2 Mar 2026 at 10:00, Anna <anna@x.com>" wrapped before "wrote:"
        if index + 1 < len(lines):
            joined = f"{line.strip()} {lines[index + 1].strip()}"
            if any(p.search(joined) for p in _QUOTE_OPENERS[1:5]):
                return index
        if _HEADER_FROM.search(line) and any(
            _HEADER_NEXT.search(nxt) for nxt in lines[index + 1 : index + 5]
        ):
            return index
        if any(p.search(line) for p in _SIGNATURE):
            return index
    return None


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted history and signature cut off."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _quote_start(lines)
    if start is not None:
        lines = lines[:start]
    return "\n".join(lines).strip()


def reply_text(body: str) -> str:
    """Plain text of a reply body (text or HTML), without quoted history."""
    text = html_to_text(body) if looks_like_html(body) else (body or "")
    return strip_quoted(text)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.)]\s|SKU\b|Item\b|Line\b)", re.I)
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
_BOUNDARY = re.compile(r"[.!?]+\s+(?=\S)")
# A period after these does not end a sentence: "3. März", "approx. 3", "z.B. so".
_NO_BREAK_BEFORE = re.compile(
    r"(?:^|\s)(?:[A-Za-z]|approx|ca|mr|mrs|ms|dr|no|nr|vs|etc|e\.g|i\.e|z\.b|inc|ltd|"
    r"co|corp|art|réf|ref|st|av|env|bzw|ggf|usw|tel|ext|pos)$",
    re.I,
)


def logical_lines(text: str) -> list[str]:
    """Lines with hard-wrapped sentences joined back (a line that does not end
    a sentence and is longer than 40 characters continues on the next one)."""
    out: list[str] = []
    previous_open = False
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            previous_open = False
            continue
        if previous_open and out and not _LIST_ITEM.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        previous_open = len(out[-1]) > 40 and not _SENTENCE_END.search(out[-1])
    return out


def _no_break(before: str, after: str) -> bool:
    if _NO_BREAK_BEFORE.search(before):
        return True
    # "am 13. März", "le 3. mars": an ordinal day before a month name or lowercase word
    if re.search(r"(?:^|\s)\d{1,2}$", before):
        word = re.match(r"[^\W\d_]+", after)
        return bool(word) and (word.group(0).lower() in MONTHS or word.group(0).islower())
    return False


def sentences(text: str) -> list[str]:
    """Sentences of a reply, whitespace collapsed, in order."""
    result: list[str] = []
    for line in logical_lines(text):
        start = 0
        for m in _BOUNDARY.finditer(line):
            if line[m.start()] == "." and _no_break(line[start : m.start()], line[m.end() :]):
                continue
            result.append(line[start : m.start() + len(m.group(0).rstrip())].strip())
            start = m.end()
        if line[start:].strip():
            result.append(line[start:].strip())
    return result
