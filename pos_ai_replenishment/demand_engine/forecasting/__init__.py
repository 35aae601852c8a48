"""Forecasting and policy engine: demand classes, a small model zoo, rolling-origin
backtests with censoring, and safety stock / reorder points. Long frames
(``unique_id, ds, y``), pandas and numpy only; nothing here imports odoo."""
