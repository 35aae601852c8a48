"""Real data: ~20 M5 series (Walmart unit sales), the last 28 days as horizon."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.backtest import FORECAST_COLUMNS, SERIES_COLUMNS, backtest
from demand_engine.forecasting.run import forecast_frame

# tests/engine/forecasting/<this> -> parents[3] is the repo; the data sits beside it
M5 = Path(__file__).resolve().parents[4] / "shared/data/m5/tiny_m5.parquet"
H = 28


@pytest.fixture(scope="module")
def m5() -> pd.DataFrame:
    if not M5.exists():
        pytest.skip(f"M5 sample not found at {M5}")
    pytest.importorskip("pyarrow", reason="reading parquet needs pyarrow")
    raw = pd.read_parquet(M5, columns=["item_id", "store_id", "date", "value", "sell_price"])
    raw["unique_id"] = raw["item_id"].astype(str) + "_" + raw["store_id"].astype(str)
    ids = sorted(raw["unique_id"].unique())[::14][:20]  # spread over items and stores
    df = raw[raw["unique_id"].isin(ids)].rename(columns={"date": "ds", "value": "y"})
    df = df[df["ds"] > df["ds"].max() - pd.Timedelta(days=365 + H)]  # last ~13 months
    return df[["unique_id", "ds", "y", "sell_price"]].reset_index(drop=True)


def test_m5_backtest_beats_or_equals_moving_average(m5):
    res = backtest(m5, h=H, folds=2, global_model=False)  # the per-series choice alone
    assert len(res.series) == m5["unique_id"].nunique() >= 15
    assert list(res.series.columns)[: len(SERIES_COLUMNS)] == SERIES_COLUMNS
    assert list(res.forecast.columns) == FORECAST_COLUMNS
    assert not res.series.isna().any().any() and not res.forecast.isna().any().any()
    assert len(res.forecast) == H * len(res.series)
    ma = res.scores[res.scores["model"] == "moving_average"]["mase"].mean()
    assert res.series["mase"].mean() <= ma + 1e-12


def test_m5_holdout_and_policy(m5):
    """Select on the history before the last 28 days, then score those 28 unseen days."""
    cut = m5["ds"].max() - pd.Timedelta(days=H)
    train, test = m5[m5["ds"] <= cut], m5[m5["ds"] > cut]
    ids = sorted(m5["unique_id"].unique())
    lead = pd.DataFrame({"unique_id": ids, "lead_time": 7.0, "lead_time_std": 2.0})
    revenue = (
        train.assign(revenue=train["y"] * train["sell_price"].fillna(0))
        .groupby("unique_id")["revenue"]
        .sum()
        .reset_index()
    )
    res = forecast_frame(train[["unique_id", "ds", "y"]], H, lead, revenue=revenue, serial=True)
    for frame in (res.series, res.forecast, res.policy):
        assert not frame.isna().any().any()
    assert set(res.policy["abc"]) <= {"A", "B", "C"}
    merged = res.forecast.merge(test, on=["unique_id", "ds"])
    assert len(merged) == H * len(ids)
    mase_chosen, mase_ma = [], []
    for uid, g in merged.groupby("unique_id"):
        hist = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
        scale = np.mean(np.abs(hist[7:] - hist[:-7])) or 1.0
        y = g["y"].to_numpy(float)
        mase_chosen.append(np.mean(np.abs(g["yhat"].to_numpy() - y)) / scale)
        mase_ma.append(np.mean(np.abs(hist[-28:].mean() - y)) / scale)
    # out of sample the choice is not guaranteed to win; it must not be much worse
    assert np.mean(mase_chosen) <= 1.1 * np.mean(mase_ma)
