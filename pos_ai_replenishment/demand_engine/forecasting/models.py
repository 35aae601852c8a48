"""A small model zoo for daily demand.

Every model maps a history ``y`` to an ``h``-step point forecast and one-step-ahead
in-sample fitted values; sigma is the RMSE of the in-sample residuals and is used
unchanged for every step of the horizon. Empty and all-zero series forecast zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEASON = 7
MA_WINDOW = 28
SES_ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
CROSTON_ALPHA = 0.1
TSB_ALPHA = 0.1
TSB_BETA = 0.1
DOW_WEEKS = 52  # weeks of history behind the weekday factors
DOW_SHRINK = 50.0  # pseudo-units pulling each weekday factor toward 1 (flat)


@dataclass(frozen=True)
class ModelFit:
    """Point forecast (length h), in-sample one-step fits (NaN when unavailable), sigma."""

    mean: np.ndarray
    fitted: np.ndarray
    sigma: float


FitFn = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Model:
    """A named model; ``rank`` orders models from simplest (0) for tie-breaks."""

    name: str
    rank: int
    fn: FitFn

    def fit(self, y: np.ndarray, h: int) -> ModelFit:
        y = np.asarray(y, dtype=float)
        if y.size == 0:
            return ModelFit(np.zeros(h), np.zeros(0), 0.0)
        mean, fitted = self.fn(y, h)
        return ModelFit(np.maximum(mean, 0.0), fitted, residual_sigma(y, fitted))

    def fit_predict(self, y: np.ndarray, h: int) -> np.ndarray:
        return self.fit(y, h).mean


def residual_sigma(y: np.ndarray, fitted: np.ndarray) -> float:
    """RMSE of the finite one-step residuals; the std of ``y`` when there are none."""
    ok = np.isfinite(fitted)
    if ok.any():
        return float(np.sqrt(np.mean((y[ok] - fitted[ok]) ** 2)))
    return float(np.std(y)) if y.size > 1 else 0.0


def _seasonal_naive(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    n = y.size
    fitted = np.full(n, np.nan)
    if n < SEASON:
        return np.full(h, y.mean()), fitted
    fitted[SEASON:] = y[:-SEASON]
    return np.resize(y[-SEASON:], h), fitted


def _moving_average(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    n = y.size
    csum = np.concatenate([[0.0], np.cumsum(y)])
    t = np.arange(1, n)
    start = np.maximum(t - MA_WINDOW, 0)
    fitted = np.full(n, np.nan)
    fitted[1:] = (csum[t] - csum[start]) / (t - start)
    return np.full(h, y[-MA_WINDOW:].mean()), fitted


def _ses_levels(y: list[float], alpha: float) -> tuple[np.ndarray, float]:
    """One-step fits (level before each t, starting at y[0]) and the final level."""
    level = y[0]
    fits = []
    for v in y:
        fits.append(level)
        level += alpha * (v - level)
    return np.array(fits), level


def _ses(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    ys = y.tolist()
    best = None
    for alpha in SES_ALPHAS:
        fits, level = _ses_levels(ys, alpha)
        sse = float(np.sum((y[1:] - fits[1:]) ** 2))
        if best is None or sse < best[0]:
            best = (sse, fits, level)
    _, fits, level = best
    fits[0] = np.nan
    return np.full(h, level), fits


def _croston_core(y: np.ndarray, h: int, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Croston (``factor`` 1) or SBA (``factor`` 1 - α/2): size / interval smoothing."""
    n = y.size
    fitted = np.full(n, np.nan)
    nz = np.flatnonzero(y > 0)
    if nz.size == 0:
        return np.zeros(h), np.zeros(n)
    a = CROSTON_ALPHA
    size, interval = y[nz[0]], float(nz[0] + 1)
    prev = nz[0]
    for i, j in enumerate(nz):
        if i > 0:
            size += a * (y[j] - size)
            interval += a * ((j - prev) - interval)
            prev = j
        end = nz[i + 1] + 1 if i + 1 < nz.size else n
        fitted[j + 1 : end] = factor * size / interval
    return np.full(h, factor * size / interval), fitted


def _croston(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    return _croston_core(y, h, 1.0)


def _sba(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    return _croston_core(y, h, 1.0 - CROSTON_ALPHA / 2.0)


def _tsb(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Teunter-Syntetos-Babai: occurrence probability updated every period."""
    n = y.size
    pos = y > 0
    if not pos.any():
        return np.zeros(h), np.zeros(n)
    prob, size = float(pos.mean()), float(y[pos].mean())
    fits = []
    for v, d in zip(y.tolist(), pos.tolist(), strict=True):
        fits.append(prob * size)
        prob += TSB_BETA * (d - prob)
        if d:
            size += TSB_ALPHA * (v - size)
    fitted = np.array(fits)
    fitted[0] = np.nan
    return np.full(h, prob * size), fitted


def weekday_factors(y: np.ndarray, weeks: int = DOW_WEEKS, shrink: float = DOW_SHRINK):
    """Multiplicative factors (mean 1) per position ``i % 7`` from the last ``weeks`` whole
    weeks, shrunk toward 1 by ``shrink`` pseudo-units: sparse series stay nearly flat."""
    n_weeks = min(weeks, y.size // SEASON)
    if n_weeks < 2:
        return np.ones(SEASON)
    tail = y[y.size - n_weeks * SEASON :]
    start = (y.size - n_weeks * SEASON) % SEASON  # position (index % 7) of tail[0]
    sums = np.roll(tail.reshape(n_weeks, SEASON).sum(axis=0), start)
    total = sums.sum()
    if total <= 0:
        return np.ones(SEASON)
    raw = sums * SEASON / total
    return (total * raw + shrink) / (total + shrink)


def _dow_profile(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Weekday profile on a moving level: the 28-day mean times weekday factors."""
    n = y.size
    level_fc, fitted = _moving_average(y, h)
    fac = weekday_factors(y)
    fitted = fitted * fac[np.arange(n) % SEASON]
    return level_fc * fac[np.arange(n, n + h) % SEASON], fitted


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("seasonal_naive", 0, _seasonal_naive),
        Model("moving_average", 1, _moving_average),
        Model("ses", 2, _ses),
        Model("croston", 3, _croston),
        Model("sba", 4, _sba),
        Model("tsb", 5, _tsb),
        Model("dow_profile", 6, _dow_profile),
    )
}


def fit_predict(name: str, y: np.ndarray, h: int) -> np.ndarray:
    """Point forecast of ``h`` steps from model ``name``."""
    return MODELS[name].fit_predict(y, h)
