"""Shopify engine tests: make ``shopify_engine`` importable (its addon dir,
``pos_connector_shopify/``, has no ``__manifest__.py`` yet, so the root
conftest does not add it), and this folder's helper modules."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

for path in (REPO / "pos_connector_shopify", REPO / "pos_ai_replenishment", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
