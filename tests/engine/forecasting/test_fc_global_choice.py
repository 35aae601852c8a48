"""Global path: the ensemble scored on two rolling origins without leakage, and the
per-series choice between the ensemble and the local zoo (known answers)."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting import backtest as bt
from demand_engine.forecasting import gbm

H = 28
N = 400
# a weekly pattern that moved from the start to the end of the week 100 days ago: the
# 52-week weekday factors are stale, the seasonal naive is exact
OLD = np.array([40.0, 40.0, 0.0, 0.0, 0.0, 0.0, 0.0])
NEW = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 40.0, 40.0])


def _noise_inputs(n_series=24, n=N, seed=3):
    rng = np.random.default_rng(seed)
    weekday = np.arange(n + H) % 7
    return [
        gbm.SeriesInput(
            f"s{i}",
            rng.poisson(3 + i % 5, n).astype(float),
            weekday,
            np.full(n + H, 2.0),
            np.zeros(n + H),
            np.zeros(n + H),
        )
        for i in range(n_series)
    ]


def _frame(periodic: bool, n_noise=30, seed=7):
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=N)
    parts = [
        pd.DataFrame({"unique_id": f"n{i:02d}", "ds": ds, "y": rng.poisson(4 + i % 6, N) * 1.0})
        for i in range(n_noise)
    ]
    if periodic:
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": "periodic",
                    "ds": ds,
                    "y": np.concatenate([np.resize(OLD, N - 105), np.resize(NEW, 105)]),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_global_forecast_scores_two_folds_without_leakage():
    pytest.importorskip("lightgbm")
    inputs = _noise_inputs()
    glob = gbm.global_forecast(inputs, H, folds=2)
    assert all(set(glob.folds[s.uid]) == {1, 2} for s in inputs)
    assert all(np.array_equal(glob.folds[s.uid][1], glob.fold[s.uid]) for s in inputs)

    def changed(lo, hi):  # every series with its days n - lo .. n - hi changed
        out = []
        for s in inputs:
            y = s.y.copy()
            y[y.size - lo : y.size - hi] = y[y.size - lo : y.size - hi] * 5 + 9
            out.append(gbm.SeriesInput(s.uid, y, s.weekday, s.price, s.promo, s.event))
        return gbm.global_forecast(out, H, folds=2)

    # the last h days (fold 1's actuals): no scoring fold may move, the forecast does
    moved = changed(H, 0)
    for s in inputs:
        np.testing.assert_array_equal(glob.folds[s.uid][2], moved.folds[s.uid][2])
        np.testing.assert_array_equal(glob.folds[s.uid][1], moved.folds[s.uid][1])
    assert any(not np.array_equal(glob.mean[s.uid], moved.mean[s.uid]) for s in inputs)
    # the days n - 2h .. n - h (fold 2's actuals): fold 2 must not move; fold 1 sees
    # them as inputs, so it does
    moved = changed(2 * H, H)
    for s in inputs:
        np.testing.assert_array_equal(glob.folds[s.uid][2], moved.folds[s.uid][2])
    assert any(not np.array_equal(glob.folds[s.uid][1], moved.folds[s.uid][1]) for s in inputs)


def test_global_forecast_one_fold_by_default():
    pytest.importorskip("lightgbm")
    glob = gbm.global_forecast(_noise_inputs(), H)
    assert all(set(f) == {1} for f in glob.folds.values())


def _ho(fold_abs, days=H, wape=0.5):
    return bt.Holdout(
        dict(fold_abs), dict.fromkeys(fold_abs, days), {}, (wape, 1.0, 0.0), 1.0, days * 2
    )


def test_prefer_local_known_answers():
    ens = _ho({2: 100.0, 1: 100.0})
    # clear win on both folds: switches, and the lower pooled WAPE wins among winners
    assert bt.prefer_local(ens, {"ses": _ho({2: 70.0, 1: 75.0}, wape=0.4)}) == "ses"
    two = {"ses": _ho({2: 70.0, 1: 75.0}, wape=0.4), "tsb": _ho({2: 60.0, 1: 60.0}, wape=0.3)}
    assert bt.prefer_local(ens, two) == "tsb"
    # a big win on one fold and a loss on the other: keeps the ensemble
    assert bt.prefer_local(ens, {"ses": _ho({2: 10.0, 1: 101.0})}) is None
    # better on both folds, but by less than MIN_GAIN: keeps the ensemble
    assert bt.prefer_local(ens, {"ses": _ho({2: 85.0, 1: 85.0})}) is None
    # 50% better but only 1 unit over 28 days (< MIN_GAIN_UNITS per day): keeps it
    small = _ho({2: 2.0, 1: 2.0})
    assert bt.prefer_local(small, {"ses": _ho({2: 1.0, 1: 1.0})}) is None
    # a single scored fold is not enough to leave the ensemble
    assert bt.prefer_local(_ho({1: 100.0}), {"ses": _ho({1: 0.0})}) is None


def test_holdout_pools_folds():
    y = np.array([1.0] * 10 + [2.0] * 5 + [4.0] * 5)
    so = np.zeros(20, dtype=bool)
    ho = bt.holdout({2: np.full(5, 1.0), 1: np.full(5, 4.0)}, y, so, y, 5)
    # fold 2 (days 10-14): error -1 a day; fold 1 (days 15-19): exact
    assert ho.fold_abs == {2: 5.0, 1: 0.0}
    assert ho.scores[0] == pytest.approx(5.0 / 30.0)
    assert ho.scores[2] == pytest.approx(-5.0 / 30.0)
    assert ho.rmse == pytest.approx(np.sqrt(0.5))
    assert ho.fold_wape == {2: pytest.approx(0.5), 1: 0.0}


def test_clear_local_winner_switches_noise_keeps_ensemble():
    pytest.importorskip("lightgbm")
    res = bt.backtest(_frame(periodic=True), H)
    series = res.series.set_index("unique_id")
    # the moved pattern: seasonal naive is perfect on both folds
    assert series.loc["periodic", "model"] == "seasonal_naive"
    assert series.loc["periodic", "sigma"] == pytest.approx(0.0)
    assert series.loc["periodic", "wape"] == pytest.approx(0.0)
    noise = series.drop(index="periodic")
    assert (noise["model"] == bt.ENSEMBLE).all()
    assert (noise["sigma"] > 0).all() and noise["wape"].notna().all()
    # every ok series has the ensemble's and every local model's 2-fold scores
    scores = res.scores
    assert set(scores["model"]) == {bt.ENSEMBLE, *bt.MODELS}
    assert len(scores) == len(series) * (len(bt.MODELS) + 1)
    ens = scores[scores["model"] == bt.ENSEMBLE].set_index("unique_id")
    np.testing.assert_allclose(ens.loc[noise.index, "wape"], noise["wape"])


def test_ensemble_scores_are_pooled_over_two_folds():
    pytest.importorskip("lightgbm")
    df = _frame(periodic=False)
    one = bt.backtest(df, H, folds=1).series.set_index("unique_id")
    two = bt.backtest(df, H, folds=2).series.set_index("unique_id")
    assert (one["model"] == bt.ENSEMBLE).all() and (two["model"] == bt.ENSEMBLE).all()
    # the last fold is shared; pooling in the earlier one changes the scores and sigma
    assert not np.allclose(one["wape"], two["wape"])
    assert not np.allclose(one["sigma"], two["sigma"])
    assert one.columns.tolist() == two.columns.tolist()
