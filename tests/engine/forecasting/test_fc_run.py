"""run.py: chunking of series across workers and the end-to-end frame."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.policy import explain
from demand_engine.forecasting.run import chunk_ids, forecast_frame

WEEK = np.array([2.0, 3.0, 4.0, 5.0, 8.0, 12.0, 6.0])


def test_chunk_ids_partition():
    ids = [f"s{i:02d}" for i in range(10)] + ["s03"]
    chunks = [chunk_ids(ids, 3, i) for i in range(3)]
    assert [len(c) for c in chunks] == [4, 3, 3]
    assert sorted(sum(chunks, [])) == sorted(set(ids))
    assert chunk_ids(ids, 20, 19) == []
    with pytest.raises(ValueError):
        chunk_ids(ids, 3, 3)


def _frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    parts = []
    for i, scale in enumerate([1.0, 2.0, 5.0, 0.2]):
        y = rng.poisson(np.tile(WEEK * scale, 12)).astype(float)
        parts.append(
            pd.DataFrame(
                {"unique_id": f"sku{i}", "ds": pd.date_range("2025-03-03", periods=84)}
            ).assign(y=y)
        )
    lead = pd.DataFrame(
        {
            "unique_id": [f"sku{i}" for i in range(4)],
            "lead_time": [5.0, 7.0, 3.0, 10.0],
            "lead_time_std": [1.0, 2.0, 0.0, 3.0],
            "review_period": 7.0,
            "moq": 10.0,
            "pack_size": 6.0,
            "inventory_position": 0.0,
        }
    )
    return pd.concat(parts, ignore_index=True), lead


def test_forecast_frame_serial_matches_pool():
    df, lead = _frame()
    serial = forecast_frame(df, 14, lead, serial=True)
    pooled = forecast_frame(df, 14, lead, max_workers=2)
    pd.testing.assert_frame_equal(serial.series, pooled.series)
    pd.testing.assert_frame_equal(serial.forecast, pooled.forecast)
    pd.testing.assert_frame_equal(serial.policy, pooled.policy)


def test_forecast_frame_policy():
    df, lead = _frame()
    res = forecast_frame(df, 14, lead, serial=True)
    pol = res.policy.set_index("unique_id")
    assert len(pol) == 4 and not pol.isna().any().any()
    # units as revenue: sku2 (x5) is A, sku3 (x0.2) is C
    assert pol.loc["sku2", "abc"] == "A" and pol.loc["sku2", "service_level"] == 0.95
    assert pol.loc["sku3", "abc"] == "C"
    assert (pol["reorder_point"] >= pol["lead_time_demand"]).all()
    assert (pol["order_up_to"] > pol["reorder_point"]).all()
    assert (pol["order_qty"] % 6 == 0).all() and (pol["order_qty"] >= 10).all()
    row = pol.loc["sku1"]
    expected_ss = row["z"] * np.sqrt(7 * row["demand_std"] ** 2 + row["demand_mean"] ** 2 * 4)
    assert row["safety_stock"] == pytest.approx(expected_ss)
    text = explain(res.policy[res.policy.unique_id == "sku1"].iloc[0]).text()
    assert text.startswith("sku1: ") and "lead time 7±2 d" in text
