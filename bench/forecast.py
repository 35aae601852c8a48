#!/usr/bin/env python3
"""Forecast accuracy and speed on the M5 sample: baselines, Prophet, the engine's selection.

Train to 2016-03-27, score 2016-03-28..2016-04-24 (28 days), all methods in the same run.
WAPE is pooled over every series and day (sum |error| / sum actual); RMSSE is per series
(M5 scaling: mean squared one-day change of the history from its first sale), averaged.
Seconds per series are CPU-seconds: wall time x workers / series (Prophet's Stan fits run
in child processes, so wall time over a full pool is the honest measure).

    /opt/odoo18-venv/bin/python bench/forecast.py [--limit N] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared/data/m5/tiny_m5.parquet"
sys.path.insert(0, str(REPO / "pos_ai_replenishment"))

from demand_engine.forecasting import prophet_model  # noqa: E402
from demand_engine.forecasting.backtest import prophet_gate  # noqa: E402
from demand_engine.forecasting.run import forecast_frame  # noqa: E402

TRAIN_END = pd.Timestamp("2016-03-27")
H = 28
TARGET_GAIN = 0.05  # selection WAPE at least 5% below the best baseline
TARGET_SPEEDUP = 10.0  # and at least 10x faster per series than Prophet on every series


@dataclass
class Row:
    method: str
    wape: float
    rmsse: float
    sec_per_series: float


def load(path: Path, limit: int | None) -> pd.DataFrame:
    raw = pd.read_parquet(
        path, columns=["item_id", "store_id", "date", "value", "sell_price", "snap", "event_name_1"]
    )
    uid = raw["item_id"].astype(str) + "_" + raw["store_id"].astype(str)
    df = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.to_datetime(raw["date"]),
            "y": raw["value"].astype(float),
            "price": raw["sell_price"].astype(float),
            "promo": raw["snap"].astype(float),  # SNAP days: M5's closest thing to a promo flag
            "event": raw["event_name_1"].notna().astype(float),
        }
    ).sort_values(["unique_id", "ds"], kind="stable")
    if limit:
        ids = sorted(df["unique_id"].unique())
        keep = ids[:: max(len(ids) // limit, 1)][:limit]  # spread over items and stores
        df = df[df["unique_id"].isin(keep)]
    return df.reset_index(drop=True)


def scores(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame) -> tuple[float, float]:
    m = test[["unique_id", "ds", "y"]].merge(
        fc[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"]
    )
    if len(m) != len(test):
        raise RuntimeError(f"forecast covers {len(m)} of {len(test)} test rows")
    err = m["yhat"].to_numpy() - m["y"].to_numpy()
    wape = float(np.abs(err).sum() / m["y"].abs().sum())
    sq = pd.Series(err**2).groupby(m["unique_id"].to_numpy()).mean()
    scale = {}
    for uid, g in train.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        nz = np.flatnonzero(y > 0)
        y = y[nz[0] :] if nz.size else y
        s = float(np.mean(np.diff(y) ** 2)) if y.size > 1 else 0.0
        scale[uid] = s if s > 0 else 1.0
    rmsse = np.sqrt(sq / pd.Series(scale).reindex(sq.index))
    return wape, float(rmsse.mean())


def baseline(train: pd.DataFrame, kind: str) -> pd.DataFrame:
    parts = []
    for uid, g in train.groupby("unique_id", sort=True):
        ds = pd.date_range(g["ds"].iloc[-1] + pd.Timedelta(days=1), periods=H, freq="D")
        y = g["y"].to_numpy(float)
        yhat = np.resize(y[-7:], H) if kind == "snaive" else np.full(H, y[-28:].mean())
        parts.append(pd.DataFrame({"unique_id": uid, "ds": ds, "yhat": yhat}))
    return pd.concat(parts, ignore_index=True)


def _prophet_one(item: tuple[str, pd.DataFrame]) -> pd.DataFrame:
    uid, g = item
    fit = prophet_model.fit_prophet(g[["ds", "y"]], H, default=True)
    ds = pd.date_range(g["ds"].iloc[-1] + pd.Timedelta(days=1), periods=H, freq="D")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "yhat": fit.mean})


def prophet_all(train: pd.DataFrame, workers: int) -> pd.DataFrame:
    items = list(train.groupby("unique_id", sort=True))
    with ProcessPoolExecutor(max_workers=workers, initializer=prophet_model.available) as pool:
        parts = list(pool.map(_prophet_one, items, chunksize=4))
    return pd.concat(parts, ignore_index=True)


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only N series (quick run)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--train-end", type=pd.Timestamp, default=TRAIN_END, help="validation runs")
    ap.add_argument("--no-prophet", action="store_true", help="skip Prophet (no speed target)")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"M5 sample not found at {args.data}", file=sys.stderr)
        return 2
    df = load(args.data, args.limit)
    end = args.train_end
    train, test = df[df["ds"] <= end], df[(df["ds"] > end)]
    test = test[test["ds"] <= end + pd.Timedelta(days=H)]
    n = train["unique_id"].nunique()
    w = args.workers
    print(f"{n} series, train {train['ds'].min().date()}..{end.date()}, test {H} days, {w} workers")

    rows: list[Row] = []
    fcs: dict[str, pd.DataFrame] = {}
    for name, kind in (("seasonal naive (7)", "snaive"), ("28-day mean", "ma28")):
        fc, sec = timed(baseline, train, kind)
        fcs[name] = fc
        rows.append(Row(name, *scores(train, test, fc), sec / n))  # one process
    if not args.no_prophet and prophet_model.available():
        fc, sec = timed(prophet_all, train, w)
        fcs["prophet"] = fc
        rows.append(Row("Prophet, default, every series", *scores(train, test, fc), sec * w / n))
    lead = pd.DataFrame({"unique_id": sorted(train["unique_id"].unique()), "lead_time": 7.0})
    future = test.drop(columns="y")
    res, sec = timed(lambda: forecast_frame(train, H, lead, future=future, max_workers=w))
    fcs["selection"] = res.forecast
    rows.append(Row("selection (forecast_frame)", *scores(train, test, res.forecast), sec * w / n))

    print()
    print("| method | WAPE | mean RMSSE | s/series (CPU) |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r.method} | {r.wape:.4f} | {r.rmsse:.4f} | {r.sec_per_series:.4f} |")
    print()
    models = res.series["model"].value_counts().to_dict()
    status = res.series["status"].value_counts().to_dict()
    print(f"selection models: {models}; status: {status}")

    sel = rows[-1]
    best = min(rows[:2], key=lambda r: r.wape)
    gain = 1.0 - sel.wape / best.wape
    ok_acc = gain >= TARGET_GAIN
    print(
        f"target 1 accuracy: selection WAPE {sel.wape:.4f} vs best baseline {best.method} "
        f"{best.wape:.4f}: {gain:+.1%} (need >= {TARGET_GAIN:.0%}) "
        f"{'PASS' if ok_acc else 'FAIL'}"
    )
    ok_speed = True
    if "prophet" in fcs:
        pro = rows[2]
        speedup = pro.sec_per_series / sel.sec_per_series
        ok_speed = speedup >= TARGET_SPEEDUP
        print(
            f"target 2 speed: Prophet {pro.sec_per_series:.3f} s/series vs selection "
            f"{sel.sec_per_series:.4f} s/series: {speedup:.1f}x (need >= {TARGET_SPEEDUP:g}x) "
            f"{'PASS' if ok_speed else 'FAIL'}"
        )
        _gate_report(train, test, fcs, res.series)
    else:
        print("target 2 speed: not measured (Prophet skipped or not installed)")
    return 0 if ok_acc and ok_speed else 1


def _gate_report(train, test, fcs, series) -> None:
    """How default Prophet does on the series the Prophet gate would let through."""
    cls = series.set_index("unique_id")["demand_class"]
    gated = [
        uid
        for uid, g in train.groupby("unique_id", sort=True)
        if prophet_gate(g["y"].to_numpy(float), cls.get(uid, ""), H)
    ]
    if not gated:
        print("Prophet gate: no series qualifies")
        return
    tr, te = train[train["unique_id"].isin(gated)], test[test["unique_id"].isin(gated)]
    p = scores(tr, te, fcs["prophet"])[0]
    s = scores(tr, te, fcs["selection"])[0]
    print(
        f"Prophet gate ({len(gated)} long, smooth, high-volume series): WAPE Prophet "
        f"{p:.4f} vs selection {s:.4f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
