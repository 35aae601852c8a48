"""A process that ran the global model itself and then forks a worker pool (what
an Odoo cron worker does run after run) must not deadlock in LightGBM's OpenMP."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[3] / "pos_ai_replenishment"

SCRIPT = textwrap.dedent(
    f"""
    import sys
    sys.path.insert(0, {str(ADDON)!r})
    import numpy as np, pandas as pd
    from demand_engine.forecasting.run import forecast_frame
    rng = np.random.default_rng(1)
    ds = pd.date_range("2025-01-01", periods=200)
    df = pd.concat(
        pd.DataFrame({{"unique_id": f"s{{i}}", "ds": ds, "y": rng.poisson(5 + i % 7, 200) * 1.0}})
        for i in range(40)
    )
    lead = pd.DataFrame({{"unique_id": df.unique_id.unique(), "lead_time": 5.0}})
    serial = forecast_frame(df, 28, lead, serial=True)
    assert set(serial.series["model"]) == {{"gbm+dow_profile"}}, serial.series["model"]
    pooled = forecast_frame(df, 28, lead, max_workers=2)
    assert len(pooled.series) == 40
    print("ok")
    """
)


def test_pool_after_serial_global_model_does_not_hang():
    pytest.importorskip("lightgbm")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
