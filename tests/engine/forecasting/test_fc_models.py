"""Each model on constructed series: constant, weekly pattern, intermittent, edge cases."""

import numpy as np
import pytest
from demand_engine.forecasting.models import MODELS, fit_predict

WEEK = np.array([2.0, 3.0, 4.0, 5.0, 8.0, 12.0, 6.0])


def intermittent(n: int = 100) -> np.ndarray:
    """4 units every 5th day, first on day 4: mean 0.8/day, interval exactly 5."""
    y = np.zeros(n)
    y[4::5] = 4.0
    return y


@pytest.mark.parametrize("name", [m for m in MODELS if m != "sba"])
def test_constant_series(name):
    fit = MODELS[name].fit(np.full(60, 5.0), 10)
    np.testing.assert_allclose(fit.mean, 5.0)
    assert fit.sigma == pytest.approx(0.0, abs=1e-9)


def test_sba_debiases_croston_on_constant():
    np.testing.assert_allclose(fit_predict("sba", np.full(60, 5.0), 3), 5.0 * 0.95)


def test_weekly_pattern():
    y = np.tile(WEEK, 8)
    fit = MODELS["seasonal_naive"].fit(y, 14)
    np.testing.assert_allclose(fit.mean, np.tile(WEEK, 2))
    assert fit.sigma == 0.0
    np.testing.assert_allclose(fit_predict("moving_average", y, 3), WEEK.mean())
    for name in ("moving_average", "ses", "croston", "tsb"):
        assert MODELS[name].fit(y, 7).sigma > 1.0


def test_intermittent_series():
    y = intermittent()
    np.testing.assert_allclose(fit_predict("croston", y, 5), 0.8)
    np.testing.assert_allclose(fit_predict("sba", y, 5), 0.76)
    assert fit_predict("tsb", y, 5)[0] == pytest.approx(0.8, abs=0.2)
    assert fit_predict("moving_average", y, 1)[0] == pytest.approx(0.8, abs=0.15)


def test_ses_picks_alpha_by_sse():
    y = np.r_[np.zeros(50), np.full(10, 10.0)]  # level shift: high alpha wins
    assert fit_predict("ses", y, 1)[0] > 9.9
    noisy = np.tile([4.0, 6.0], 50)  # pure noise around 5: low alpha wins
    assert fit_predict("ses", noisy, 1)[0] == pytest.approx(5.0, abs=0.2)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize(
    "y", [np.zeros(0), np.zeros(1), np.zeros(40), np.array([3.0]), np.array([0.0, 2.0, 0.0])]
)
def test_short_and_zero_series_are_safe(name, y):
    fit = MODELS[name].fit(y, 5)
    assert fit.mean.shape == (5,)
    assert np.isfinite(fit.mean).all() and (fit.mean >= 0).all()
    assert np.isfinite(fit.sigma) and fit.sigma >= 0
    if y.size and not y.any():
        np.testing.assert_allclose(fit.mean, 0.0)
