"""Syntetos-Boylan demand classes from ADI and the CV² of non-zero demand sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "no_demand")


def classify_demand(
    df: pd.DataFrame, id_col: str = "unique_id", target_col: str = "y"
) -> pd.DataFrame:
    """One row per series: ``unique_id, adi, cv2, demand_class``.

    ADI = periods / periods with demand; CV² = (std / mean)² of the non-zero sizes
    (population std; 0 with a single demand). No demand at all gives ``no_demand``
    with ADI and CV² left at ``inf`` and 0.
    """
    y = df[target_col].to_numpy(float)
    pos = y > 0
    frame = pd.DataFrame(
        {
            id_col: df[id_col].to_numpy(),
            "one": 1.0,
            "nz": pos.astype(float),
            "s": np.where(pos, y, 0.0),
            "s2": np.where(pos, y * y, 0.0),
        }
    )
    agg = frame.groupby(id_col, sort=True, observed=True)[["one", "nz", "s", "s2"]].sum()
    n, nz, s, s2 = (agg[c].to_numpy() for c in ("one", "nz", "s", "s2"))
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(nz > 0, n / nz, np.inf)
        mean = np.where(nz > 0, s / nz, 0.0)
        var = np.where(nz > 0, np.maximum(s2 / nz - mean * mean, 0.0), 0.0)
        cv2 = np.where(mean > 0, var / (mean * mean), 0.0)
    low_adi = adi < ADI_CUTOFF
    low_cv = cv2 < CV2_CUTOFF
    cls = np.select(
        [nz == 0, low_adi & low_cv, low_adi, low_cv],
        ["no_demand", "smooth", "erratic", "intermittent"],
        default="lumpy",
    )
    return pd.DataFrame({id_col: agg.index.to_numpy(), "adi": adi, "cv2": cv2, "demand_class": cls})
