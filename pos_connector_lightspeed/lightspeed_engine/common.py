"""Shared pieces of the Lightspeed engine: the translation result, small
readers for loosely typed JSON, ``Retry-After`` and phone normalisation."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any


class LightspeedPayloadError(ValueError):
    """A Lightspeed body lacks something every translation needs (an id, a date)."""


@dataclass(frozen=True)
class SkippedLine:
    """A Lightspeed line that produced no unified line, and why."""

    line_id: str
    reason: str  # no_product_key, zero_quantity, voided_line...
    quantity: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class ProductMapping:
    """One Lightspeed product (a variant is a product of its own): the keys
    the mapping table needs to find the Odoo product."""

    product_id: str
    sku: str | None
    barcode: str | None
    name: str | None
    variant_parent_id: str | None = None
    variant_options: tuple[tuple[str, str], ...] = ()
    supplier_id: str | None = None
    supply_price: float | None = None
    active: bool = True


@dataclass
class Translation:
    """The result of one translation: events, plus why anything was left out."""

    events: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    products: list[ProductMapping] = field(default_factory=list)

    def extend(self, other: Translation) -> Translation:
        """Append ``other`` to this translation (returns self)."""
        self.events.extend(other.events)
        self.notes.extend(other.notes)
        self.skipped.extend(other.skipped)
        self.products.extend(other.products)
        return self

    @property
    def event_ids(self) -> list[str]:
        return [event["event_id"] for event in self.events]


# ----------------------------------------------------------------------
# Readers
# ----------------------------------------------------------------------
def load_json(raw: bytes | str) -> Any:
    """Decode a body (plain ``json.loads``: integers stay exact)."""
    return json.loads(raw)


def text(value: Any) -> str | None:
    """A stripped string, or ``None`` for ``None``/empty."""
    if value is None or isinstance(value, (dict, list)):
        return None
    result = str(value).strip()
    return result or None


def number(value: Any) -> float | None:
    """A finite float from a number or a numeric string (``"3.50"``), else ``None``."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def boolean(value: Any, default: bool = False) -> bool:
    """``True``/``"true"``/``"1"`` -> True; ``"false"``/``"0"``/``""`` -> False."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    return default


def plain_number(value: float) -> int | float:
    """``3.0`` -> ``3`` (ids and event ids read better), ``2.5`` stays."""
    return int(value) if float(value).is_integer() else value


def retry_after_seconds(value: str | None, default: float, now: float | None = None) -> float:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 7231)."""
    if not value:
        return default
    seconds = number(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return default
    if moment is None:
        return default
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header value, case-insensitively, stripped (``None`` when absent/blank)."""
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted and isinstance(value, str) and value.strip():
            return value.strip()
    return None
