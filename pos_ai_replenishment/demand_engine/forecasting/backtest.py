"""Rolling-origin backtest, per-series model choice and prediction intervals.

Input is a long daily frame ``unique_id, ds, y`` (one row per series and day, no gaps)
with an optional boolean ``stockout`` column. Censoring: a stockout day is not a day of
zero demand, so it is left out of every error and, for fitting, its ``y`` is replaced by
the mean of the non-stockout days in the trailing 28-day window before it (the series'
non-stockout mean when that window has none, 0 when the series has none at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from .classify import classify_demand
from .models import MODELS, SEASON

FILL_WINDOW = 28
SERIES_COLUMNS = ["unique_id", "model", "wape", "mase", "bias", "demand_class", "sigma"]
SCORE_COLUMNS = ["unique_id", "model", "wape", "mase", "bias"]
FORECAST_COLUMNS = ["unique_id", "ds", "yhat", "yhat_lo", "yhat_hi"]


@dataclass
class BacktestResult:
    """``series``: chosen model and its scores per series (plus residual ``sigma``);
    ``scores``: every model's scores; ``forecast``: the chosen model's forecast."""

    series: pd.DataFrame
    scores: pd.DataFrame
    forecast: pd.DataFrame


def censor_fill(y: np.ndarray, stockout: np.ndarray, window: int = FILL_WINDOW) -> np.ndarray:
    """Replace stockout days by the trailing ``window``-day mean of non-stockout days."""
    y = np.asarray(y, dtype=float)
    stockout = np.asarray(stockout, dtype=bool)
    if not stockout.any():
        return y
    ok = ~stockout
    vals = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    cnts = np.concatenate([[0], np.cumsum(ok)])
    t = np.arange(y.size)
    start = np.maximum(t - window, 0)
    num, den = vals[t] - vals[start], cnts[t] - cnts[start]
    overall = y[ok].mean() if ok.any() else 0.0
    trailing = np.divide(num, den, out=np.full(y.size, overall), where=den > 0)
    return np.where(stockout, trailing, y)


def _scale(train: np.ndarray) -> float:
    """In-sample seasonal-naive-7 MAE; the mean |y| (then 1) when that is zero."""
    if train.size > SEASON:
        mae = float(np.mean(np.abs(train[SEASON:] - train[:-SEASON])))
        if mae > 0:
            return mae
    level = float(np.mean(np.abs(train))) if train.size else 0.0
    return level if level > 0 else 1.0


def _score_series(
    y: np.ndarray, stockout: np.ndarray, h: int, folds: int
) -> dict[str, tuple[float, float, float]]:
    """Pooled WAPE, fold-mean MASE and relative bias per model over rolling origins.

    Origins are ``n - k·h`` for ``k = folds..1`` (folds without at least one training day
    are dropped). WAPE and bias divide by the summed actuals, guarded at 1 unit.
    """
    n = y.size
    filled = censor_fill(y, stockout)
    origins = [n - k * h for k in range(folds, 0, -1) if n - k * h >= 1]
    out = {}
    for name, model in MODELS.items():
        abs_err = err = actual = 0.0
        mases = []
        for o in origins:
            train, test, keep = filled[:o], y[o : o + h], ~stockout[o : o + h]
            if not keep.any():
                continue
            e = (model.fit_predict(train, h) - test)[keep]
            abs_err += float(np.abs(e).sum())
            err += float(e.sum())
            actual += float(np.abs(test[keep]).sum())
            mases.append(float(np.abs(e).mean()) / _scale(train))
        denom = max(actual, 1.0)
        out[name] = (
            (abs_err / denom, float(np.mean(mases)), err / denom) if mases else (np.nan,) * 3
        )
    return out


def z_for_level(level: float) -> float:
    """Two-sided normal quantile for a central ``level`` in percent (80 → 1.2816)."""
    return NormalDist().inv_cdf(0.5 + level / 200.0)


def backtest(df: pd.DataFrame, h: int, folds: int = 2, level: float = 80.0) -> BacktestResult:
    """Backtest every model on every series, keep the lowest MASE (ties → simpler model),
    refit it on the full (censor-filled) history and forecast ``h`` days with a normal
    ``level``% interval from its in-sample residual sigma (lower bound clipped at 0).

    A series too short for any fold keeps NaN scores and the simplest model.
    """
    cols = ["unique_id", "ds", "y"] + (["stockout"] if "stockout" in df else [])
    data = df[cols].sort_values(["unique_id", "ds"], kind="stable")
    if "stockout" not in data:
        data = data.assign(stockout=False)
    data["stockout"] = data["stockout"].astype("boolean").fillna(False).astype(bool)
    z = z_for_level(level)
    score_rows, series_rows, fc_parts = [], [], []
    for uid, g in data.groupby("unique_id", sort=True, observed=True):
        y, so = g["y"].to_numpy(float), g["stockout"].to_numpy(bool)
        scores = _score_series(y, so, h, folds)
        score_rows += [(uid, m, *s) for m, s in scores.items()]
        best = min(
            MODELS,
            key=lambda m: (
                np.inf if np.isnan(scores[m][1]) else round(scores[m][1], 10),
                MODELS[m].rank,
            ),
        )
        fit = MODELS[best].fit(censor_fill(y, so), h)
        series_rows.append((uid, best, *scores[best], fit.sigma))
        ds = pd.date_range(g["ds"].iloc[-1] + pd.Timedelta(days=1), periods=h, freq="D")
        fc_parts.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": ds,
                    "yhat": fit.mean,
                    "yhat_lo": np.maximum(fit.mean - z * fit.sigma, 0.0),
                    "yhat_hi": fit.mean + z * fit.sigma,
                }
            )
        )
    series = pd.DataFrame(series_rows, columns=[c for c in SERIES_COLUMNS if c != "demand_class"])
    classes = classify_demand(data.loc[~data["stockout"]])[["unique_id", "demand_class"]]
    series = series.merge(classes, on="unique_id", how="left")
    series["demand_class"] = series["demand_class"].fillna("no_demand")
    forecast = (
        pd.concat(fc_parts, ignore_index=True)
        if fc_parts
        else pd.DataFrame(columns=FORECAST_COLUMNS)
    )
    return BacktestResult(
        series=series[SERIES_COLUMNS],
        scores=pd.DataFrame(score_rows, columns=SCORE_COLUMNS),
        forecast=forecast,
    )
