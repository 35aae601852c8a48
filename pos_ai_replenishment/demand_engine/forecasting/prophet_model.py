"""Prophet as an optional model (only when ``prophet`` is importable).

Weekly and yearly seasonality, country holidays from the ``holidays`` package that
Prophet brings (``country``), and extra regressors (``price``, ``promo``, ``event``)
when the history has them with some variation. Future regressor values come from the
caller's horizon rows; missing ones repeat the last known price and assume no promotion
or event. cmdstanpy's and prophet's loggers are silenced on import.
"""

from __future__ import annotations

import logging
from functools import cache

import numpy as np
import pandas as pd

from .models import ModelFit, residual_sigma

REGRESSORS = ("price", "promo", "event")


@cache
def available() -> bool:
    """True when prophet can be imported (its loggers are silenced then)."""
    try:
        import prophet  # noqa: F401
    except ImportError:
        return False
    # after the import: cmdstanpy sets up its own handler and level when imported
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        logger.disabled = True
    return True


def _future_regressors(hist: pd.DataFrame, future: pd.DataFrame | None, ds, cols) -> pd.DataFrame:
    out = pd.DataFrame({"ds": ds})
    if future is not None and len(future):
        out = out.merge(future[["ds", *[c for c in cols if c in future]]], on="ds", how="left")
    for c in cols:
        if c not in out:
            out[c] = np.nan
        fill = hist[c].ffill().iloc[-1] if c == "price" else 0.0
        out[c] = out[c].astype(float).fillna(fill if pd.notna(fill) else 0.0)
    return out


def fit_prophet(
    hist: pd.DataFrame,
    h: int,
    *,
    future: pd.DataFrame | None = None,
    country: str | None = None,
    default: bool = False,
) -> ModelFit:
    """Fit on ``hist`` (``ds, y`` and optional regressor columns), forecast ``h`` days.

    ``default``: Prophet() exactly as shipped (no holidays, no regressors), predicting the
    horizon only (sigma is then the std of the history), for benchmarks. Otherwise the
    uncertainty sampling is off (intervals come from the residual sigma, as for every model).
    """
    if not available():
        raise RuntimeError("prophet is not installed")
    from prophet import Prophet

    hist = hist.sort_values("ds").reset_index(drop=True)
    if default:
        model, cols = Prophet(), []
    else:
        model = Prophet(
            weekly_seasonality=True,
            yearly_seasonality=len(hist) >= 365,
            daily_seasonality=False,
            uncertainty_samples=0,
        )
        if country:
            model.add_country_holidays(country_name=country)
        cols = [c for c in REGRESSORS if c in hist and hist[c].astype(float).nunique() > 1]
        for c in cols:
            model.add_regressor(c)
    train = hist[["ds", "y", *cols]].copy()
    for c in cols:
        train[c] = train[c].astype(float).ffill().bfill().fillna(0.0)
    model.fit(train)
    ds = pd.date_range(hist["ds"].iloc[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    fut = _future_regressors(train, future, ds, cols)
    y = train["y"].to_numpy(float)
    if default:
        mean = model.predict(fut)["yhat"].to_numpy(float)
        fitted = np.full(len(train), np.nan)
    else:
        rows = pd.concat([train.drop(columns="y"), fut], ignore_index=True)
        yhat = model.predict(rows)["yhat"].to_numpy(float)
        mean, fitted = yhat[len(train) :], yhat[: len(train)]
    return ModelFit(np.maximum(mean, 0.0), fitted, residual_sigma(y, fitted))
