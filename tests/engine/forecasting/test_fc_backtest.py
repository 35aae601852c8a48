"""Backtest: model choice, intervals and censoring of stockout days."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.backtest import (
    EXTRA_COLUMNS,
    FORECAST_COLUMNS,
    SERIES_COLUMNS,
    backtest,
    censor_fill,
)

WEEK = np.array([2.0, 3.0, 4.0, 5.0, 8.0, 12.0, 6.0])


def _long(series: dict[str, np.ndarray], **extra) -> pd.DataFrame:
    parts = []
    for k, v in series.items():
        part = pd.DataFrame({"unique_id": k, "ds": pd.date_range("2025-01-06", periods=len(v))})
        part["y"] = v
        for col, values in extra.items():
            part[col] = values[k]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _intermittent(n: int, size: float) -> np.ndarray:
    y = np.zeros(n)
    y[4::5] = size
    return y


def test_weekly_pattern_chooses_seasonal_naive():
    df = _long({"a": np.tile(WEEK, 20), "b": np.tile(WEEK * 3, 20)})
    res = backtest(df, h=14, folds=2)
    assert list(res.series.columns) == SERIES_COLUMNS + EXTRA_COLUMNS
    assert (res.series["status"] == "ok").all()
    assert list(res.forecast.columns) == FORECAST_COLUMNS
    assert (res.series["model"] == "seasonal_naive").all()
    assert (res.series["mase"] == 0).all() and (res.series["wape"] == 0).all()
    fa = res.forecast[res.forecast.unique_id == "a"]
    np.testing.assert_allclose(fa["yhat"], np.tile(WEEK, 2))
    assert fa["ds"].iloc[0] == pd.Timestamp("2025-01-06") + pd.Timedelta(days=140)
    np.testing.assert_allclose(fa["yhat_lo"], fa["yhat_hi"])  # zero residuals


def test_intermittent_chooses_croston_family():
    # origins right after a demand day; MAE favours the lowest mean-like forecast: SBA
    df = _long({"i4": _intermittent(200, 4.0), "i9": _intermittent(200, 9.0)})
    res = backtest(df, h=10, folds=2)
    assert set(res.series["model"]) <= {"croston", "sba", "tsb"}
    assert (res.series["demand_class"] == "intermittent").all()


def test_constant_series_tie_goes_to_simplest():
    res = backtest(_long({"c": np.full(90, 5.0)}), h=7)
    assert res.series["model"].iloc[0] == "seasonal_naive"
    tied = res.scores[res.scores["mase"] == 0]["model"]
    assert {"seasonal_naive", "moving_average", "ses", "croston"} <= set(tied)


def test_censor_fill():
    y = np.array([2.0, 4.0, 0.0, 6.0, 0.0])
    so = np.array([False, False, True, False, True])
    np.testing.assert_allclose(censor_fill(y, so), [2, 4, 3, 6, 4])
    np.testing.assert_allclose(censor_fill(y, so, window=1), [2, 4, 4, 6, 6])
    np.testing.assert_allclose(censor_fill([0.0, 0.0], [True, True]), [0, 0])


def test_stockout_days_are_excluded_from_errors():
    n = 84
    y = np.full(n, 5.0)
    so = np.zeros(n, bool)
    for day in (20, 21, 70, 71, 72, 80):  # no stock: zero sales recorded
        y[day], so[day] = 0.0, True
    censored = backtest(_long({"s": y}, stockout={"s": so}), h=14)
    naive = backtest(_long({"s": y}), h=14)
    row = censored.series.iloc[0]
    assert row["wape"] == 0.0 and row["mase"] == 0.0 and row["bias"] == 0.0
    np.testing.assert_allclose(censored.forecast["yhat"], 5.0)
    assert naive.series["wape"].iloc[0] > 0.0  # stockout zeros counted as demand


def test_interval_levels_and_no_nan():
    rng = np.random.default_rng(1)
    y = rng.poisson(np.tile(WEEK, 15)).astype(float)
    df = _long({"p": y})
    r80 = backtest(df, h=7, level=80)
    r95 = backtest(df, h=7, level=95)
    w80 = (r80.forecast.yhat_hi - r80.forecast.yhat).to_numpy()
    w95 = (r95.forecast.yhat_hi - r95.forecast.yhat).to_numpy()
    np.testing.assert_allclose(w95 / w80, 1.959964 / 1.281552, rtol=1e-5)
    assert (r80.forecast.yhat_lo >= 0).all()
    assert not r80.series.isna().any().any() and not r80.forecast.isna().any().any()
    assert r80.series["sigma"].iloc[0] > 0


@pytest.mark.parametrize("n", [1, 5, 10])
def test_short_series_do_not_crash(n):
    res = backtest(_long({"s": np.arange(n, dtype=float)}), h=7)
    assert len(res.forecast) == 7


def test_stockout_column_with_missing_values():
    y = np.full(40, 3.0)
    so = pd.array([None] * 40, dtype=object)
    res = backtest(_long({"s": y}, stockout={"s": so}), h=7)
    assert res.series["wape"].iloc[0] == 0.0
