"""One forecasting run: backtest and forecast every series (optionally across worker
processes, one chunk of series each), then derive the reorder policy per series."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backtest import EXTRA_COLUMNS, FALLBACK_MODEL, SERIES_COLUMNS, BacktestResult, backtest
from .policy import abc_classes, reorder_policy


@dataclass
class RunResult:
    """``series`` and ``forecast`` as in :class:`BacktestResult`; ``policy`` from
    :func:`reorder_policy` plus ``model, demand_mean, demand_std, lead_time,
    lead_time_std, abc`` (one row feeds :func:`.policy.explain`)."""

    series: pd.DataFrame
    forecast: pd.DataFrame
    policy: pd.DataFrame


def chunk_ids(ids, n_chunks: int, index: int) -> list:
    """The ``index``-th of ``n_chunks`` contiguous, near-equal chunks of the sorted unique ids."""
    if not 0 <= index < n_chunks:
        raise ValueError(f"index {index} outside 0..{n_chunks - 1}")
    uniq = np.array(sorted(set(ids)), dtype=object)
    return np.array_split(uniq, n_chunks)[index].tolist()


def _backtest_chunk(df: pd.DataFrame, h: int, folds: int, level: float, opts: dict):
    return backtest(df, h, folds=folds, level=level, **opts)


def _no_history(ids: list, start: pd.Timestamp, h: int) -> BacktestResult:
    """Zero forecasts for series known only from ``lead_times`` (no rows in ``df``)."""
    series = pd.DataFrame({"unique_id": ids, "model": FALLBACK_MODEL})
    for col in ("wape", "mase", "bias"):
        series[col] = np.nan
    series = series.assign(demand_class="no_demand", sigma=0.0, status="no_history", error="")
    series["n_days"] = 0
    ds = pd.date_range(start, periods=h, freq="D")
    forecast = pd.DataFrame(
        {"unique_id": np.repeat(np.array(ids, dtype=object), h), "ds": np.tile(ds, len(ids))}
    ).assign(yhat=0.0, yhat_lo=0.0, yhat_hi=0.0)
    return BacktestResult(series[SERIES_COLUMNS + EXTRA_COLUMNS], pd.DataFrame(), forecast)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


def forecast_frame(
    df: pd.DataFrame,
    h: int,
    lead_times: pd.DataFrame,
    *,
    revenue: pd.DataFrame | None = None,
    folds: int = 2,
    level: float = 80.0,
    max_workers: int | None = None,
    serial: bool = False,
    future: pd.DataFrame | None = None,
    country: str | None = None,
    global_model: bool = True,
    prophet: bool = False,
) -> RunResult:
    """Backtest, forecast ``h`` days and compute the policy for every series of ``df``.

    ``lead_times``: ``unique_id, lead_time`` and optional ``lead_time_std``,
    ``review_period``, ``moq``, ``pack_size``, ``inventory_position``, ``order_cost``,
    ``holding_cost`` (see :func:`reorder_policy`). ``revenue``: ``unique_id, revenue``
    for the ABC service levels; without it, units sold stand in for revenue.
    The daily demand mean is the forecast mean over the horizon, its std the chosen
    model's sigma. ``serial`` (or a single worker/series) skips the pool. ``future``,
    ``country``, ``global_model`` and ``prophet`` are passed to :func:`.backtest.backtest`;
    the global model trains once per chunk (one chunk per worker), so its forecasts depend
    a little on how the run is cut. Series listed in ``lead_times`` without any row in
    ``df`` get a zero forecast with status ``no_history``.
    """
    opts = {"future": future, "country": country, "global_model": global_model}
    opts["prophet"] = prophet
    ids = df["unique_id"].unique()
    workers = max_workers or os.cpu_count() or 1
    n_chunks = min(workers, len(ids))
    if not len(ids):
        results = []
    elif serial or n_chunks <= 1:
        results = [backtest(df, h, folds=folds, level=level, **opts)]
    else:
        chunks = [chunk_ids(ids, n_chunks, i) for i in range(n_chunks)]
        frames = [df[df["unique_id"].isin(c)] for c in chunks]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_backtest_chunk, f, h, folds, level, opts) for f in frames]
            results = [fut.result() for fut in futures]
    missing = sorted(set(lead_times["unique_id"]) - set(ids))
    if missing:
        start = (df["ds"].max() if len(df) else pd.Timestamp.today().normalize()) + pd.Timedelta(
            days=1
        )
        results.append(_no_history(missing, start, h))
    series = _concat([r.series for r in results])
    forecast = _concat([r.forecast for r in results])

    if revenue is None:
        revenue = df.groupby("unique_id", observed=True)["y"].sum().rename("revenue").reset_index()
        revenue = pd.concat([revenue, pd.DataFrame({"unique_id": missing, "revenue": 0.0})])
    abc = abc_classes(revenue)[["unique_id", "abc", "service_level"]]
    demand = forecast.groupby("unique_id", observed=True)["yhat"].mean().rename("demand_mean")
    frame = (
        series[["unique_id", "model", "sigma"]]
        .rename(columns={"sigma": "demand_std"})
        .merge(demand.reset_index(), on="unique_id")
        .merge(lead_times, on="unique_id", how="left")
        .merge(abc, on="unique_id", how="left")
    )
    frame["lead_time"] = frame["lead_time"].fillna(0.0)
    if "lead_time_std" not in frame:
        frame["lead_time_std"] = 0.0
    frame["lead_time_std"] = frame["lead_time_std"].fillna(0.0)
    frame["abc"] = frame["abc"].fillna("C")
    frame["service_level"] = frame["service_level"].fillna(0.85)
    policy = reorder_policy(frame)
    extra = frame[
        ["unique_id", "model", "demand_mean", "demand_std", "lead_time", "lead_time_std", "abc"]
    ]
    policy = policy.merge(extra, on="unique_id")
    return RunResult(series=series, forecast=forecast, policy=policy)
