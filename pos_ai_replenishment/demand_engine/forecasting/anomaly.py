"""Anomalies in daily sales per series (product x warehouse), each with a score and a reason.

Input is a long daily frame ``unique_id, ds, y`` (one row per series and day, no gaps)
with an optional boolean ``stockout`` and an optional float ``on_hand`` (stock at end of
day, NaN when unknown). A stockout day is not a demand signal: it is left out of every
baseline and never reported as a drop. A zero-sale day that ends with ``on_hand <= 0``
(and a day with a missing ``y``) is treated as a stockout day too.

Method. Each series is split into a baseline (everything before the last ``recent_days``)
and the recent window. The expected demand of a day is a weekday-adjusted level fitted on
the last 8 weeks of non-stockout baseline days: level = mean of the weekday means, weekday
factor = weekday mean / level shrunk toward 1 as ``(n·f + 1) / (n + 1)`` for ``n`` days of
that weekday. The spread is Poisson with overdispersion: ``sigma² = phi · max(expected, 1)``
with ``phi = max(1, mean((y - fit)² / max(fit, 1)))`` over the same 8 weeks.

* ``spike`` / ``drop``: a recent day more than ``z`` sigma above / below its expected value
  (``z`` the two-sided normal quantile of ``level``). A spike must also beat the largest
  day of the 8 baseline weeks (so lumpy series selling in packs are not flagged for every
  pack); a drop needs ``expected - z·sigma > 0`` and a non-stockout day. Zero days that
  belong to a reported zero run are not reported again as drops. Score = sigmas outside.
* ``zero_sales_with_stock``: the run of consecutive zero-sale days with ``on_hand > 0``
  ending at the last day (within the recent window) whose Poisson probability
  ``exp(-sum expected)`` is below ``zero_run_probability``. Score = ``-log10`` of it.
* ``forecast_drift``: over the last 28 days, with the profile fitted on the 8 weeks before
  them, the tracking signal ``TS = sum(y - expected) / (MAD · sqrt(n · (1 + n / m)))``
  for ``n`` window days and ``m`` fitting days. MAD is the mean absolute in-sample error
  of the fit (at least ``0.5·sqrt(max(level, 1))``, the one-unit floor of sigma); each
  day's error is clipped at 3 sigma so that a one-day spike is not also read as drift.
  The square root keeps the threshold independent of the window length and of the
  baseline's own noise (a plain ``sum / MAD`` grows like ``sqrt(n)`` on pure noise).
  Flagged when ``|TS| > drift_threshold``; score = ``|TS|``.

Series with fewer than ``min_history`` baseline days are skipped (the drift check needs
``min_history`` days before its window). Output is sorted by score, largest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backtest import z_for_level

ANOMALY_COLUMNS = ["unique_id", "ds", "kind", "score", "reason", "expected", "actual"]
KINDS = ("spike", "drop", "zero_sales_with_stock", "forecast_drift")
PROFILE_DAYS = 56
DRIFT_DAYS = 28
WEEKDAY_PRIOR = 1.0
MIN_DRIFT_DAYS = 7
DRIFT_CLIP = 3.0


@dataclass(frozen=True)
class Profile:
    """Expected-demand profile: ``level`` × ``factors[weekday]``, dispersion ``phi``,
    in-sample MAD and the largest non-stockout day (``peak``) of ``days`` fitting days."""

    level: float
    factors: np.ndarray
    phi: float
    mad: float
    peak: float
    days: int

    def expected(self, weekday: np.ndarray) -> np.ndarray:
        return self.level * self.factors[weekday]

    def sigma(self, expected: np.ndarray) -> np.ndarray:
        return np.sqrt(self.phi * np.maximum(expected, 1.0))


def fit_profile(y: np.ndarray, stockout: np.ndarray, weekday: np.ndarray) -> Profile | None:
    """Fit a :class:`Profile` on the last ``PROFILE_DAYS`` days (stockout days left out);
    ``None`` when none of them is usable."""
    ok = ~stockout[-PROFILE_DAYS:]
    y, wd = y[-PROFILE_DAYS:][ok], weekday[-PROFILE_DAYS:][ok]
    if y.size == 0:
        return None
    cnt = np.bincount(wd, minlength=7).astype(float)
    tot = np.bincount(wd, weights=y, minlength=7)
    seen = cnt > 0
    means = np.divide(tot, cnt, out=np.zeros(7), where=seen)
    level = float(means[seen].mean())
    factors = np.ones(7)
    if level > 0:
        factors[seen] = (cnt[seen] * means[seen] / level + WEEKDAY_PRIOR) / (
            cnt[seen] + WEEKDAY_PRIOR
        )
    fit = level * factors[wd]
    resid = y - fit
    phi = max(1.0, float(np.mean(resid**2 / np.maximum(fit, 1.0))))
    mad = max(float(np.mean(np.abs(resid))), 0.5 * math.sqrt(max(level, 1.0)))
    return Profile(level, factors, phi, mad, float(y.max()), int(y.size))


def _num(x: float) -> str:
    """Units for a sentence: whole numbers as such, else one decimal below 10."""
    if abs(x - round(x)) < 1e-9 or abs(x) >= 10:
        return f"{x:.0f}"
    return f"{x:.1f}"


def _pct(p: float) -> str:
    return "below 0.01%" if p < 1e-4 else f"{p * 100:.2g}%"


def _day(ds) -> str:
    return pd.Timestamp(ds).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class _Series:
    """One series as arrays in date order (``stockout`` already includes the implied ones)."""

    uid: object
    ds: np.ndarray
    y: np.ndarray
    stockout: np.ndarray
    on_hand: np.ndarray
    weekday: np.ndarray


def _recent_anomalies(
    s: _Series, *, recent_days: int, level: float, z: float, zero_p: float
) -> list[tuple]:
    """Spikes, drops and the trailing zero run of one series."""
    uid, ds, y, stockout, on_hand, weekday = (s.uid, s.ds, s.y, s.stockout, s.on_hand, s.weekday)
    cut = y.size - recent_days
    prof = fit_profile(y[:cut], stockout[:cut], weekday[:cut])
    if prof is None:
        return []
    ry, rso, roh, rds = y[cut:], stockout[cut:], on_hand[cut:], ds[cut:]
    exp_ = prof.expected(weekday[cut:])
    sig = prof.sigma(exp_)
    out = []
    # trailing zero run with stock on hand
    run = 0
    for i in range(ry.size - 1, -1, -1):
        if ry[i] == 0 and not rso[i] and roh[i] > 0:
            run += 1
        else:
            break
    in_run = np.zeros(ry.size, dtype=bool)
    if run:
        mu = float(exp_[-run:].sum())
        p = math.exp(-mu)
        if mu > 0 and p < zero_p:
            in_run[-run:] = True
            days = "1 day" if run == 1 else f"{run} days"
            out.append(
                (
                    uid,
                    rds[-1],
                    "zero_sales_with_stock",
                    mu / math.log(10),
                    f"No sales for {days} while {_num(float(roh[-1]))} units were on hand; "
                    f"about {_num(mu)} sales were expected (probability {_pct(p)}): "
                    "likely a stockout on the shelf or a wrong stock count.",
                    mu,
                    0.0,
                )
            )
    lo, hi = np.maximum(exp_ - z * sig, 0.0), exp_ + z * sig
    dev = (ry - exp_) / sig
    spike = (ry > hi) & (ry > prof.peak)
    drop = (ry < exp_ - z * sig) & (exp_ - z * sig > 0) & ~rso & ~in_run
    lvl = f"{level:g}%"
    for i in np.flatnonzero(spike | drop):
        kind = "spike" if spike[i] else "drop"
        where = "above" if spike[i] else "below"
        out.append(
            (
                uid,
                rds[i],
                kind,
                abs(float(dev[i])),
                f"Sold {_num(float(ry[i]))} on {_day(rds[i])}, expected about "
                f"{_num(float(exp_[i]))} ({lvl} range {math.ceil(lo[i])}-"
                f"{math.floor(hi[i])}): a {kind} {abs(float(dev[i])):.1f} sigma {where} "
                "forecast.",
                float(exp_[i]),
                float(ry[i]),
            )
        )
    return out


def _drift_anomaly(s: _Series, threshold: float) -> list[tuple]:
    """Tracking signal over the last ``DRIFT_DAYS`` days against the profile before them."""
    uid, ds, y, stockout, weekday = s.uid, s.ds, s.y, s.stockout, s.weekday
    cut = y.size - DRIFT_DAYS
    prof = fit_profile(y[:cut], stockout[:cut], weekday[:cut])
    if prof is None or prof.level <= 0:
        return []
    keep = ~stockout[cut:]
    n = int(keep.sum())
    if n < MIN_DRIFT_DAYS:
        return []
    exp_ = prof.expected(weekday[cut:])[keep]
    act = y[cut:][keep]
    cap = DRIFT_CLIP * prof.sigma(exp_)
    err = float(np.clip(act - exp_, -cap, cap).sum())
    expected, actual = float(exp_.sum()), float(act.sum())
    ts = err / (prof.mad * math.sqrt(n * (1 + n / prof.days)))
    if abs(ts) <= threshold or expected <= 0:
        return []
    up = ts > 0
    ratio = actual / expected
    by = (
        f"far above forecast, at {ratio:.0f} times it"
        if ratio >= 3
        else f"{abs(actual - expected) / expected:.0%} {'above' if up else 'below'} forecast"
    )
    reason = (
        f"Over the last {DRIFT_DAYS} days sales ran {by} ({_num(actual)} sold vs about "
        f"{_num(expected)} expected; tracking signal {ts:+.1f}): demand has shifted "
        f"{'up' if up else 'down'} and the forecast has not caught up."
    )
    return [(uid, ds[-1], "forecast_drift", abs(ts), reason, expected, actual)]


def detect_anomalies(
    df: pd.DataFrame,
    *,
    recent_days: int = 7,
    level: float = 99.0,
    zero_run_probability: float = 0.01,
    drift_threshold: float = 4.0,
    min_history: int = 28,
) -> pd.DataFrame:
    """One row per anomaly (``ANOMALY_COLUMNS``), largest score first; see the module
    docstring for the kinds, scores and method. Empty (with the columns) when none."""
    rows: list[tuple] = []
    if df.empty:
        return _frame(rows)
    cols = ["unique_id", "ds", "y"] + [c for c in ("stockout", "on_hand") if c in df]
    data = df[cols].sort_values(["unique_id", "ds"], kind="stable")
    z = z_for_level(level)
    for uid, g in data.groupby("unique_id", sort=True, observed=True):
        y_raw = g["y"].to_numpy(float)
        n = y_raw.size
        if n - recent_days < min_history or recent_days < 1:
            continue
        on_hand = g["on_hand"].to_numpy(float) if "on_hand" in g else np.full(n, np.nan)
        so = (
            g["stockout"].astype("boolean").fillna(False).to_numpy(bool)
            if "stockout" in g
            else np.zeros(n, dtype=bool)
        )
        so = so | np.isnan(y_raw) | ((y_raw == 0) & (on_hand <= 0))
        ds = g["ds"].to_numpy()
        weekday = pd.DatetimeIndex(ds).dayofweek.to_numpy()
        series = _Series(uid, ds, np.nan_to_num(y_raw, nan=0.0), so, on_hand, weekday)
        rows += _recent_anomalies(
            series, recent_days=recent_days, level=level, z=z, zero_p=zero_run_probability
        )
        if n - DRIFT_DAYS >= min_history:
            rows += _drift_anomaly(series, drift_threshold)
    return _frame(rows)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Anomaly rows as a frame sorted by score (then series and day)."""
    if not rows:
        return pd.DataFrame({c: [] for c in ANOMALY_COLUMNS}).astype(
            {"ds": "datetime64[ns]", "score": float, "expected": float, "actual": float}
        )
    out = pd.DataFrame(rows, columns=ANOMALY_COLUMNS)
    out = out.sort_values(["score", "unique_id", "ds"], ascending=[False, True, True])
    return out.reset_index(drop=True)
