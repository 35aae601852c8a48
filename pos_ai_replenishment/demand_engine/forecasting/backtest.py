"""Rolling-origin backtest, per-series model choice and prediction intervals.

Input is a long daily frame ``unique_id, ds, y`` (one row per series and day, no gaps)
with an optional boolean ``stockout`` column and optional regressors ``price``, ``promo``
and ``event`` (used by the global model and Prophet). Censoring: a stockout day is not a day of
zero demand, so it is left out of every error and, for fitting, its ``y`` is replaced by
the mean of the non-stockout days in the trailing 28-day window before it (the series'
non-stockout mean when that window has none, 0 when the series has none at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import gbm, prophet_model
from .classify import classify_demand
from .models import MODELS, SEASON, ModelFit

FILL_WINDOW = 28
SERIES_COLUMNS = ["unique_id", "model", "wape", "mase", "bias", "demand_class", "sigma"]
SCORE_COLUMNS = ["unique_id", "model", "wape", "mase", "bias"]
FORECAST_COLUMNS = ["unique_id", "ds", "yhat", "yhat_lo", "yhat_hi"]
# extra columns of ``series``: why a series got its forecast, and the error of a fallback
EXTRA_COLUMNS = ["status", "error", "n_days"]
STATUSES = ("ok", "short_history", "no_demand", "no_history", "fallback")
REGRESSORS = ("price", "promo", "event")
LOCAL_DAYS = 448  # the per-series models see the last 64 weeks (speed; older days barely count)
ENSEMBLE = "gbm+dow_profile"
FALLBACK_MODEL = "moving_average"
# Prophet gate (opt-in, see readme/FORECASTING.md): long, smooth, high-volume series only
PROPHET_MIN_DAYS = 730
PROPHET_MIN_MEAN = 5.0
# a local model replaces the global ensemble only when, on every scoring fold, it cuts the
# ensemble's absolute error by MIN_GAIN of it and by at least MIN_GAIN_UNITS per scored day
# (looser rules lost accuracy on M5, see readme/FORECASTING.md)
MIN_GAIN = 0.2
MIN_GAIN_UNITS = 0.2
NAN3 = (np.nan, np.nan, np.nan)


@dataclass
class BacktestResult:
    """``series``: chosen model and its scores per series (plus ``sigma``, and the
    :data:`EXTRA_COLUMNS`); ``scores``: every local model's scores (and the global
    ensemble's, where it ran); ``forecast``: the chosen model's forecast."""

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


@dataclass
class Holdout:
    """Errors of one model on the scoring folds (origin ``n - k·h`` for fold ``k``), on
    non-stockout days: per fold the summed absolute error and the number of days scored;
    pooled ``scores`` (WAPE, fold-mean MASE, relative bias) and the RMSE over all folds."""

    fold_abs: dict
    fold_days: dict
    fold_wape: dict
    scores: tuple[float, float, float]
    rmse: float
    n_resid: int


def holdout(preds: dict, y: np.ndarray, stockout: np.ndarray, filled: np.ndarray, h: int):
    """Score the forecasts ``preds`` (``{k: forecast from origin n - k·h}``) against
    ``y``; MASE scales by the in-sample seasonal-naive error of ``filled`` before each
    origin. WAPE and bias divide by the summed actuals, guarded at 1 unit."""
    n = y.size
    abs_err = err = actual = 0.0
    mases, sq, fold_abs, fold_days, fold_wape = [], [], {}, {}, {}
    for k in sorted(preds, reverse=True):
        o = n - k * h
        test, keep = y[o : o + h], ~stockout[o : o + h]
        if not keep.any():
            continue
        e = (preds[k] - test)[keep]
        fold_abs[k], fold_days[k] = float(np.abs(e).sum()), int(keep.sum())
        fold_wape[k] = fold_abs[k] / max(float(np.abs(test[keep]).sum()), 1.0)
        abs_err += fold_abs[k]
        err += float(e.sum())
        actual += float(np.abs(test[keep]).sum())
        mases.append(float(np.abs(e).mean()) / _scale(filled[:o]))
        sq.append(e**2)
    denom = max(actual, 1.0)
    scores = (abs_err / denom, float(np.mean(mases)), err / denom) if mases else NAN3
    resid = np.concatenate(sq) if sq else np.zeros(0)
    rmse = float(np.sqrt(resid.mean())) if resid.size else np.nan
    return Holdout(fold_abs, fold_days, fold_wape, scores, rmse, int(resid.size))


def _local_holdouts(y: np.ndarray, stockout: np.ndarray, h: int, folds: int):
    """Every local model's :class:`Holdout` over rolling origins ``n - k·h`` for
    ``k = folds..1`` (origins without at least one training day are dropped)."""
    n = y.size
    filled = censor_fill(y, stockout)
    ks = [k for k in range(folds, 0, -1) if n - k * h >= 1]
    return {
        name: holdout(
            {k: model.fit_predict(filled[: n - k * h], h) for k in ks}, y, stockout, filled, h
        )
        for name, model in MODELS.items()
    }


def _score_series(
    y: np.ndarray, stockout: np.ndarray, h: int, folds: int
) -> dict[str, tuple[float, float, float]]:
    """Pooled WAPE, fold-mean MASE and relative bias per model over rolling origins."""
    return {m: ho.scores for m, ho in _local_holdouts(y, stockout, h, folds).items()}


def z_for_level(level: float) -> float:
    """Two-sided normal quantile for a central ``level`` in percent (80 → 1.2816)."""
    return NormalDist().inv_cdf(0.5 + level / 200.0)


@dataclass
class Choice:
    """The forecast of one series: model, (wape, mase, bias), fit, status and error
    (and the chosen model's :class:`Holdout` when the global path scored it)."""

    model: str
    scores: tuple[float, float, float]
    fit: ModelFit
    status: str = "ok"
    error: str = ""
    holdout: Holdout | None = None


def fold_scores(pred: np.ndarray, test: np.ndarray, keep: np.ndarray, train: np.ndarray):
    """(WAPE, MASE, bias) of one fold on the non-stockout days ``keep``."""
    if not keep.any():
        return NAN3
    e = (pred - test)[keep]
    denom = max(float(np.abs(test[keep]).sum()), 1.0)
    return (
        float(np.abs(e).sum()) / denom,
        float(np.abs(e).mean()) / _scale(train),
        float(e.sum()) / denom,
    )


def _best_local(scores: dict[str, tuple[float, float, float]]) -> str:
    return min(
        MODELS,
        key=lambda m: (
            np.inf if np.isnan(scores[m][1]) else round(scores[m][1], 10),
            MODELS[m].rank,
        ),
    )


def _status(y: np.ndarray, so: np.ndarray, h: int) -> str:
    if not (y[~so] > 0).any():
        return "no_demand"
    return "short_history" if y.size < h + 1 else "ok"


def local_choice(y: np.ndarray, so: np.ndarray, h: int, folds: int):
    """Status and per-series choice among the local models (lowest backtest MASE, ties to
    the simpler model) on the last :data:`LOCAL_DAYS` days; returns (Choice, all scores)."""
    filled = censor_fill(y, so)
    status = _status(y, so, h)
    if status != "ok":
        return Choice(FALLBACK_MODEL, NAN3, MODELS[FALLBACK_MODEL].fit(filled, h), status), {}
    scores = _score_series(y[-LOCAL_DAYS:], so[-LOCAL_DAYS:], h, folds)
    best = _best_local(scores)
    return Choice(best, scores[best], MODELS[best].fit(filled[-LOCAL_DAYS:], h)), scores


def _fallback(y: np.ndarray, so: np.ndarray, h: int, exc: Exception) -> Choice:
    try:
        fit = MODELS[FALLBACK_MODEL].fit(censor_fill(y, so), h)
    except Exception:  # noqa: BLE001 - the last resort must not fail
        fit = ModelFit(np.zeros(h), np.zeros(0), 0.0)
    return Choice(FALLBACK_MODEL, NAN3, fit, "fallback", f"{type(exc).__name__}: {exc}")


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["unique_id", "ds", "y"] + [c for c in ("stockout", *REGRESSORS) if c in df]
    data = df[cols].sort_values(["unique_id", "ds"], kind="stable")
    if "stockout" not in data:
        data = data.assign(stockout=False)
    data["stockout"] = data["stockout"].astype("boolean").fillna(False).astype(bool)
    data["y"] = pd.to_numeric(data["y"], errors="coerce").fillna(0.0).astype(float)
    return data


def _holiday_days(country: str | None, ds: pd.DatetimeIndex) -> np.ndarray:
    """1.0 on the public holidays of ``country`` (``holidays`` package), else 0."""
    if not country or not len(ds):
        return np.zeros(len(ds))
    try:
        import holidays
    except ImportError:
        return np.zeros(len(ds))
    days = holidays.country_holidays(country, years=range(ds.min().year, ds.max().year + 1))
    return np.array([d in days for d in ds.date], dtype=float)


def _series_input(uid, g: pd.DataFrame, y: np.ndarray, h: int, *, future, country):
    """History plus horizon calendar and regressors for the global model."""
    ds = pd.DatetimeIndex(g["ds"])
    horizon = pd.date_range(ds[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    days = ds.append(horizon)
    fut = None
    if future is not None and uid in future:
        fut = future[uid].set_index("ds").reindex(horizon)
    regs = {}
    for c in REGRESSORS:
        hist = g[c].astype(float).to_numpy() if c in g else np.full(len(g), np.nan)
        ahead = fut[c].astype(float).to_numpy() if fut is not None and c in fut else None
        if ahead is None:
            ahead = np.full(h, np.nan)
        if c == "price":
            last = pd.Series(hist).ffill().iloc[-1] if len(hist) else np.nan
            ahead = np.where(np.isnan(ahead), last, ahead)
        else:
            hist, ahead = np.nan_to_num(hist), np.nan_to_num(ahead)
        regs[c] = np.concatenate([hist, ahead])
    event = np.maximum(regs["event"], _holiday_days(country, days))
    return gbm.SeriesInput(uid, y, days.dayofweek.to_numpy(), regs["price"], regs["promo"], event)


def prefer_local(ens: Holdout, local: dict[str, Holdout]) -> str | None:
    """The local model that replaces the global ensemble on one series, or None.

    A guard against choosing on noise: the ensemble must have at least two scored folds,
    and the local model must beat it on every one of them, cutting its absolute error by
    :data:`MIN_GAIN` of it and by at least :data:`MIN_GAIN_UNITS` per scored day. Among
    the models that pass, the lowest pooled WAPE wins (ties to the simpler model)."""
    if len(ens.fold_abs) < 2:
        return None

    def wins(ho: Holdout) -> bool:
        return all(
            k in ho.fold_abs
            and err - ho.fold_abs[k] >= max(MIN_GAIN * err, MIN_GAIN_UNITS * ens.fold_days[k])
            for k, err in ens.fold_abs.items()
        )

    passed = [m for m, ho in local.items() if wins(ho)]
    if not passed:
        return None
    return min(passed, key=lambda m: (local[m].scores[0], MODELS[m].rank))


def _holdout_sigma(ho: Holdout, fallback: float) -> float:
    """Holdout RMSE over the scoring folds; ``fallback`` with fewer than a week of errors."""
    return ho.rmse if ho.n_resid >= SEASON else fallback


def _apply_global(groups, choices, h, folds, *, future, country) -> list:
    """Score the mean of the global model and the weekday profile on the rolling origins
    n - k·h (k = folds..1) of every ``ok`` series, and give it the series unless a local
    model clearly beats it on every fold (:func:`prefer_local`); returns the score rows
    (ensemble and local models). No-op without a global model."""
    if future is not None:
        future = dict(list(future.groupby("unique_id", sort=False, observed=True)))
    inputs = []
    for uid, g, y, so in groups:
        if choices[uid].status == "ok":
            inputs.append(
                _series_input(uid, g, censor_fill(y, so), h, future=future, country=country)
            )
    glob = gbm.global_forecast(inputs, h, folds=max(folds, 1)) if inputs else None
    if glob is None:
        return []
    dow = MODELS["dow_profile"]
    rows = []
    for uid, _g, y, so in groups:
        if uid not in glob.mean:
            continue
        try:
            filled = censor_fill(y, so)
            n = y.size
            preds = {
                k: (p + dow.fit_predict(filled[: n - k * h], h)) / 2.0
                for k, p in glob.folds[uid].items()
            }
            ens = holdout(preds, y, so, filled, h)
            local = _local_holdouts(y[-LOCAL_DAYS:], so[-LOCAL_DAYS:], h, folds)
            pick = prefer_local(ens, local)
            if pick is None:
                fit = dow.fit(filled[-LOCAL_DAYS:], h)
                mean = (glob.mean[uid] + fit.mean) / 2.0
                sigma = _holdout_sigma(ens, fit.sigma)
                choice = Choice(ENSEMBLE, ens.scores, ModelFit(mean, np.zeros(0), sigma))
                choice.holdout = ens
            else:
                fit = MODELS[pick].fit(filled[-LOCAL_DAYS:], h)
                sigma = _holdout_sigma(local[pick], fit.sigma)
                choice = Choice(pick, local[pick].scores, ModelFit(fit.mean, fit.fitted, sigma))
                choice.holdout = local[pick]
            rows += [(uid, ENSEMBLE, *ens.scores)] + [
                (uid, m, *ho.scores) for m, ho in local.items()
            ]
            choices[uid] = choice
        except Exception as exc:  # noqa: BLE001 - the local zoo takes this series
            choices[uid].error = f"global: {type(exc).__name__}: {exc}"
    return rows


def prophet_gate(y: np.ndarray, demand_class: str, h: int) -> bool:
    """Prophet is tried only on long, smooth, high-volume series (see module constants)."""
    return (
        y.size >= max(PROPHET_MIN_DAYS, 2 * h)
        and demand_class == "smooth"
        and float(np.mean(y[-28:])) >= PROPHET_MIN_MEAN
    )


def _apply_prophet(groups, choices, classes, h, *, future, country) -> None:
    """On gated series, Prophet replaces the choice when it wins the holdout fold n - h."""
    if not prophet_model.available():
        return
    for uid, g, y, so in groups:
        cur = choices[uid]
        if cur.status != "ok" or not prophet_gate(y, classes.get(uid, ""), h):
            continue
        try:
            filled = censor_fill(y, so)
            n = y.size
            hist = g.assign(y=filled).drop(columns=["unique_id", "stockout"])
            keep = ~so[n - h :]
            pfold = prophet_model.fit_prophet(hist.iloc[: n - h], h, country=country)
            p_scores = fold_scores(pfold.mean, y[n - h :], keep, filled[: n - h])
            if cur.holdout is not None and 1 in cur.holdout.fold_wape:
                c_wape = cur.holdout.fold_wape[1]  # the same fold n - h
            else:
                c_pred = MODELS[cur.model].fit_predict(filled[-LOCAL_DAYS:][:-h], h)
                c_wape = fold_scores(c_pred, y[n - h :], keep, filled[: n - h])[0]
            if p_scores[0] < c_wape:
                fut = None if future is None else future[future["unique_id"] == uid]
                fit = prophet_model.fit_prophet(hist, h, future=fut, country=country)
                choices[uid] = Choice("prophet", p_scores, fit)
        except Exception as exc:  # noqa: BLE001 - keep the current choice
            cur.error = f"prophet: {type(exc).__name__}: {exc}"


def backtest(
    df: pd.DataFrame,
    h: int,
    folds: int = 2,
    level: float = 80.0,
    *,
    future: pd.DataFrame | None = None,
    country: str | None = None,
    global_model: bool = True,
    prophet: bool = False,
) -> BacktestResult:
    """Forecast ``h`` days for every series with a normal ``level``% interval from the
    chosen model's sigma (lower bound clipped at 0).

    1. With ``global_model`` (and lightgbm installed, and enough series, see :mod:`.gbm`),
       every ``ok`` series gets the mean of the global booster and the weekday profile,
       scored on the rolling origins n - k·h (k = folds..1; the booster never trained
       on those days), unless a local model beats it clearly on every fold
       (:func:`prefer_local`); ``sigma`` is the chosen model's RMSE over those folds.
    2. Every other series: the local models are backtested on rolling origins and the
       lowest MASE is kept (ties → simpler model); too short (fewer than h + 1 days) or
       demand-free series get the moving average with status ``short_history`` /
       ``no_demand`` and NaN scores; a series whose models raise gets the moving average
       with status ``fallback`` and the error text.
    3. With ``prophet`` (and prophet installed), gated series (:func:`prophet_gate`) switch
       to Prophet when it beats the current choice on the holdout fold.

    ``future``: optional ``unique_id, ds`` rows for the horizon with known regressor
    values (``price``, ``promo``, ``event``); ``country``: ISO code for public holidays.
    """
    data = _prepare(df)
    z = z_for_level(level)
    groups, choices, score_rows = [], {}, []
    for uid, g in data.groupby("unique_id", sort=True, observed=True):
        y, so = g["y"].to_numpy(float), g["stockout"].to_numpy(bool)
        groups.append((uid, g, y, so))
        choices[uid] = Choice("", NAN3, ModelFit(np.zeros(h), np.zeros(0), 0.0), _status(y, so, h))
    if global_model:
        score_rows += _apply_global(groups, choices, h, folds, future=future, country=country)
    for uid, _g, y, so in groups:
        if choices[uid].model:
            continue  # the global ensemble took it: no need to backtest the local zoo
        note = choices[uid].error
        try:
            choices[uid], scores = local_choice(y, so, h, folds)
        except Exception as exc:  # noqa: BLE001 - one series must not stop the run
            choices[uid], scores = _fallback(y, so, h, exc), {}
        choices[uid].error = choices[uid].error or note
        score_rows += [(uid, m, *s) for m, s in scores.items()]
    classes = classify_demand(data.loc[~data["stockout"]])[["unique_id", "demand_class"]]
    class_of = dict(zip(classes["unique_id"], classes["demand_class"], strict=True))
    if prophet:
        _apply_prophet(groups, choices, class_of, h, future=future, country=country)

    series_rows, fc_parts = [], []
    for uid, g, y, _so in groups:
        c = choices[uid]
        series_rows.append((uid, c.model, *c.scores, c.fit.sigma, c.status, c.error, y.size))
        ds = pd.date_range(g["ds"].iloc[-1] + pd.Timedelta(days=1), periods=h, freq="D")
        fc_parts.append(_forecast_part(uid, ds, c.fit, z))
    cols = [c for c in SERIES_COLUMNS if c != "demand_class"] + EXTRA_COLUMNS
    series = pd.DataFrame(series_rows, columns=cols)
    series["demand_class"] = series["unique_id"].map(class_of).fillna("no_demand")
    forecast = (
        pd.concat(fc_parts, ignore_index=True)
        if fc_parts
        else pd.DataFrame(columns=FORECAST_COLUMNS)
    )
    return BacktestResult(
        series=series[SERIES_COLUMNS + EXTRA_COLUMNS],
        scores=pd.DataFrame(score_rows, columns=SCORE_COLUMNS),
        forecast=forecast,
    )


def _forecast_part(uid, ds: pd.DatetimeIndex, fit: ModelFit, z: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": uid,
            "ds": ds,
            "yhat": fit.mean,
            "yhat_lo": np.maximum(fit.mean - z * fit.sigma, 0.0),
            "yhat_hi": fit.mean + z * fit.sigma,
        }
    )
