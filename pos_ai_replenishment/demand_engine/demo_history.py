"""Seasonal POS sales history for demo databases and load tests.

Daily units per series are Poisson draws around a rate built from a base
velocity, a weekday profile (retail weekends), a yearly seasonal wave peaking on
a chosen day of the year, and a gentle trend. Returns are a small binomial share
of the units sold. Output is long format (``unique_id, ds, y``) plus ``returns``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

# Monday .. Sunday multipliers: stores sell most at the weekend.
WEEKDAY_PROFILE = np.array([0.85, 0.8, 0.85, 0.95, 1.15, 1.35, 1.05])


def seasonal_daily_sales(
    series: pd.DataFrame,
    start: date,
    days: int,
    seed: int = 0,
    return_rate: float = 0.03,
) -> pd.DataFrame:
    """Generate ``days`` of daily sales for each row of ``series``.

    ``series`` columns: ``unique_id``, ``base_rate`` (mean units/day),
    ``peak_day`` (day of year of the seasonal high), ``amplitude`` (0..1
    seasonal swing) and optional ``trend`` (relative growth per year).
    """
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=days, freq="D")
    day_of_year = ds.day_of_year.to_numpy()
    elapsed_years = np.arange(days) / 365.0
    weekday = WEEKDAY_PROFILE[ds.day_of_week.to_numpy()]

    base = series["base_rate"].to_numpy(float)[:, None]
    peak = series["peak_day"].to_numpy(float)[:, None]
    amplitude = series["amplitude"].to_numpy(float)[:, None]
    trend = series.get("trend", pd.Series(0.0, index=series.index)).to_numpy(float)[:, None]

    season = 1.0 + amplitude * np.cos(2 * np.pi * (day_of_year[None, :] - peak) / 365.25)
    rate = base * weekday[None, :] * season * (1.0 + trend * elapsed_years[None, :])
    units = rng.poisson(np.clip(rate, 0.0, None))
    returns = rng.binomial(units, return_rate)

    return pd.DataFrame(
        {
            "unique_id": np.repeat(series["unique_id"].to_numpy(), days),
            "ds": np.tile(ds.to_numpy(), len(series)),
            "y": units.ravel(),
            "returns": returns.ravel(),
        }
    )
