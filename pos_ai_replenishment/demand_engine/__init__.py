"""Plain-Python demand engine: signature checks, unified payload parsing, daily
aggregation and demo history. Nothing here imports odoo, so it is tested and
benchmarked on any machine (see ``tests/engine`` at the repository root)."""
