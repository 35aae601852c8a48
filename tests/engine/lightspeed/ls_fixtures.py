"""The shared Lightspeed fixtures, by path (never copied into the repository)."""

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "pos" / "lightspeed"


def fixture_path(name: str) -> Path:
    """A shared fixture file; the test is skipped if the shared folder is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared Lightspeed fixtures not found at {FIXTURES}")
    return FIXTURES / name


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def fixture_json(name: str):
    return json.loads(fixture_bytes(name))


def all_fixture_names() -> list[str]:
    """Every Lightspeed JSON fixture (empty when the shared folder is absent)."""
    return sorted(p.name for p in FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []
