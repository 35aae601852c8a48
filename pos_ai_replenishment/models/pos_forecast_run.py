# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import logging
import math
import time
import traceback
from collections import Counter
from datetime import timedelta

import numpy as np
import pandas as pd

from odoo import api, fields, models
from odoo.tools import float_round

from ..demand_engine.forecasting.anomaly import detect_anomalies
from ..demand_engine.forecasting.policy import PolicyExplanation, reorder_policy
from ..demand_engine.forecasting.run import forecast_frame
from .config import config_value, first_person

_logger = logging.getLogger(__name__)

DEFAULTS = {
    "horizon_days": 28,
    "history_days": 730,
    "min_history_days": 28,
    "review_period_days": 7,
    "default_lead_time_days": 7,
    "forecast_workers": 0,  # 0: every core
    "anomaly_recent_days": 7,
    "anomaly_max_per_run": 100,
    "forecast_prophet": False,  # try Prophet on long, smooth, high-volume series
}
CHART_HISTORY_DAYS = 91
INTERVAL_LEVEL = 80.0
# a nightly check of 7 days x thousands of series: at 99% one day in a hundred of
# ordinary noise would raise an activity (measured: 160 on 2,000 Poisson series)
ANOMALY_LEVEL = 99.9


def _uid(product_id, warehouse_id):
    return f"{product_id}:{warehouse_id}"


