"""Inventory policy: safety stock, reorder point, order-up-to level, MOQ / pack
rounding, EOQ and ABC service levels. Vectorised over one row per series."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

SERVICE_LEVELS = {"A": 0.95, "B": 0.90, "C": 0.85}
ABC_CUTS = (0.80, 0.95)  # A = first 80% of revenue, B = next 15%, C = the rest
_EPS = 1e-9


def z_score(service_level):
    """One-sided normal quantile for a cycle service level (0.95 → 1.6449)."""
    inv = np.vectorize(NormalDist().inv_cdf, otypes=[float])
    out = inv(np.asarray(service_level, dtype=float))
    return float(out) if out.ndim == 0 else out


def safety_stock(z, lead_time, lead_time_std, demand_mean, demand_std):
    """z · sqrt(L·σ_d² + d²·σ_L²), in units."""
    lt, lt_sd = np.asarray(lead_time, float), np.asarray(lead_time_std, float)
    d, sd = np.asarray(demand_mean, float), np.asarray(demand_std, float)
    return np.asarray(z, float) * np.sqrt(lt * sd**2 + d**2 * lt_sd**2)


def reorder_point(lead_time, demand_mean, safety):
    """Lead-time demand (L·d) plus safety stock."""
    return np.asarray(lead_time, float) * np.asarray(demand_mean, float) + safety


def order_up_to(rop, review_period, demand_mean):
    """Reorder point plus the demand of one review period."""
    return rop + np.asarray(review_period, float) * np.asarray(demand_mean, float)


def round_order_qty(qty, moq=0.0, pack=1.0):
    """Positive quantities raised to the vendor MOQ, then up to a multiple of ``pack``;
    non-positive quantities give 0. ``pack`` <= 0 means no pack rounding."""
    q = np.asarray(qty, float)
    pack = np.asarray(pack, float)
    q = np.maximum(q, np.asarray(moq, float))
    safe_pack = np.where(pack > 0, pack, 1.0)
    packed = np.where(pack > 0, np.ceil(q / safe_pack - _EPS) * safe_pack, q)
    return np.where(np.asarray(qty, float) > 0, packed, 0.0)


def eoq(annual_demand, order_cost, holding_cost):
    """Economic order quantity sqrt(2·D·S/H); 0 where H <= 0."""
    d, s, hc = (np.asarray(v, float) for v in (annual_demand, order_cost, holding_cost))
    safe_h = np.where(hc > 0, hc, 1.0)
    return np.where(hc > 0, np.sqrt(2.0 * d * s / safe_h), 0.0)


def abc_classes(revenue: pd.DataFrame, value_col: str = "revenue") -> pd.DataFrame:
    """``unique_id, revenue, share, abc, service_level`` by descending revenue.

    A series is A while the revenue of the series ranked above it is under 80% of the
    total (so A covers at least 80%), B under 95%, else C. Zero revenue is always C.
    """
    out = revenue[["unique_id", value_col]].sort_values(value_col, ascending=False, kind="stable")
    vals = out[value_col].to_numpy(float)
    total = vals.sum()
    share = vals / total if total > 0 else np.zeros_like(vals)
    before = np.cumsum(share) - share
    abc = np.select(
        [vals <= 0, before < ABC_CUTS[0] - _EPS, before < ABC_CUTS[1] - _EPS],
        ["C", "A", "B"],
        default="C",
    )
    out = out.assign(share=share, abc=abc)
    out["service_level"] = out["abc"].map(SERVICE_LEVELS)
    return out.reset_index(drop=True)


POLICY_COLUMNS = [
    "unique_id",
    "service_level",
    "z",
    "lead_time_demand",
    "lead_time_demand_std",
    "protection_demand",
    "protection_std",
    "safety_stock",
    "reorder_point",
    "order_up_to",
]


def reorder_policy(frame: pd.DataFrame) -> pd.DataFrame:
    """Policy per series row.

    ``lead_time_demand_std`` is sqrt(L·σd² + d²·σL²); ``protection_demand`` and
    ``protection_std`` are the same over lead time + review period (L + R), the
    horizon an order has to cover.

    Needs ``unique_id, demand_mean, demand_std, lead_time, service_level``; optional
    ``lead_time_std`` (0), ``review_period`` (0), ``moq`` (0), ``pack_size`` (1),
    ``inventory_position`` (adds ``order_qty``: order-up-to minus position when at or
    below the reorder point, MOQ/pack rounded) and ``order_cost`` with
    ``holding_cost`` (annual, per unit; adds ``eoq`` on 365·d).
    """
    f = frame

    def get(col: str, default: float):
        return f[col].to_numpy(float) if col in f else default

    d, sd = f["demand_mean"].to_numpy(float), f["demand_std"].to_numpy(float)
    lt = f["lead_time"].to_numpy(float)
    lt_sd, review = get("lead_time_std", 0.0), get("review_period", 0.0)
    z = z_score(f["service_level"].to_numpy(float))
    ss = safety_stock(z, lt, lt_sd, d, sd)
    rop = reorder_point(lt, d, ss)
    cover = lt + review
    out = pd.DataFrame(
        {
            "unique_id": f["unique_id"].to_numpy(),
            "service_level": f["service_level"].to_numpy(float),
            "z": z,
            "lead_time_demand": lt * d,
            "lead_time_demand_std": safety_stock(1.0, lt, lt_sd, d, sd),
            "protection_demand": cover * d,
            "protection_std": safety_stock(1.0, cover, lt_sd, d, sd),
            "safety_stock": ss,
            "reorder_point": rop,
            "order_up_to": order_up_to(rop, review, d),
        }
    )
    if "inventory_position" in f:
        pos = f["inventory_position"].to_numpy(float)
        need = np.where(pos <= rop, out["order_up_to"].to_numpy() - pos, 0.0)
        out["order_qty"] = round_order_qty(need, get("moq", 0.0), get("pack_size", 1.0))
    if "order_cost" in f and "holding_cost" in f:
        out["eoq"] = eoq(365.0 * d, get("order_cost", 0.0), get("holding_cost", 0.0))
    return out


@dataclass(frozen=True)
class PolicyExplanation:
    """Why one item gets its reorder point, for chatter and audit."""

    unique_id: str
    model: str
    demand_mean: float
    sigma: float
    lead_time: float
    lead_time_std: float
    lead_time_demand: float
    service_level: float
    z: float
    safety_stock: float
    reorder_point: float

    def text(self) -> str:
        return (
            f"{self.unique_id}: {self.model} forecasts {self.demand_mean:.2f}/day "
            f"(sigma {self.sigma:.2f}); lead time {self.lead_time:g}±{self.lead_time_std:g} d "
            f"→ lead-time demand {self.lead_time_demand:.1f}; service level "
            f"{self.service_level:.0%} (z {self.z:.2f}) → safety stock "
            f"{self.safety_stock:.1f}, reorder point {self.reorder_point:.1f}"
        )


def explain(row: pd.Series) -> PolicyExplanation:
    """Explanation for one row of :attr:`RunResult.policy <.run.RunResult>`."""
    return PolicyExplanation(
        unique_id=str(row["unique_id"]),
        model=str(row.get("model", "")),
        demand_mean=float(row["demand_mean"]),
        sigma=float(row["demand_std"]),
        lead_time=float(row["lead_time"]),
        lead_time_std=float(row.get("lead_time_std", 0.0)),
        lead_time_demand=float(row["lead_time_demand"]),
        service_level=float(row["service_level"]),
        z=float(row["z"]),
        safety_stock=float(row["safety_stock"]),
        reorder_point=float(row["reorder_point"]),
    )
