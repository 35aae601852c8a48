"""Known-answer tests for the policy maths (hand-computed numbers)."""

import numpy as np
import pandas as pd
import pytest
from demand_engine.forecasting.policy import (
    PolicyExplanation,
    abc_classes,
    eoq,
    order_up_to,
    reorder_point,
    reorder_policy,
    round_order_qty,
    safety_stock,
    z_score,
)


def test_z_scores():
    assert z_score(0.95) == pytest.approx(1.644854, abs=1e-6)
    assert z_score(0.90) == pytest.approx(1.281552, abs=1e-6)
    assert z_score(0.85) == pytest.approx(1.036433, abs=1e-6)
    np.testing.assert_allclose(z_score([0.5, 0.975]), [0.0, 1.959964], atol=1e-6)


def test_safety_stock_reorder_point_order_up_to():
    # L=4, sd=3, d=8, sL=1: sqrt(4*9 + 64*1) = 10; z=2 -> 20
    ss = safety_stock(2.0, 4, 1, 8, 3)
    assert ss == pytest.approx(20.0)
    rop = reorder_point(4, 8, ss)
    assert rop == pytest.approx(52.0)  # 32 + 20
    assert order_up_to(rop, 7, 8) == pytest.approx(108.0)  # 52 + 56
    # no lead-time variability: z * sqrt(L) * sd = 2 * 2 * 3
    assert safety_stock(2.0, 4, 0, 8, 3) == pytest.approx(12.0)


def test_round_order_qty_moq_then_pack():
    got = round_order_qty([13, 25, 24, 0, -3, 7], moq=20, pack=6)
    np.testing.assert_allclose(got, [24, 30, 24, 0, 0, 24])
    np.testing.assert_allclose(round_order_qty([5.2], moq=0, pack=0), [5.2])
    np.testing.assert_allclose(round_order_qty([5.2], moq=0, pack=1), [6])


def test_eoq():
    assert eoq(400, 50, 1) == pytest.approx(200.0)  # sqrt(2*400*50/1)
    assert eoq(1000, 50, 4) == pytest.approx(158.113883)
    assert eoq(1000, 50, 0) == 0.0


def test_abc_classes():
    rev = pd.DataFrame({"unique_id": list("abcdef"), "revenue": [50, 30, 10, 5, 5, 0]})
    got = abc_classes(rev).set_index("unique_id")
    assert got["abc"].to_dict() == dict(a="A", b="A", c="B", d="B", e="C", f="C")
    assert got.loc["a", "service_level"] == 0.95
    assert got.loc["c", "service_level"] == 0.90
    assert got.loc["e", "service_level"] == 0.85
    # the series that crosses 80% is still A
    rev2 = pd.DataFrame({"unique_id": ["x", "y", "z"], "revenue": [20, 70, 10]})
    assert abc_classes(rev2).set_index("unique_id")["abc"].to_dict() == dict(y="A", x="A", z="B")


def test_reorder_policy_frame():
    frame = pd.DataFrame(
        {
            "unique_id": ["p", "q"],
            "demand_mean": [8.0, 8.0],
            "demand_std": [3.0, 3.0],
            "lead_time": [4.0, 4.0],
            "lead_time_std": [1.0, 1.0],
            "review_period": [7.0, 7.0],
            "service_level": [0.95, 0.95],
            "moq": [10.0, 10.0],
            "pack_size": [12.0, 12.0],
            "inventory_position": [40.0, 60.0],
            "order_cost": [50.0, 50.0],
            "holding_cost": [2.0, 2.0],
        }
    )
    out = reorder_policy(frame).set_index("unique_id")
    z = 1.6448536
    assert out.loc["p", "z"] == pytest.approx(z)
    assert out.loc["p", "lead_time_demand"] == pytest.approx(32.0)
    assert out.loc["p", "safety_stock"] == pytest.approx(10 * z)
    # sqrt(4·9 + 64·1) = 10; over L + R = 11 days: 88 units, sqrt(11·9 + 64·1) = sqrt(163)
    assert out.loc["p", "lead_time_demand_std"] == pytest.approx(10.0)
    assert out.loc["p", "protection_demand"] == pytest.approx(88.0)
    assert out.loc["p", "protection_std"] == pytest.approx(np.sqrt(163.0))
    assert out.loc["p", "reorder_point"] == pytest.approx(32 + 10 * z)
    assert out.loc["p", "order_up_to"] == pytest.approx(88 + 10 * z)
    # p: position 40 <= rop 48.45 -> need 104.45 - 40 = 64.45 -> pack of 12 -> 72
    assert out.loc["p", "order_qty"] == 72.0
    assert out.loc["q", "order_qty"] == 0.0  # above the reorder point
    assert out.loc["p", "eoq"] == pytest.approx(np.sqrt(2 * 365 * 8 * 50 / 2))


def test_explanation_text():
    exp = PolicyExplanation("sku-1", "sba", 2.0, 1.5, 7, 2, 14.0, 0.95, 1.645, 10.0, 24.0)
    text = exp.text()
    assert "sku-1" in text and "sba" in text and "95%" in text and "24.0" in text
