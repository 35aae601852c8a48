"""Scorecards on a frame small enough to compute every figure by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from vendor_engine.scorecard import WEIGHTS, build_scorecards, observed_delay_days

NaT = pd.NaT


def receipts() -> pd.DataFrame:
    rows = [
        # vendor, categ, line, ordered, received, promised, received, ordered on, eta, paid, list
        (1, 10, "a", 10, 10, "2026-03-10", "2026-03-09", "2026-03-01", "2026-03-08", 5.5, 5.0),
        (1, 10, "b", 20, 15, "2026-03-10", "2026-03-12", "2026-03-01", "2026-03-12", 5.0, 5.0),
        (1, 20, "c", 5, 6, "2026-03-15", "2026-03-15", "2026-03-05", NaT, 9.0, 10.0),
        (2, 10, "d", 8, 8, "2026-03-05", "2026-03-11", "2026-03-01", "2026-03-06", 2.2, 2.0),
        (3, 10, "e", 4, 0, "2026-03-20", NaT, "2026-03-10", NaT, 1.0, 1.0),  # not received
    ]
    return pd.DataFrame(
        rows,
        columns=[
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
        ],
    )


def quality() -> pd.DataFrame:
    return pd.DataFrame(
        [(1, 10, 1, 1), (2, 10, 0, 0)],
        columns=["vendor_id", "category_id", "returned_qty", "defect_returns"],
    )


@pytest.fixture(scope="module")
def cards():
    return build_scorecards(receipts(), quality())


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for key, value in keys.items():
        mask &= frame[key] == value
    [index] = frame.index[mask]
    return frame.loc[index]


def test_vendor_one_by_hand(cards):
    v1 = row(cards.by_vendor, vendor_id=1)
    assert v1["n_lines"] == 3
    # on time: a 09<=10 yes, b 12>10 no, c 15<=15 yes -> 2/3
    assert v1["on_time_rate"] == pytest.approx(2 / 3)
    # fill: min(10,10) + min(15,20) + min(6,5) = 30 of 35 ordered
    assert v1["fill_rate"] == pytest.approx(30 / 35)
    # lead days: a 8, b 11, c 10 -> mean 29/3; sample var ((-5/3)^2+(4/3)^2+(1/3)^2)/2 = 7/3
    assert v1["lead_time_mean"] == pytest.approx(29 / 3)
    assert v1["lead_time_std"] == pytest.approx(math.sqrt(7 / 3))
    # ETA error: a |09-08| = 1, b |12-12| = 0, c has no ETA -> 0.5
    assert v1["eta_accuracy"] == pytest.approx(0.5)
    # price: a +10 %, b 0 %, c -10 % -> 0
    assert v1["price_variance"] == pytest.approx(0.0)
    # quality: 1 returned + 1 defect of 10+15+6 = 31 received
    assert v1["quality_rate"] == pytest.approx(1 - 2 / 31)
    # risk: late 1/3*35 + short 1/7*25 + cv (sqrt(7/3)/(29/3))*10 + eta 0.5/7*10
    #       + price 0 + returns (2/31)/0.10*10
    expected = (
        35 / 3 + 25 / 7 + 10 * math.sqrt(7 / 3) / (29 / 3) + 10 * 0.5 / 7 + 0 + 10 * (2 / 31) / 0.1
    )
    assert expected == pytest.approx(23.984, abs=1e-3)
    assert v1["risk_score"] == pytest.approx(expected, abs=0.01)
    assert not v1["at_risk"] and not v1["low_data"]
    assert v1["explanation"].startswith("risk 24.0/100: on time 67% (weight 35%) adds 11.7; ")
    assert "returns and defects 6% of received units (weight 10%) adds 6.5" in v1["explanation"]
    assert "prices" not in v1["explanation"]  # adds nothing


def test_vendor_category_level_by_hand(cards):
    v1c10 = row(cards.by_vendor_category, vendor_id=1, category_id=10)
    assert v1c10["on_time_rate"] == pytest.approx(0.5)
    assert v1c10["fill_rate"] == pytest.approx(25 / 30)
    assert v1c10["lead_time_mean"] == pytest.approx(9.5)
    assert v1c10["lead_time_std"] == pytest.approx(math.sqrt(4.5))
    assert v1c10["price_variance"] == pytest.approx(0.05)
    assert v1c10["quality_rate"] == pytest.approx(1 - 2 / 25)
    v1c20 = row(cards.by_vendor_category, vendor_id=1, category_id=20)
    assert v1c20["fill_rate"] == 1.0 and v1c20["quality_rate"] == 1.0  # no quality rows
    assert math.isnan(v1c20["eta_accuracy"])
    assert len(cards.by_vendor_category) == 3


def test_single_receipt_vendor_is_low_data_with_zero_std(cards):
    v2 = row(cards.by_vendor, vendor_id=2)
    assert v2["n_lines"] == 1 and v2["low_data"]
    assert v2["lead_time_std"] == 0.0 and v2["lead_time_mean"] == 10
    # late (35) + ETA 5 days off (5/7*10) + paid 10 % over list (full 10)
    assert v2["risk_score"] == pytest.approx(35 + 50 / 7 + 10, abs=0.01)
    assert v2["at_risk"]
    assert "at risk (threshold 40)" in v2["explanation"]
    assert v2["explanation"].endswith("Low data: 1 received line(s).")


def test_vendor_without_receipts_is_absent(cards):
    assert set(cards.by_vendor["vendor_id"]) == {1, 2}
    empty = build_scorecards(receipts().iloc[[4]])
    assert empty.by_vendor.empty and empty.by_vendor_category.empty


def test_several_receipts_of_one_line_are_summed():
    frame = receipts().iloc[[1, 1]].copy()
    frame["received_qty"] = [10, 10]
    frame["received_date"] = ["2026-03-09", "2026-03-12"]
    card = row(build_scorecards(frame).by_vendor, vendor_id=1)
    assert card["n_lines"] == 1 and card["fill_rate"] == 1.0
    assert card["on_time_rate"] == 0.0  # complete only on the 12th, promised the 10th


def test_risk_is_bounded_and_weights_validated():
    frame = receipts()
    frame["received_qty"] = 0
    frame["received_date"] = "2026-04-30"
    frame["price_paid"] = frame["list_price"] * 2
    cards = build_scorecards(frame, quality())
    assert cards.by_vendor["risk_score"].between(0, 100).all()
    assert sum(WEIGHTS.values()) == 100
    with pytest.raises(ValueError):
        build_scorecards(frame, weights={"on_time": 100})
    with pytest.raises(ValueError):
        build_scorecards(frame.drop(columns=["eta_given"]))


def test_observed_delay_is_the_rounded_up_p75():
    frame = receipts()
    delay = observed_delay_days(frame)
    # vendor 1 leads 8, 10, 11 -> p75 = 10 + 0.5 * (11 - 10) = 10.5 -> 11; vendor 2 has 1 line
    assert delay.to_dict("records") == [
        {"vendor_id": 1, "delay_days": 11, "median_days": 10.0, "n_lines": 3}
    ]
    by_category = observed_delay_days(frame, by=("vendor_id", "category_id"), min_lines=1)
    assert by_category["delay_days"].tolist() == [11, 10, 10]  # (8, 11) -> 10.25 -> 11
