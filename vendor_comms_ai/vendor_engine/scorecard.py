"""Supplier scorecards per vendor and per vendor x category, from receipts.

Inputs are long frames (one row per receipt of a PO line; several receipts of
one line are summed, the line's received date being the last one):

* ``receipts``: vendor_id, category_id, po_line_id, ordered_qty, received_qty,
  promised_date, received_date, order_date, eta_given (the last ETA the vendor
  gave, NaT when none), price_paid, list_price. Rows without a received date
  are ignored (nothing has arrived yet).
* ``quality`` (optional): vendor_id, category_id, returned_qty (returns to the
  vendor), defect_returns (POS returns with a defect reason), in units.

Measures per group:

* ``on_time_rate``: share of lines with received_date <= promised_date;
* ``fill_rate``: sum of min(received, ordered) / sum of ordered (over-delivery
  of one line does not hide a short one);
* ``lead_time_mean`` / ``lead_time_std``: days from order to receipt (sample
  standard deviation; 0 with one line, which is flagged ``low_data``);
* ``eta_accuracy``: mean absolute days between the vendor's last ETA and the
  receipt, over lines with an ETA (NaN when none);
* ``price_variance``: mean of (price_paid - list_price) / list_price;
* ``quality_rate``: 1 - (returned_qty + defect_returns) / received units.

``risk_score`` (0 best .. 100 worst) is the weighted sum of six penalties in
[0, 1] (:data:`WEIGHTS`, in points): late lines (1 - on_time_rate, 35), short
fills (1 - fill_rate, 25), lead time variability (std / mean, capped at 1,
10), ETA error (days / 7, capped at 1: a week off is the full penalty, 10),
price above list (variance / 10 %, capped, 0 below list, 10), returns
(returned share / 10 %, capped, 10). A missing measure adds nothing.
``at_risk`` is risk_score >= the threshold (40 by default); ``explanation``
names the contributors, largest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

WEIGHTS = {
    "on_time": 35.0,
    "fill": 25.0,
    "lead_time_variability": 10.0,
    "eta_accuracy": 10.0,
    "price": 10.0,
    "quality": 10.0,
}
ETA_FULL_PENALTY_DAYS = 7.0
PRICE_FULL_PENALTY = 0.10
RETURNS_FULL_PENALTY = 0.10
DEFAULT_THRESHOLD = 40.0
DEFAULT_MIN_LINES = 3
RECEIPT_COLUMNS = (
    "vendor_id",
    "category_id",
    "po_line_id",
    "ordered_qty",
    "received_qty",
    "promised_date",
    "received_date",
    "order_date",
    "eta_given",
    "price_paid",
    "list_price",
)
_DATES = ("promised_date", "received_date", "order_date", "eta_given")


@dataclass(frozen=True)
class Scorecards:
    """Scorecards at both levels, one row per vendor (x category)."""

    by_vendor: pd.DataFrame
    by_vendor_category: pd.DataFrame


def receipt_lines(receipts: pd.DataFrame) -> pd.DataFrame:
    """One row per received PO line with its per-line measures."""
    missing = set(RECEIPT_COLUMNS) - set(receipts.columns)
    if missing:
        raise ValueError(f"receipts lack columns {sorted(missing)}")
    frame = receipts.loc[:, list(RECEIPT_COLUMNS)].copy()
    for column in _DATES:
        frame[column] = pd.to_datetime(frame[column])
    frame = frame[frame["received_date"].notna()]
    keys = ["vendor_id", "category_id", "po_line_id"]
    lines = frame.groupby(keys, as_index=False, sort=True).agg(
        ordered_qty=("ordered_qty", "first"),
        received_qty=("received_qty", "sum"),
        promised_date=("promised_date", "first"),
        received_date=("received_date", "max"),
        order_date=("order_date", "first"),
        eta_given=("eta_given", "last"),
        price_paid=("price_paid", "mean"),
        list_price=("list_price", "first"),
    )
    on_time = (lines["received_date"] <= lines["promised_date"]).astype(float)
    lines["on_time"] = on_time.where(lines["promised_date"].notna())
    lines["filled_qty"] = np.minimum(lines["received_qty"], lines["ordered_qty"]).clip(lower=0)
    lines["lead_days"] = (lines["received_date"] - lines["order_date"]).dt.days
    lines["eta_error_days"] = (lines["received_date"] - lines["eta_given"]).dt.days.abs()
    list_price = lines["list_price"].where(lines["list_price"] > 0)
    lines["price_var"] = (lines["price_paid"] - list_price) / list_price
    return lines


def _aggregate(lines: pd.DataFrame, quality: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    grouped = lines.groupby(keys, sort=True)
    card = grouped.agg(
        n_lines=("po_line_id", "count"),
        on_time_rate=("on_time", "mean"),
        filled_qty=("filled_qty", "sum"),
        ordered_qty=("ordered_qty", "sum"),
        received_qty=("received_qty", "sum"),
        lead_time_mean=("lead_days", "mean"),
        lead_time_std=("lead_days", "std"),
        eta_accuracy=("eta_error_days", "mean"),
        eta_lines=("eta_error_days", "count"),
        price_variance=("price_var", "mean"),
    )
    card["fill_rate"] = card["filled_qty"] / card["ordered_qty"].where(card["ordered_qty"] > 0)
    card["lead_time_std"] = card["lead_time_std"].fillna(0.0)
    returned = pd.Series(0.0, index=card.index)
    if quality is not None and not quality.empty:
        q = quality.assign(
            bad=quality["returned_qty"].fillna(0) + quality["defect_returns"].fillna(0)
        )
        returned = q.groupby(keys)["bad"].sum().reindex(card.index, fill_value=0.0)
    received = card["received_qty"].where(card["received_qty"] > 0)
    card["returned_qty"] = returned
    card["quality_rate"] = (1 - returned / received).clip(0, 1).fillna(1.0)
    return card.drop(columns=["filled_qty"])


def _penalties(card: pd.DataFrame) -> pd.DataFrame:
    cv = card["lead_time_std"] / card["lead_time_mean"].where(card["lead_time_mean"] > 0)
    return pd.DataFrame(
        {
            "on_time": 1 - card["on_time_rate"],
            "fill": 1 - card["fill_rate"],
            "lead_time_variability": cv.clip(0, 1),
            "eta_accuracy": (card["eta_accuracy"] / ETA_FULL_PENALTY_DAYS).clip(0, 1),
            "price": (card["price_variance"] / PRICE_FULL_PENALTY).clip(0, 1),
            "quality": ((1 - card["quality_rate"]) / RETURNS_FULL_PENALTY).clip(0, 1),
        },
        index=card.index,
    ).fillna(0.0)


def _pct(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.0%}"


def _describe(name: str, row: pd.Series) -> str:
    if name == "on_time":
        return f"on time {_pct(row['on_time_rate'])}"
    if name == "fill":
        return f"fill rate {_pct(row['fill_rate'])}"
    if name == "lead_time_variability":
        return f"lead time {row['lead_time_mean']:.1f} ± {row['lead_time_std']:.1f} days"
    if name == "eta_accuracy":
        return f"ETAs off by {row['eta_accuracy']:.1f} days on average"
    if name == "price":
        return f"prices {row['price_variance']:+.1%} against the pricelist"
    return f"returns and defects {_pct(1 - row['quality_rate'])} of received units"


def _explain(card: pd.DataFrame, points: pd.DataFrame, weights: dict, threshold: float) -> list:
    texts = []
    for key, row in card.iterrows():
        contributions = points.loc[key].sort_values(ascending=False)
        parts = [
            f"{_describe(name, row)} (weight {weights[name]:.0f}%) adds {value:.1f}"
            for name, value in contributions.items()
            if value >= 0.05
        ]
        head = f"risk {row['risk_score']:.1f}/100" + (
            f", at risk (threshold {threshold:.0f})" if row["at_risk"] else ""
        )
        body = "; ".join(parts) if parts else "no measure adds risk"
        low = f" Low data: {int(row['n_lines'])} received line(s)." if row["low_data"] else ""
        texts.append(f"{head}: {body}.{low}")
    return texts


def _score(card: pd.DataFrame, weights: dict, threshold: float, min_lines: int) -> pd.DataFrame:
    points = _penalties(card) * pd.Series(weights)
    card = card.copy()
    card["risk_score"] = points.sum(axis=1).clip(0, 100).round(2)
    card["at_risk"] = card["risk_score"] >= threshold
    card["low_data"] = card["n_lines"] < min_lines
    card["explanation"] = _explain(card, points, weights, threshold)
    return card.reset_index()


def build_scorecards(
    receipts: pd.DataFrame,
    quality: pd.DataFrame | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_lines: int = DEFAULT_MIN_LINES,
    weights: dict[str, float] | None = None,
) -> Scorecards:
    """Scorecards per vendor and per vendor x category. A vendor without any
    received line is absent (there is nothing to score)."""
    weights = dict(weights or WEIGHTS)
    if set(weights) != set(WEIGHTS) or not math.isclose(sum(weights.values()), 100.0):
        raise ValueError(f"weights must cover {sorted(WEIGHTS)} and sum to 100")
    lines = receipt_lines(receipts)
    if lines.empty:
        empty = pd.DataFrame(columns=["vendor_id", "risk_score", "at_risk", "explanation"])
        return Scorecards(empty, empty.assign(category_id=pd.Series(dtype=object)))
    return Scorecards(
        by_vendor=_score(_aggregate(lines, quality, ["vendor_id"]), weights, threshold, min_lines),
        by_vendor_category=_score(
            _aggregate(lines, quality, ["vendor_id", "category_id"]), weights, threshold, min_lines
        ),
    )


def observed_delay_days(
    receipts: pd.DataFrame,
    *,
    by: tuple[str, ...] = ("vendor_id",),
    quantile: float = 0.75,
    min_lines: int = DEFAULT_MIN_LINES,
) -> pd.DataFrame:
    """A robust lead time for ``product.supplierinfo.delay``: the 75th
    percentile of order-to-receipt days (three orders in four arrive within
    it; one late delivery does not move it much, unlike the mean), rounded
    up to whole days. Groups with fewer than ``min_lines`` received lines are
    left out, so their current delay stays. ``by`` may include ``product_id``
    when the receipts frame carries it.

    Columns: ``by`` ..., delay_days (int), median_days, n_lines.
    """
    columns = list(by) + ["order_date", "received_date"]
    frame = receipts.loc[:, columns].copy()
    frame["lead"] = (
        pd.to_datetime(frame["received_date"]) - pd.to_datetime(frame["order_date"])
    ).dt.days
    frame = frame[frame["lead"].notna() & (frame["lead"] >= 0)]
    grouped = frame.groupby(list(by), sort=True)["lead"]
    result = pd.DataFrame(
        {
            "delay_q": grouped.quantile(quantile),
            "median_days": grouped.median(),
            "n_lines": grouped.count(),
        }
    )
    result = result[result["n_lines"] >= min_lines]
    result["delay_days"] = np.ceil(result["delay_q"]).astype(int)
    return result.drop(columns=["delay_q"]).reset_index()[
        [*by, "delay_days", "median_days", "n_lines"]
    ]
