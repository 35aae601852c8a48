"""Helpers for the Shopify engine tests: the shared fixtures by path (never
copied into the repository) and orders generated from the fixture order."""

import json
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "pos" / "shopify"

# Ids in rest2024-04_order_get.json, remapped per generated order.
TEMPLATE_IDS = {
    "order": 450789469,
    "line_items": (466157049, 518995019, 703073504),
    "refund": 509562969,
    "refund_lines": (104689539, 709875399),
    "others": (179259969, 255858046, 369256396),
}
BIG_ORDER_BASE = 820982911946154508  # beyond 2**53, as in real Shopify captures


def fixture_path(name: str) -> Path:
    """A shared fixture file; the test is skipped if the shared folder is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared Shopify fixtures not found at {FIXTURES}")
    return FIXTURES / name


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def fixture_json(name: str):
    return json.loads(fixture_bytes(name))


def all_fixture_names() -> list[str]:
    """Every Shopify JSON fixture (empty when the shared folder is absent)."""
    return sorted(p.name for p in FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []


def remap_ids(text: str, mapping: dict[int, int]) -> str:
    """Replace whole-number ids in JSON text (also inside gid strings)."""
    if not mapping:
        return text
    pattern = re.compile(r"(?<![0-9])(" + "|".join(str(k) for k in mapping) + r")(?![0-9])")
    return pattern.sub(lambda m: str(mapping[int(m.group(1))]), text)


def make_orders(count: int, *, pos_every: int = 3, cancel_every: int = 0) -> list[dict]:
    """``count`` distinct orders built from the REST order fixture: ids beyond
    2**53, one minute apart; every ``pos_every``-th is a POS order."""
    template = fixture_bytes("rest2024-04_order_get.json").decode()
    orders = []
    for index in range(count):
        base = BIG_ORDER_BASE + index * 100
        mapping = {TEMPLATE_IDS["order"]: base, TEMPLATE_IDS["refund"]: base + 50}
        for offset, old in enumerate(TEMPLATE_IDS["line_items"], start=1):
            mapping[old] = base + offset
        for offset, old in enumerate(TEMPLATE_IDS["refund_lines"], start=51):
            mapping[old] = base + offset
        for offset, old in enumerate(TEMPLATE_IDS["others"], start=80):
            mapping[old] = base + offset
        order = json.loads(remap_ids(template, mapping))["order"]
        stamp = f"{index // 60:02d}:{index % 60:02d}"
        order["created_at"] = order["processed_at"] = f"2026-11-27T10:{stamp}-05:00"
        order["updated_at"] = f"2026-11-27T12:{stamp}-05:00"
        if pos_every and index % pos_every == 0:
            order["source_name"] = "pos"
            order["location_id"] = 655441491
        if cancel_every and index % cancel_every == cancel_every - 1:
            order["cancelled_at"] = f"2026-11-27T13:{stamp}-05:00"
            order["cancel_reason"] = "customer"
        orders.append(order)
    return orders
