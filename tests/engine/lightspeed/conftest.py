"""Lightspeed engine tests: make ``lightspeed_engine`` importable (its addon
dir, ``pos_connector_lightspeed/``, has no ``__manifest__.py`` yet, so the
root conftest does not add it), ``demand_engine`` and this folder's helpers."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

for path in (REPO / "pos_connector_lightspeed", REPO / "pos_ai_replenishment", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
