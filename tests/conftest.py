"""Engine tier: make each addon's plain-Python engine package importable
without Odoo (``demand_engine`` from ``pos_ai_replenishment/``...)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

for manifest in sorted(ROOT.glob("*/__manifest__.py")):
    addon_dir = str(manifest.parent)
    if addon_dir not in sys.path:
        sys.path.insert(0, addon_dir)
