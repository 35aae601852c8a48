"""Syntetos-Boylan classification on constructed series."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.classify import classify_demand


def _long(series: dict[str, list[float]]) -> pd.DataFrame:
    return pd.concat(
        pd.DataFrame({"unique_id": k, "ds": pd.date_range("2025-01-01", periods=len(v)), "y": v})
        for k, v in series.items()
    )


def test_four_classes_and_no_demand():
    n = 60
    alt = np.tile([1.0, 10.0], n // 2)  # CV² = 4.5² / 5.5² = 0.669
    every3 = np.zeros(n)
    lumpy = np.zeros(n)
    every3[::3] = 4.0
    lumpy[::3] = np.tile([1.0, 10.0], 10)
    df = _long(
        {
            "smooth": [5.0] * n,
            "erratic": alt.tolist(),
            "intermittent": every3.tolist(),
            "lumpy": lumpy.tolist(),
            "none": [0.0] * n,
        }
    )
    out = classify_demand(df).set_index("unique_id")
    for uid in ("smooth", "erratic", "intermittent", "lumpy"):
        assert out.loc[uid, "demand_class"] == uid
    assert out.loc["none", "demand_class"] == "no_demand"
    assert out.loc["intermittent", "adi"] == pytest.approx(3.0)
    assert out.loc["erratic", "cv2"] == pytest.approx((4.5 / 5.5) ** 2)
    assert out.loc["smooth", "cv2"] == 0.0


def test_cutoffs_are_strict_lower_bounds():
    # ADI exactly 1.32 is not "< 1.32": 33 days with 25 demand days
    y = np.zeros(33)
    y[:25] = 3.0
    out = classify_demand(_long({"s": y.tolist()}))
    assert out["adi"].iloc[0] == pytest.approx(1.32)
    assert out["demand_class"].iloc[0] == "intermittent"
