"""Known answers end to end: Poisson safety stock, censoring, MOQ/pack rounding, statuses."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting import backtest as bt
from demand_engine.forecasting.models import MODELS
from demand_engine.forecasting.policy import round_order_qty
from demand_engine.forecasting.run import forecast_frame


def _poisson_frame(n_series: int, lam: float, days: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=days)
    return pd.concat(
        pd.DataFrame({"unique_id": f"p{i:02d}", "ds": ds, "y": rng.poisson(lam, days) * 1.0})
        for i in range(n_series)
    ).reset_index(drop=True)


def test_poisson_safety_stock_matches_closed_form():
    """i.i.d. Poisson(λ) demand: σ_d = sqrt(λ), so SS = z·sqrt(L·λ) (no lead-time spread)."""
    lam, lead = 20.0, 9.0
    df = _poisson_frame(30, lam, 420)
    ids = sorted(df["unique_id"].unique())
    lt = pd.DataFrame({"unique_id": ids, "lead_time": lead, "moq": 25.0, "pack_size": 12.0})
    lt["inventory_position"] = 0.0
    res = forecast_frame(df, 28, lt, serial=True)
    pol = res.policy.set_index("unique_id")
    closed = pol["z"] * np.sqrt(lead * lam)
    ratio = pol["safety_stock"] / closed
    assert ratio.median() == pytest.approx(1.0, abs=0.1)
    assert ratio.between(0.6, 1.4).all()
    assert pol["demand_mean"].mean() == pytest.approx(lam, rel=0.05)
    # order quantities: MOQ then pack multiples of the order-up-to level
    expected = round_order_qty(pol["order_up_to"].to_numpy(), 25.0, 12.0)
    np.testing.assert_allclose(pol["order_qty"], expected)
    assert (pol["order_qty"] % 12 == 0).all() and (pol["order_qty"] >= 25).all()


def test_censoring_recovers_the_mean():
    """30 Poisson(6) series, a quarter of the days out of stock (zero sales, flagged)."""
    lam = 6.0
    df = _poisson_frame(30, lam, 420, seed=11)
    rng = np.random.default_rng(12)
    so = rng.random(len(df)) < 0.25
    df.loc[so, "y"] = 0.0  # no stock: nothing sold, whatever the demand
    censored = bt.backtest(df.assign(stockout=so), 28)
    naive = bt.backtest(df, 28)
    assert censored.forecast["yhat"].mean() == pytest.approx(lam, rel=0.1)
    assert naive.forecast["yhat"].mean() < 0.85 * lam  # stockout zeros read as demand
    # the per-series path too: the censor-filled 28-day mean is unbiased
    one = df[df["unique_id"] == "p00"]
    filled = bt.censor_fill(one["y"].to_numpy(), so[one.index])
    means = [
        bt.censor_fill(g["y"].to_numpy(), so[g.index])[-28:].mean()
        for _, g in df.groupby("unique_id")
    ]
    assert np.mean(means) == pytest.approx(lam, rel=0.05) and filled.size == 420


def test_statuses_and_no_crash(monkeypatch):
    ds = pd.date_range("2025-01-01", periods=90)
    real = bt._score_series

    def flaky(y, stockout, h, folds):
        if y[0] == 77.0:
            raise ValueError("boom")
        return real(y, stockout, h, folds)

    monkeypatch.setattr(bt, "_score_series", flaky)
    df = pd.concat(
        [
            pd.DataFrame({"unique_id": "ok", "ds": ds, "y": np.tile([3.0, 5.0, 4.0], 30)}),
            pd.DataFrame({"unique_id": "zero", "ds": ds, "y": 0.0}),
            pd.DataFrame({"unique_id": "short", "ds": ds[-5:], "y": [1.0, 2.0, 0.0, 3.0, 2.0]}),
            pd.DataFrame({"unique_id": "bad", "ds": ds, "y": np.r_[77.0, np.full(89, 2.0)]}),
        ]
    )
    lt = pd.DataFrame({"unique_id": ["ok", "zero", "short", "bad", "new"], "lead_time": 5.0})
    res = forecast_frame(df, 14, lt, serial=True)
    s = res.series.set_index("unique_id")
    assert s["status"].to_dict() == {
        "ok": "ok",
        "zero": "no_demand",
        "short": "short_history",
        "bad": "fallback",
        "new": "no_history",
    }
    assert "boom" in s.loc["bad", "error"] and s.loc["ok", "error"] == ""
    assert s.loc["bad", "model"] == "moving_average"
    fc = res.forecast.set_index("unique_id")
    assert res.forecast.groupby("unique_id").size().eq(14).all() and len(fc.index.unique()) == 5
    assert (fc.loc["zero", "yhat"] == 0).all() and (fc.loc["new", "yhat"] == 0).all()
    assert fc.loc["short", "yhat"].iloc[0] == pytest.approx(1.6)  # mean of the 5 days
    assert fc.loc["bad", "yhat"].iloc[0] == pytest.approx(2.0)  # 28-day mean fallback
    assert len(res.policy) == 5 and not res.policy.isna().any().any()


def test_dow_profile_recovers_weekly_pattern():
    week = np.array([2.0, 3.0, 4.0, 5.0, 8.0, 12.0, 6.0])
    fit = MODELS["dow_profile"].fit(np.tile(week, 60), 14)
    np.testing.assert_allclose(fit.mean, np.tile(week, 2), rtol=0.05)  # shrunk 2.4%
    sparse = np.zeros(70)
    sparse[5] = 1.0  # one unit sold: the profile stays nearly flat
    assert MODELS["dow_profile"].fit(sparse, 7).mean.std() < 0.01
