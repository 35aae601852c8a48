from datetime import date

import numpy as np
import pandas as pd
from demand_engine.demo_history import seasonal_daily_sales

SERIES = pd.DataFrame(
    {
        "unique_id": ["summer", "winter"],
        "base_rate": [20.0, 20.0],
        "peak_day": [182, 1],
        "amplitude": [0.8, 0.8],
    }
)


def test_long_format_one_row_per_series_and_day():
    frame = seasonal_daily_sales(SERIES, date(2025, 1, 1), 365, seed=3)
    assert list(frame.columns) == ["unique_id", "ds", "y", "returns"]
    assert len(frame) == 2 * 365
    assert frame.groupby("unique_id").size().tolist() == [365, 365]
    assert (frame["y"] >= 0).all()
    assert (frame["returns"] <= frame["y"]).all()


def test_seasonality_and_weekends_show_in_the_draws():
    frame = seasonal_daily_sales(SERIES, date(2025, 1, 1), 365, seed=3)
    frame["month"] = frame["ds"].dt.month
    monthly = frame.pivot_table(index="month", columns="unique_id", values="y", aggfunc="mean")
    assert monthly.loc[7, "summer"] > 2 * monthly.loc[1, "summer"]
    assert monthly.loc[1, "winter"] > 2 * monthly.loc[7, "winter"]
    weekday = frame.groupby(frame["ds"].dt.day_of_week)["y"].mean()
    assert weekday[5] > weekday[1]  # Saturday beats Tuesday


def test_same_seed_same_history():
    first = seasonal_daily_sales(SERIES, date(2025, 1, 1), 60, seed=11)
    second = seasonal_daily_sales(SERIES, date(2025, 1, 1), 60, seed=11)
    pd.testing.assert_frame_equal(first, second)
    third = seasonal_daily_sales(SERIES, date(2025, 1, 1), 60, seed=12)
    assert not np.array_equal(first["y"].to_numpy(), third["y"].to_numpy())


def test_mean_matches_the_base_rate_on_real_scale():
    flat = SERIES.assign(amplitude=0.0)
    frame = seasonal_daily_sales(flat, date(2025, 1, 6), 364, seed=5)
    # 52 full weeks: the weekday profile averages to ~1.0
    assert abs(frame["y"].mean() - 20.0) < 1.0
