"""A global gradient-boosted model over all series of a chunk (optional: lightgbm).

Direct multi-horizon: one training row per (series, origin, step) with features known at
the origin (trailing means at several windows, weekday means, last year's level around the
target day) and about the target day (step, weekday, price relative to the recent price,
promotion and event flags). The target is the raw daily demand and the objective Tweedie,
so the prediction is a mean, like every other model of the zoo.

Training origins stop ``(folds + 1)·h`` days before the end of each series: the last
``folds·h`` days are never a training target, so the forecasts from the scoring origins
``n - k·h`` (``k = 1..folds``) are honest holdout folds, and the same booster forecasts
from origin ``n``. One booster serves every fold and the forecast (a booster per fold
cost 50% more CPU for no accuracy on M5, see readme/FORECASTING.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WINDOWS = (7, 14, 28, 56, 112, 364)
WEEKDAY_WEEKS = (4, 8, 52)
N_ORIGINS = 26  # training origins per series, every ORIGIN_STEP days
ORIGIN_STEP = 14
MIN_HISTORY = 56  # days before the first training origin
MIN_SERIES = 20  # fewer series with training rows than this: no global model
LEVEL_EPS = 0.1
PARAMS = {
    "objective": "tweedie",
    "tweedie_variance_power": 1.2,
    "learning_rate": 0.12,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.5,
    "bagging_freq": 1,
    "max_bin": 63,
    "num_threads": 1,
    "deterministic": True,
    "seed": 1,
    "verbose": -1,
}
ROUNDS = 120


def available() -> bool:
    """True when lightgbm can be imported."""
    try:
        import lightgbm  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class SeriesInput:
    """One series for the global model: censor-filled history ``y`` (n days) and the
    calendar / regressors over ``n + h`` days (history then horizon)."""

    uid: object
    y: np.ndarray
    weekday: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    event: np.ndarray


@dataclass
class GlobalForecast:
    """Per series: ``mean`` from origin n, ``fold`` from origin n - h, and ``folds``
    ``{k: forecast from origin n - k·h}`` for the scoring folds (NaN-free, length h; an
    origin before the first day is left out)."""

    mean: dict = field(default_factory=dict)
    fold: dict = field(default_factory=dict)
    folds: dict = field(default_factory=dict)


def _trailing_mean(csum: np.ndarray, o: np.ndarray, w: int) -> np.ndarray:
    start = np.maximum(o - w, 0)
    return (csum[o] - csum[start]) / np.maximum(o - start, 1)


def features(s: SeriesInput, origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (rows: origin-major, step-minor) and the target day index of each row."""
    y = s.y
    n = y.size
    o = np.repeat(np.asarray(origins, dtype=int), h)
    k = np.tile(np.arange(1, h + 1), len(origins))
    t = o + k - 1
    csum = np.concatenate([[0.0], np.cumsum(y)])
    means = {w: _trailing_mean(csum, o, w) for w in WINDOWS}
    level = means[28] + LEVEL_EPS
    cols = [means[w] for w in WINDOWS] + [means[w] / level for w in WINDOWS if w != 28]
    nz = np.concatenate([[0.0], np.cumsum(y > 0)])
    cols.append(_trailing_mean(nz, o, 28))
    for weeks in WEEKDAY_WEEKS:
        acc = np.zeros(t.size)
        cnt = np.zeros(t.size)
        for j in range(1, weeks + 1):
            idx = t - 7 * j
            ok = (idx < o) & (idx >= 0)
            acc += np.where(ok, y[np.clip(idx, 0, n - 1)], 0.0)
            cnt += ok
        cols.append(acc / np.maximum(cnt, 1) / level)
    ly = t - 364
    lo, hi = np.clip(ly - 3, 0, n), np.clip(ly + 4, 0, n)
    last_year = (csum[hi] - csum[lo]) / np.maximum(hi - lo, 1) / (means[364] + LEVEL_EPS)
    cols.append(np.where(ly >= 3, last_year, np.nan))
    pcs = np.concatenate([[0.0], np.cumsum(np.nan_to_num(s.price[:n]))])
    pcn = np.concatenate([[0.0], np.cumsum(np.isfinite(s.price[:n]))])
    start = np.maximum(o - 28, 0)
    recent_price = (pcs[o] - pcs[start]) / np.maximum(pcn[o] - pcn[start], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cols.append(np.where(recent_price > 0, s.price[t] / recent_price, np.nan))
    cols += [k.astype(float), s.weekday[t].astype(float), s.promo[t], s.event[t]]
    return np.column_stack(cols), t


def _origins(n: int, h: int, folds: int = 1) -> np.ndarray:
    last = n - (folds + 1) * h
    origins = last - ORIGIN_STEP * np.arange(N_ORIGINS)
    return origins[origins >= MIN_HISTORY]


def _train(x: np.ndarray, y: np.ndarray):
    import lightgbm as lgb

    dataset = lgb.Dataset(x, y, params={"num_threads": 1})
    return lgb.train(PARAMS, dataset, ROUNDS)


def _predict(booster, x: np.ndarray) -> np.ndarray:
    # one thread in predict too: an OpenMP thread pool left in a process that later
    # forks a worker pool deadlocks the workers (the Odoo cron does exactly that)
    return np.maximum(booster.predict(x, num_threads=1), 0.0)


def global_forecast(series: list[SeriesInput], h: int, folds: int = 1) -> GlobalForecast | None:
    """Train one booster on all ``series`` and forecast each from the scoring origins
    n - k·h (k = 1..folds) and from n. Training targets stop before n - folds·h, so
    every scoring fold is a true holdout of the very booster that forecasts from n.

    None when lightgbm is missing or fewer than :data:`MIN_SERIES` series are long
    enough to give training rows."""
    if not available() or not series:
        return None
    import lightgbm as lgb

    folds = max(folds, 1)
    xs, ys = [], []
    for s in series:
        origins = _origins(s.y.size, h, folds)
        if origins.size:
            x, t = features(s, origins, h)
            xs.append(x)
            ys.append(s.y[t])
    if len(xs) < MIN_SERIES:
        return None
    dataset = lgb.Dataset(np.vstack(xs), np.concatenate(ys), params={"num_threads": 1})
    booster = lgb.train(PARAMS, dataset, ROUNDS)
    out = GlobalForecast()
    starts, preds = [], []
    for s in series:
        ks = [k for k in range(folds, 0, -1) if s.y.size - k * h >= 1]
        starts.append(ks)
        preds.append(features(s, np.array([s.y.size - k * h for k in ks] + [s.y.size]), h)[0])
    # one thread in predict too: an OpenMP thread pool left in a process that later
    # forks a worker pool deadlocks the workers (the Odoo cron does exactly that)
    flat = np.maximum(booster.predict(np.vstack(preds), num_threads=1), 0.0)
    pos = 0
    for s, ks in zip(series, starts, strict=True):
        rows = flat[pos : pos + h * (len(ks) + 1)].reshape(-1, h)
        pos += rows.size
        out.folds[s.uid] = dict(zip(ks, rows[:-1], strict=True))
        out.mean[s.uid] = rows[-1]
        if 1 in out.folds[s.uid]:
            out.fold[s.uid] = out.folds[s.uid][1]
    return out
