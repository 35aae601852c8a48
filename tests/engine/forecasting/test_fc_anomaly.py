"""Anomaly detection on constructed series with known answers, and on real M5 data."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.anomaly import ANOMALY_COLUMNS, detect_anomalies, fit_profile

M5 = Path(__file__).resolve().parents[4] / "shared/data/m5/tiny_m5.parquet"
N = 120
START = "2026-01-05"  # a Monday


def _series(y, uid="a", **extra) -> pd.DataFrame:
    y = np.asarray(y, dtype=float)
    ds = pd.date_range(START, periods=y.size)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": y, **extra})


def _poisson(rng, lam, n=N) -> np.ndarray:
    return rng.poisson(lam, n).astype(float)


def test_injected_spike_is_the_only_anomaly():
    rng = np.random.default_rng(1)
    y = _poisson(rng, 10)
    y[-1] = 60
    df = _series(y)
    out = detect_anomalies(df)
    assert list(out.columns) == ANOMALY_COLUMNS
    assert len(out) == 1
    row = out.iloc[0]
    assert row["kind"] == "spike" and row["ds"] == df["ds"].iloc[-1]
    assert row["score"] > 3 and row["actual"] == 60
    assert 7 < row["expected"] < 13
    assert "Sold 60 on " in row["reason"] and "spike" in row["reason"]
    assert "above forecast" in row["reason"]
    # score is the number of sigmas: about (60 - 10) / sqrt(10)
    assert 12 < row["score"] < 19


def test_pure_noise_has_few_false_positives():
    rng = np.random.default_rng(2)
    df = pd.concat(_series(_poisson(rng, 10), f"s{i}") for i in range(200))
    out = detect_anomalies(df, level=99.9)
    flagged = out[out["kind"].isin(["spike", "drop"])]
    # 200 series x 7 recent days = 1400 tests; nominal two-sided rate 0.1%
    assert len(flagged) <= 10
    assert (out["kind"] == "forecast_drift").sum() <= 4
    # the seed-1 series of the spike test, without the injection, is clean
    clean = _series(_poisson(np.random.default_rng(1), 10))
    assert detect_anomalies(clean, level=99.9).empty


def test_drop_on_a_busy_series_but_not_on_a_stockout_day():
    rng = np.random.default_rng(3)
    y = _poisson(rng, 40)
    y[-2] = 5
    out = detect_anomalies(_series(y))
    drops = out[out["kind"] == "drop"]
    assert len(drops) == 1 and drops.iloc[0]["actual"] == 5
    assert "below forecast" in drops.iloc[0]["reason"]
    stockout = np.zeros(N, dtype=bool)
    stockout[-2] = True
    out = detect_anomalies(_series(y, stockout=stockout))
    assert not (out["kind"] == "drop").any()


def test_no_drop_when_expected_is_too_small():
    rng = np.random.default_rng(4)
    y = _poisson(rng, 3)
    y[-1] = 0  # z * sigma exceeds the expected 3: a drop is impossible
    assert not (detect_anomalies(_series(y))["kind"] == "drop").any()


def test_zero_run_with_stock_on_hand_scores_minus_log10_probability():
    y = np.full(N, 5.0)
    y[-6:] = 0
    out = detect_anomalies(_series(y, on_hand=20.0))
    zero = out[out["kind"] == "zero_sales_with_stock"]
    assert len(zero) == 1
    row = zero.iloc[0]
    assert row["score"] == pytest.approx(-math.log10(math.exp(-30)), rel=1e-9)
    assert row["expected"] == pytest.approx(30) and row["actual"] == 0
    assert row["ds"] == pd.Timestamp(START) + pd.Timedelta(days=N - 1)
    assert row["reason"].startswith("No sales for 6 days while 20 units were on hand")
    assert "about 30 sales were expected" in row["reason"]
    assert out.iloc[0]["kind"] == "zero_sales_with_stock"  # highest score first
    # the zero days are explained by the run, not repeated as drops
    assert not (out["kind"] == "drop").any()


def test_zero_run_on_noisy_series_close_to_expected_mean():
    rng = np.random.default_rng(5)
    y = _poisson(rng, 5)
    y[-6:] = 0
    out = detect_anomalies(_series(y, on_hand=20.0))
    row = out[out["kind"] == "zero_sales_with_stock"].iloc[0]
    assert row["score"] == pytest.approx(30 / math.log(10), rel=0.2)
    assert row["score"] == pytest.approx(row["expected"] / math.log(10))


def test_zero_run_needs_stock_and_a_low_probability():
    y = np.full(N, 5.0)
    y[-6:] = 0
    stockout = np.zeros(N, dtype=bool)
    stockout[-6:] = True
    assert detect_anomalies(_series(y, on_hand=20.0, stockout=stockout)).empty
    on_hand = np.full(N, 20.0)
    on_hand[-6:] = 0
    assert detect_anomalies(_series(y, on_hand=on_hand)).empty
    # unknown stock: no zero-run claim
    zero_kinds = detect_anomalies(_series(y, on_hand=np.nan))["kind"]
    assert not (zero_kinds == "zero_sales_with_stock").any()
    # one zero day at mean 5: exp(-5) = 0.67% < 1%, but not below 0.1%
    y1 = np.full(N, 5.0)
    y1[-1] = 0
    assert (detect_anomalies(_series(y1, on_hand=20.0))["kind"] == "zero_sales_with_stock").any()
    out = detect_anomalies(_series(y1, on_hand=20.0), zero_run_probability=0.001)
    assert not (out["kind"] == "zero_sales_with_stock").any()


def test_level_shift_is_forecast_drift_upwards():
    rng = np.random.default_rng(6)
    y = _poisson(rng, 10)
    y[-28:] = _poisson(rng, 16, 28)
    out = detect_anomalies(_series(y))
    drift = out[out["kind"] == "forecast_drift"]
    assert len(drift) == 1
    row = drift.iloc[0]
    assert row["score"] > 4 and row["actual"] > row["expected"]
    assert 0.4 < row["actual"] / row["expected"] - 1 < 0.8
    assert "above forecast" in row["reason"] and "shifted up" in row["reason"]
    assert row["ds"] == pd.Timestamp(START) + pd.Timedelta(days=N - 1)
    down = y.copy()
    down[-28:] = _poisson(rng, 5, 28)
    drift = detect_anomalies(_series(down)).query("kind == 'forecast_drift'")
    assert len(drift) == 1 and "below forecast" in drift.iloc[0]["reason"]
    assert detect_anomalies(_series(y), drift_threshold=1e6).query("kind == 'forecast_drift'").empty


def test_weekend_pattern_is_not_a_spike():
    rng = np.random.default_rng(7)
    ds = pd.date_range(START, periods=N)
    lam = np.where(ds.dayofweek >= 5, 30.0, 10.0)
    df = pd.concat(_series(rng.poisson(lam).astype(float), f"w{i}") for i in range(40))
    out = detect_anomalies(df)
    weekend_spikes = out[(out["kind"] == "spike") & (out["ds"].dt.dayofweek >= 5)]
    assert len(weekend_spikes) <= 2  # of 80 recent weekend days
    # the profile carries the weekend factor (about 3x the weekdays)
    y, wd = df[df["unique_id"] == "w0"]["y"].to_numpy(), ds.dayofweek.to_numpy()
    prof = fit_profile(y, np.zeros(N, dtype=bool), wd)
    ratio = prof.expected(np.array([5]))[0] / prof.expected(np.array([1]))[0]
    assert 2.2 < ratio < 3.3


def test_short_all_zero_and_empty_inputs():
    rng = np.random.default_rng(8)
    short = _series(np.r_[_poisson(rng, 10, 30), 90.0], "short")  # 24 baseline days
    zeros = _series(np.zeros(N), "zeros", on_hand=10.0)
    out = detect_anomalies(pd.concat([short, zeros]))
    assert out.empty and list(out.columns) == ANOMALY_COLUMNS
    assert not detect_anomalies(short, min_history=20).empty
    empty = detect_anomalies(pd.DataFrame(columns=["unique_id", "ds", "y"]))
    assert empty.empty and list(empty.columns) == ANOMALY_COLUMNS
    assert pd.api.types.is_datetime64_any_dtype(empty["ds"])


def test_multiple_series_keep_their_ids_and_sort_by_score():
    rng = np.random.default_rng(9)
    a, b, c = _poisson(rng, 10), _poisson(rng, 10), _poisson(rng, 10)
    a[-1], b[-3] = 60, 35
    df = pd.concat([_series(a, "A"), _series(b, "B"), _series(c, "C")]).sample(
        frac=1.0, random_state=0
    )
    out = detect_anomalies(df, level=99.9)
    last = pd.Timestamp(START) + pd.Timedelta(days=N - 1)
    big = out[(out["kind"] == "spike") & (out["score"] > 5)]
    assert list(zip(big["unique_id"], big["ds"], strict=True)) == [
        ("A", last),
        ("B", last - pd.Timedelta(2, "D")),
    ]
    assert big["actual"].tolist() == [60, 35]
    assert "C" not in set(out["unique_id"])
    assert out["score"].is_monotonic_decreasing


def test_m5_runs_clean():
    if not M5.exists():
        pytest.skip(f"M5 sample not found at {M5}")
    pytest.importorskip("pyarrow", reason="reading parquet needs pyarrow")
    raw = pd.read_parquet(M5, columns=["item_id", "store_id", "date", "value"])
    df = pd.DataFrame(
        {
            "unique_id": raw["item_id"].astype(str) + "_" + raw["store_id"].astype(str),
            "ds": raw["date"],
            "y": raw["value"].astype(float),
        }
    )
    n_series = df["unique_id"].nunique()
    assert n_series == 280
    out = detect_anomalies(df, level=99.9)
    assert list(out.columns) == ANOMALY_COLUMNS
    assert not out.isna().any().any()
    assert set(out["kind"]) <= {"spike", "drop", "zero_sales_with_stock", "forecast_drift"}
    assert (out["score"] >= 0).all() and out["score"].is_monotonic_decreasing
    flagged = out.loc[out["kind"].isin(["spike", "drop"]), "unique_id"].nunique()
    assert flagged / n_series < 0.5
    assert out["unique_id"].nunique() / n_series < 0.5
    assert out["reason"].str.len().gt(20).all() and out["reason"].str.endswith(".").all()