class PosForecastRun(models.Model):
    """One forecasting run for a company: demand frame from daily demand,
    engine forecast and policy, forecasts, orderpoint min/max and anomalies
    written in bulk."""

    _name = "pos.forecast.run"
    _description = "POS Forecast Run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")], default="manual", readonly=True
    )
    user_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        readonly=True,
    )
    started_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 2), readonly=True)
    history_end = fields.Date(readonly=True, help="Last day of demand history used.")
    chunk_index = fields.Integer(readonly=True, default=0)
    chunk_count = fields.Integer(
        readonly=True, default=1, help="Products with id % count == index were forecast."
    )
    series_count = fields.Integer(readonly=True)
    model_counts = fields.Json(readonly=True)
    model_summary = fields.Char(compute="_compute_model_summary", string="Models")
    status_counts = fields.Json(readonly=True)
    error_count = fields.Integer(readonly=True, help="Series that fell back after a model error.")
    error_log = fields.Text(readonly=True)
    orderpoints_updated = fields.Integer(readonly=True)
    orderpoints_created = fields.Integer(readonly=True)
    anomaly_count = fields.Integer(readonly=True)
    forecast_ids = fields.One2many("pos.demand.forecast", "run_id")

    @api.depends("started_at", "chunk_index", "chunk_count")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Forecast run %(id)s", id=run.id or "")
            if run.chunk_count > 1:
                run.name += f" ({run.chunk_index + 1}/{run.chunk_count})"

    @api.depends("model_counts")
    def _compute_model_summary(self):
        for run in self:
            counts = run.model_counts or {}
            run.model_summary = ", ".join(
                f"{name} {count}" for name, count in sorted(counts.items(), key=lambda kv: -kv[1])
            )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _cron_run_forecasts(self, chunk=None):
        """Nightly: one run per company with POS demand, when AI replenishment is
        switched on for some category.

        ``chunk=(index, count)`` forecasts only the products whose id modulo
        ``count`` is ``index``: ``count`` scheduled actions, one per chunk, share
        a night's work between cron workers or hosts. ABC classes still rank
        every series of the company.
        """
        if chunk is not None:
            index, count = chunk
            if not (isinstance(index, int) and isinstance(count, int) and 0 <= index < count):
                raise ValueError(f"chunk must be (index, count) with 0 <= index < count: {chunk}")
        if not self.env["product.category"].search_count(
            [("replenishment_rollout_effective", "!=", "off")], limit=1
        ):
            return
        self.env["pos.demand.daily"].flush_model(["company_id"])
        self.env.cr.execute("SELECT DISTINCT company_id FROM pos_demand_daily")
        company_ids = [row[0] for row in self.env.cr.fetchall()]
        for company in self.env["res.company"].browse(company_ids).exists():
            self.with_company(company).sudo()._start("cron", chunk=chunk)

    @api.model
    def action_run_now(self):
        """Button: forecast the current company now and open the run."""
        run = self.sudo()._start("manual", user=self.env.user)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _start(self, trigger, user=None, chunk=None):
        index, count = chunk or (0, 1)
        run = self.create(
            {
                "company_id": self.env.company.id,
                "trigger": trigger,
                "user_id": (user or self.env.user).id,
                "chunk_index": index,
                "chunk_count": count,
            }
        )
        run._execute()
        return run

    def _execute(self):
        """Run the forecast; any unexpected error marks the run failed (with the
        traceback) instead of losing the record."""
        self.ensure_one()
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                stats = self._forecast()
            self.write(dict(stats, state="done"))
        except Exception:
            _logger.exception("Forecast run %s failed", self.id)
            self.write({"state": "failed", "error_log": traceback.format_exc()})
        self.write(
            {
                "finished_at": fields.Datetime.now(),
                "duration": time.monotonic() - started,
            }
        )

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def _param(self, key):
        """A forecast setting, typed like its default."""
        default = DEFAULTS[key]
        return config_value(self.env, f"pos_ai_replenishment.{key}", default, type(default))

    def _forecast(self):
        """Build the frame, forecast, write results; returns the run's figures."""
        self.ensure_one()
        company = self.company_id
        end = fields.Date.context_today(self) - timedelta(days=1)
        daily = self._load_daily(company, end)
        pairs = self._pairs_without_history(company, daily)
        frame, history_days = self._demand_frame(daily, end)
        forecasts = self.env["pos.demand.forecast"]
        stats = {
            "history_end": end,
            "series_count": 0,
            "model_counts": {},
            "status_counts": {},
            "error_count": 0,
            "error_log": False,
            "orderpoints_updated": 0,
            "orderpoints_created": 0,
            "anomaly_count": 0,
        }
        if not frame.empty:
            inputs = self._policy_inputs(company, frame)
            revenue = self._revenue_by_series(company, end)
            result = self._run_engine(frame, inputs, revenue)
            forecasts = self._write_forecasts(result, inputs, history_days, frame, end)
            stats.update(self._write_orderpoints(forecasts))
            stats["anomaly_count"] = self._write_anomalies(frame, daily, forecasts)
            series = result.series
            stats["series_count"] = len(series)
            stats["model_counts"] = dict(Counter(series["model"].astype(str)))
            errors = self._series_errors(series)
            stats["error_count"] = len(errors)
            stats["error_log"] = "\n".join(f"{uid}: {err}" for uid, err in errors) or False
        forecasts |= self._write_no_history(pairs, end)
        stats["status_counts"] = dict(Counter(forecasts.mapped("status")))
        return stats

    @api.model
    def _series_errors(self, series):
        """``(unique_id, error)`` of the series whose model failed in the engine."""
        if "error" not in series:
            return []
        return [
            (uid, err)
            for uid, err in zip(series["unique_id"], series["error"], strict=True)
            if isinstance(err, str) and err
        ]

    def _load_daily(self, company, end):
        """Daily demand of the company's products in categories not off, as a frame.

        Streamed with COPY into typed columns: fetching a million rows as Python
        tuples cost over 500 MB at peak for two years of 2,000 series."""
        self.env["pos.demand.daily"].flush_model()
        self.env["product.category"].flush_model(["replenishment_rollout_effective"])
        start = end - timedelta(days=self._param("history_days") - 1)
        query = self.env.cr.mogrify(
            """
            SELECT d.product_id, d.warehouse_id, d.date, GREATEST(d.qty_net, 0),
                   d.stockout, d.revenue, d.last_count_qty
              FROM pos_demand_daily d
              JOIN product_product p ON p.id = d.product_id AND p.active
              JOIN product_template t ON t.id = p.product_tmpl_id
              JOIN product_category c ON c.id = t.categ_id
             WHERE d.company_id = %s AND d.date BETWEEN %s AND %s
               AND COALESCE(c.replenishment_rollout_effective, 'off') <> 'off'
               AND d.product_id %% %s = %s
            """,
            [company.id, start, end, self.chunk_count or 1, self.chunk_index],
        ).decode()
        buffer = io.BytesIO()
        self.env.cr.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
        buffer.seek(0)
        daily = pd.read_csv(
            buffer,
            names=["product_id", "warehouse_id", "ds", "y", "stockout", "revenue", "count"],
            dtype={"product_id": "int64", "warehouse_id": "int64", "y": "float64",
                   "revenue": "float64", "count": "float64"},
            true_values=["t"],
            false_values=["f"],
            parse_dates=["ds"],
        )  # fmt: skip
        daily["stockout"] = daily["stockout"].fillna(False).astype(bool)
        pairs = daily[["product_id", "warehouse_id"]].drop_duplicates()
        pairs["unique_id"] = (
            pairs["product_id"].astype(str) + ":" + pairs["warehouse_id"].astype(str)
        )
        return daily.merge(pairs, on=["product_id", "warehouse_id"], how="left")

    @api.model
    def _demand_frame(self, daily, end):
        """Gap-free long frame ``unique_id, ds, y, stockout`` from each series'
        first day to ``end``; days without a row are days without sales."""
        if daily.empty:
            return pd.DataFrame(columns=["unique_id", "ds", "y", "stockout"]), {}
        end_ts = pd.Timestamp(end)
        first = daily.groupby("unique_id")["ds"].min()
        lengths = ((end_ts - first).dt.days + 1).to_numpy()
        ids = np.repeat(first.index.to_numpy(), lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        grid = pd.DataFrame(
            {
                "unique_id": ids,
                "ds": np.repeat(first.to_numpy(), lengths) + pd.to_timedelta(offsets, "D"),
            }
        )
        frame = grid.merge(
            daily[["unique_id", "ds", "y", "stockout"]], on=["unique_id", "ds"], how="left"
        )
        frame["y"] = frame["y"].fillna(0.0).astype(float)
        frame["stockout"] = frame["stockout"].fillna(False).astype(bool)
        return frame, dict(zip(first.index, lengths.tolist(), strict=True))

    def _policy_inputs(self, company, frame):
        """Per series: vendor, lead time (and its sigma from receipts), review period,
        MOQ and category service level."""
        ids = frame["unique_id"].unique()
        product_ids = sorted({int(uid.split(":")[0]) for uid in ids})
        products = self.env["product.product"].browse(product_ids).with_company(company)
        lead_sigma = self._receipt_lead_time_sigma(company, product_ids)
        default_lead = self._param("default_lead_time_days")
        base_delay = company.po_lead + company.days_to_purchase
        today = fields.Date.context_today(self)
        vendor_of = {}
        for product in products:
            seller = product._select_seller(quantity=None, date=today)
            if seller:
                moq = seller.product_uom._compute_quantity(
                    seller.min_qty, product.uom_id, raise_if_failure=False
                )
                vendor_of[product.id] = (seller.partner_id.id, seller.delay + base_delay, moq)
            else:
                vendor_of[product.id] = (False, default_lead + base_delay, 0.0)
        review_period = float(self._param("review_period_days"))
        rows = []
        for uid in ids:
            product_id = int(uid.split(":")[0])
            vendor_id, lead, moq = vendor_of[product_id]
            product = products.browse(product_id)
            rows.append(
                {
                    "unique_id": uid,
                    "vendor_id": vendor_id,
                    "lead_time": float(lead),
                    "lead_time_std": lead_sigma.get(product_id, 0.0),
                    "review_period": review_period,
                    "moq": float(moq),
                    "category_service_level": product.categ_id.replenishment_service_level_effective
                    / 100.0,
                }
            )
        return pd.DataFrame(rows)

    def _revenue_by_series(self, company, end):
        """Last year's revenue of every enabled series of the company (all chunks),
        so ABC classes rank the whole assortment."""
        self.env.cr.execute(
            """
            SELECT d.product_id, d.warehouse_id, SUM(d.revenue)
              FROM pos_demand_daily d
              JOIN product_product p ON p.id = d.product_id AND p.active
              JOIN product_template t ON t.id = p.product_tmpl_id
              JOIN product_category c ON c.id = t.categ_id
             WHERE d.company_id = %s AND d.date BETWEEN %s AND %s
               AND COALESCE(c.replenishment_rollout_effective, 'off') <> 'off'
             GROUP BY d.product_id, d.warehouse_id
            """,
            [company.id, end - timedelta(days=364), end],
        )
        return pd.DataFrame(
            [(_uid(p, w), float(r or 0.0)) for p, w, r in self.env.cr.fetchall()],
            columns=["unique_id", "revenue"],
        )

    def _receipt_lead_time_sigma(self, company, product_ids):
        """Std of (receipt date - planned date) in days over the last year's
        purchase receipts, per product with at least two receipts."""
        self.env["stock.move"].flush_model()
        self.env.cr.execute(
            """
            SELECT m.product_id,
                   STDDEV_SAMP(EXTRACT(EPOCH FROM (m.date - l.date_planned)) / 86400.0)
              FROM stock_move m
              JOIN purchase_order_line l ON l.id = m.purchase_line_id
             WHERE m.state = 'done' AND m.company_id = %s AND m.product_id = ANY(%s)
               AND m.date > (now() at time zone 'UTC') - interval '365 days'
             GROUP BY m.product_id
            HAVING COUNT(*) >= 2
            """,
            [company.id, product_ids],
        )
        return {pid: float(sigma or 0.0) for pid, sigma in self.env.cr.fetchall()}

    def _run_engine(self, frame, inputs, revenue):
        """Engine forecast and policy; category service levels replace the ABC
        defaults where a category sets one."""
        workers = self._param("forecast_workers") or None
        result = forecast_frame(
            frame,
            self._param("horizon_days"),
            inputs[["unique_id", "lead_time", "lead_time_std", "review_period", "moq"]],
            revenue=revenue,
            level=INTERVAL_LEVEL,
            max_workers=workers,
            serial=workers == 1,
            country=self.company_id.country_id.code or None,
            prophet=bool(self._param("forecast_prophet")),
        )
        policy = result.policy.merge(
            inputs[["unique_id", "category_service_level", "review_period", "moq"]],
            on="unique_id",
            how="left",
            suffixes=("", "_input"),
        )
        override = policy["category_service_level"].fillna(0) > 0
        if override.any():
            again = policy.loc[override].copy()
            again["service_level"] = again["category_service_level"]
            recomputed = reorder_policy(again).set_index(policy.index[override])
            for col in recomputed.columns:
                policy.loc[override, col] = recomputed[col]
        result.policy = policy
        return result

    # ------------------------------------------------------------------
    # Writing results
    # ------------------------------------------------------------------
    def _write_forecasts(self, result, inputs, history_days, frame, end):
        """Create or update one pos.demand.forecast per series, in bulk."""
        Forecast = self.env["pos.demand.forecast"]
        series = result.series.set_index("unique_id")
        policy = result.policy.set_index("unique_id")
        extra = inputs.set_index("unique_id")
        charts = self._chart_data(frame, result.forecast)
        min_history = self._param("min_history_days")
        existing = {
            _uid(f.product_id.id, f.warehouse_id.id): f
            for f in Forecast.search([("company_id", "=", self.company_id.id)])
        }
        products = self.env["product.product"].browse(
            [int(uid.split(":")[0]) for uid in series.index]
        )
        warehouses = self.env["stock.warehouse"].browse(
            [int(uid.split(":")[1]) for uid in series.index]
        )
        horizon = result.forecast.groupby("unique_id")["yhat"].sum()
        to_create, written = [], Forecast
        for uid in series.index:
            product_id, warehouse_id = (int(x) for x in uid.split(":"))
            s, p, x = series.loc[uid], policy.loc[uid], extra.loc[uid]
            status, message = self._status(s, x, history_days[uid], min_history)
            vals = {
                "run_id": self.id,
                "forecast_date": end + timedelta(days=1),
                "status": status,
                "status_message": message,
                "model": s["model"],
                "demand_class": s["demand_class"],
                "history_days": history_days[uid],
                "wape": _finite(s["wape"]),
                "mase": _finite(s["mase"]),
                "bias": _finite(s["bias"]),
                "demand_mean": float(p["demand_mean"]),
                "demand_std": float(p["demand_std"]),
                "horizon_demand": float(horizon.get(uid, 0.0)),
                "vendor_id": int(x["vendor_id"]) or False,
                "lead_time": float(p["lead_time"]),
                "lead_time_std": float(p["lead_time_std"]),
                "review_period": float(x["review_period"]),
                "lead_time_demand": float(p["lead_time_demand"]),
                "lead_time_demand_std": float(p["lead_time_demand_std"]),
                "protection_demand": float(p["protection_demand"]),
                "protection_std": float(p["protection_std"]),
                "abc": p["abc"],
                "service_level": float(p["service_level"]) * 100.0,
                "z": float(p["z"]),
                "safety_stock": float(p["safety_stock"]),
                "reorder_point": float(p["reorder_point"]),
                "order_up_to": float(p["order_up_to"]),
                "moq": float(x["moq"]),
                "chart_data": charts.get(uid, {}),
                "explanation": self._explanation(
                    products.browse(product_id), warehouses.browse(warehouse_id), s, p, status
                ),
            }
            record = existing.get(uid)
            if record:
                record.write(vals)
                written |= record
            else:
                to_create.append(dict(vals, product_id=product_id, warehouse_id=warehouse_id))
        return written | Forecast.create(to_create)

    @api.model
    def _status(self, series_row, inputs_row, days, min_history):
        engine_status = series_row.get("status", "ok")
        error = series_row.get("error")
        if isinstance(error, str) and error:
            return "fallback", self.env._(
                "The chosen model failed; moving average used (%(error)s).",
                error=error,
            )
        if days < min_history or engine_status in ("short_history",):
            return "short_history", self.env._(
                "%(days)s days of history, %(min)s needed: forecast shown, reorder rule "
                "left unchanged.",
                days=days,
                min=min_history,
            )
        if not inputs_row["vendor_id"]:
            return "no_vendor", self.env._(
                "No vendor on the product: the default lead time is used. Add a vendor "
                "for the real lead time and minimum quantity."
            )
        return "ok", False

    def _explanation(self, product, warehouse, s, p, status):
        explanation = PolicyExplanation(
            unique_id=f"{product.display_name} @ {warehouse.code}",
            model=str(s["model"]),
            demand_mean=float(p["demand_mean"]),
            sigma=float(p["demand_std"]),
            lead_time=float(p["lead_time"]),
            lead_time_std=float(p["lead_time_std"]),
            lead_time_demand=float(p["lead_time_demand"]),
            service_level=float(p["service_level"]),
            z=float(p["z"]),
            safety_stock=float(p["safety_stock"]),
            reorder_point=float(p["reorder_point"]),
        ).text()
        errors = self.env._(
            "Backtest: WAPE %(wape)s, MASE %(mase)s, bias %(bias)s "
            "(%(klass)s demand, ABC %(abc)s).",
            wape=_fmt(s["wape"]),
            mase=_fmt(s["mase"]),
            bias=_fmt(s["bias"]),
            klass=s["demand_class"],
            abc=p["abc"],
        )
        return f"{explanation}; order-up-to {p['order_up_to']:.1f}.\n{errors}"

    @api.model
    def _chart_data(self, frame, forecast):
        """Last weeks of history and the forecast with its band, per series."""
        recent = frame.groupby("unique_id", sort=False).tail(CHART_HISTORY_DAYS)
        charts = {}
        for uid, g in recent.groupby("unique_id", sort=False):
            charts[uid] = {
                "history": [
                    [d.strftime("%Y-%m-%d"), round(float(y), 3), bool(so)]
                    for d, y, so in zip(g["ds"], g["y"], g["stockout"], strict=True)
                ]
            }
        for uid, g in forecast.groupby("unique_id", sort=False):
            charts.setdefault(uid, {})["forecast"] = [
                [
                    pd.Timestamp(d).strftime("%Y-%m-%d"),
                    round(float(m), 3),
                    round(float(lo), 3),
                    round(float(hi), 3),
                ]
                for d, m, lo, hi in zip(g["ds"], g["yhat"], g["yhat_lo"], g["yhat_hi"], strict=True)
            ]
        return charts

    def _write_orderpoints(self, forecasts):
        """Min = reorder point, max = order-up-to (at least min + vendor MOQ), both
        rounded up (to whole units for countable goods); manual orderpoints created where missing.
        Series with too little history or a failing model leave rules unchanged."""
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_context(active_test=False)
        usable = forecasts.filtered(lambda f: f.status in ("ok", "no_vendor"))
        existing = {}
        for op in Orderpoint.search(
            [
                ("product_id", "in", usable.product_id.ids),
                ("warehouse_id", "in", usable.warehouse_id.ids),
                ("company_id", "=", self.company_id.id),
            ],
            order="active desc, id",
        ):
            key = (op.product_id.id, op.warehouse_id.id)
            if key not in existing and op.location_id == op.warehouse_id.lot_stock_id:
                existing[key] = op
        unit = self.env.ref("uom.product_uom_categ_unit")
        updated, to_create, created_for = 0, [], []
        for forecast in usable:
            uom = forecast.product_id.uom_id
            # whole units for countable goods, the UoM's rounding otherwise
            step = max(uom.rounding, 1.0) if uom.category_id == unit else uom.rounding
            low = float_round(forecast.reorder_point, precision_rounding=step, rounding_method="UP")
            high = float_round(
                max(forecast.order_up_to, forecast.reorder_point + forecast.moq),
                precision_rounding=step,
                rounding_method="UP",
            )
            op = existing.get((forecast.product_id.id, forecast.warehouse_id.id))
            if op and op.ai_keep_manual:
                forecast.orderpoint_id = op
                op.ai_forecast_id = forecast
                continue
            vals = {
                "product_min_qty": low,
                "product_max_qty": high,
                "ai_forecast_id": forecast.id,
                "ai_managed": True,
            }
            if op:
                if not op.active:
                    vals["active"] = True
                op.write(vals)
                forecast.orderpoint_id = op
                updated += 1
            else:
                to_create.append(
                    dict(
                        vals,
                        product_id=forecast.product_id.id,
                        warehouse_id=forecast.warehouse_id.id,
                        location_id=forecast.warehouse_id.lot_stock_id.id,
                        company_id=self.company_id.id,
                        trigger="manual",
                    )
                )
                created_for.append(forecast)
        for forecast, op in zip(created_for, Orderpoint.create(to_create), strict=True):
            forecast.orderpoint_id = op
        return {"orderpoints_updated": updated, "orderpoints_created": len(to_create)}

    def _pairs_without_history(self, company, daily):
        """Orderpoints in enabled categories for pairs with no demand history."""
        seen = set(zip(daily["product_id"], daily["warehouse_id"], strict=True))
        orderpoints = self.env["stock.warehouse.orderpoint"].search(
            [
                ("company_id", "=", company.id),
                ("product_id.categ_id.replenishment_rollout_effective", "!=", "off"),
            ]
        )
        count = self.chunk_count or 1
        return {
            (op.product_id.id, op.warehouse_id.id)
            for op in orderpoints
            if (op.product_id.id, op.warehouse_id.id) not in seen
            and op.product_id.id % count == self.chunk_index
        }

    def _write_no_history(self, pairs, end):
        """A clear status for products without any POS sales; nothing else changes."""
        Forecast = self.env["pos.demand.forecast"]
        message = self.env._("No POS sales recorded yet: reorder rule left unchanged.")
        existing = {
            (f.product_id.id, f.warehouse_id.id): f
            for f in Forecast.search(
                [
                    ("product_id", "in", list({p for p, _w in pairs})),
                    ("warehouse_id", "in", list({w for _p, w in pairs})),
                ]
            )
        }
        result = Forecast
        to_create = []
        for product_id, warehouse_id in sorted(pairs):
            vals = {
                "run_id": self.id,
                "forecast_date": end + timedelta(days=1),
                "status": "no_history",
                "status_message": message,
                "model": False,
                "history_days": 0,
                "chart_data": False,
            }
            record = existing.get((product_id, warehouse_id))
            if record:
                record.write(vals)
                result |= record
            else:
                to_create.append(dict(vals, product_id=product_id, warehouse_id=warehouse_id))
        return result | Forecast.create(to_create)

    def _write_anomalies(self, frame, daily, forecasts):
        """Detect anomalies on the demand frame, keep the strongest new ones,
        each with an activity for the product's responsible and a chatter note."""
        on_hand = self._on_hand(frame, daily)
        found = detect_anomalies(
            frame.merge(on_hand, on=["unique_id", "ds"], how="left"),
            recent_days=self._param("anomaly_recent_days"),
            level=ANOMALY_LEVEL,
        )
        if found.empty:
            return 0
        Anomaly = self.env["pos.demand.anomaly"]
        forecast_of = {_uid(f.product_id.id, f.warehouse_id.id): f for f in forecasts}
        keys = set()
        vals_list = []
        for row in found.itertuples(index=False):
            product_id, warehouse_id = (int(x) for x in row.unique_id.split(":"))
            key = (product_id, warehouse_id, row.kind, pd.Timestamp(row.ds).date())
            if key in keys:
                continue
            keys.add(key)
            vals_list.append(
                {
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "kind": row.kind,
                    "date": key[3],
                    "score": float(row.score),
                    "expected": float(row.expected),
                    "actual": float(row.actual),
                    "reason": row.reason,
                    "run_id": self.id,
                    "forecast_id": forecast_of[row.unique_id].id
                    if row.unique_id in forecast_of
                    else False,
                }
            )
        known = {
            (a.product_id.id, a.warehouse_id.id, a.kind, a.date)
            for a in Anomaly.search(
                [
                    ("product_id", "in", list({v["product_id"] for v in vals_list})),
                    ("date", ">=", min(v["date"] for v in vals_list)),
                ]
            )
        }
        fresh = [
            v
            for v in vals_list
            if (v["product_id"], v["warehouse_id"], v["kind"], v["date"]) not in known
        ]
        fresh = sorted(fresh, key=lambda v: -v["score"])[: self._param("anomaly_max_per_run")]
        anomalies = Anomaly.with_context(mail_create_nolog=True).create(fresh)
        for anomaly in anomalies:
            anomaly.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self._responsible(anomaly.product_id).id,
                summary=self.env._(
                    "%(kind)s: %(product)s",
                    kind=dict(anomaly._fields["kind"].selection)[anomaly.kind],
                    product=anomaly.product_id.display_name,
                ),
                note=anomaly.reason,
            )
            anomaly.product_id.product_tmpl_id.message_post(
                body=self.env._(
                    "AI demand anomaly at %(warehouse)s: %(reason)s",
                    warehouse=anomaly.warehouse_id.name,
                    reason=anomaly.reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return len(anomalies)

    def _on_hand(self, frame, daily):
        """Stock on hand per series and day: the POS count of that day when there is
        one, else Odoo's current quantity for the last days (NaN before)."""
        counts = daily.loc[daily["count"].notna(), ["unique_id", "ds", "count"]]
        counts = counts.rename(columns={"count": "on_hand"})
        recent_days = self._param("anomaly_recent_days")
        last_day = frame["ds"].max()
        recent = frame.loc[
            frame["ds"] > last_day - pd.Timedelta(days=recent_days), ["unique_id", "ds"]
        ].copy()
        pairs = {tuple(int(x) for x in uid.split(":")) for uid in recent["unique_id"].unique()}
        quantity = {}
        for warehouse_id in {w for _p, w in pairs}:
            product_ids = [p for p, w in pairs if w == warehouse_id]
            products = self.env["product.product"].browse(product_ids)
            for product in products.with_context(warehouse_id=warehouse_id):
                quantity[_uid(product.id, warehouse_id)] = product.qty_available
        recent["stock"] = recent["unique_id"].map(quantity)
        merged = recent.merge(counts, on=["unique_id", "ds"], how="outer")
        merged["on_hand"] = merged["on_hand"].fillna(merged["stock"])
        return merged[["unique_id", "ds", "on_hand"]]

    def _responsible(self, product):
        """Who reviews an anomaly: the product's responsible, else the user who
        ran the forecast, else a replenishment manager, else the administrator."""
        return first_person(
            self.env,
            (product.responsible_id, self.user_id),
            "pos_ai_replenishment.group_replenishment_manager",
            self.company_id,
        )


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else 0.0


def _fmt(value):
    value = float(value)
    return f"{value:.2f}" if math.isfinite(value) else "n/a"
