"""Vendor engine tests: make ``vendor_engine`` importable (its addon dir,
``vendor_comms_ai/``, may have no ``__manifest__.py`` yet, so the root
conftest does not add it), and this folder's helper modules."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

for path in (REPO / "vendor_comms_ai", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
