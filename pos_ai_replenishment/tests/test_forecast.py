# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
from datetime import timedelta

import numpy as np

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import float_round

from .common import PosReplenishmentCase


class ForecastCommon(PosReplenishmentCase):
    """Categories with the rollout on (inherited) and off, products with and
    without vendor, and generated daily demand ending yesterday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "pos_ai_replenishment.forecast_workers", "1"
        )
        Category = cls.env["product.category"]
        # only this test's categories are on (a demo database switches others on)
        Category.search([("replenishment_rollout", "!=", False)]).replenishment_rollout = False
        cls.categ_on = Category.create({"name": "AI Parent", "replenishment_rollout": "suggest"})
        cls.categ_child = Category.create({"name": "AI Child", "parent_id": cls.categ_on.id})
        cls.categ_off = Category.create({"name": "Manual Only", "replenishment_rollout": "off"})
        cls.vendor = cls.env["res.partner"].create({"name": "Test Beverage Vendor"})
        cls.cola.write(
            {
                "categ_id": cls.categ_child.id,
                "seller_ids": [
                    (0, 0, {"partner_id": cls.vendor.id, "delay": 5, "min_qty": 24, "price": 1})
                ],
            }
        )
        cls.chips.categ_id = cls.categ_child  # no vendor
        Product = cls.env["product.product"]
        cls.lamp = Product.create(
            {
                "name": "Test Lamp",
                "default_code": "T-LAMP",
                "is_storable": True,
                "categ_id": cls.categ_off.id,
            }
        )
        cls.newcomer = Product.create(
            {
                "name": "Test Newcomer",
                "default_code": "T-NEW",
                "is_storable": True,
                "categ_id": cls.categ_child.id,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "delay": 3})],
            }
        )
        cls.spiky = Product.create(
            {
                "name": "Test Spiky",
                "default_code": "T-SPIKY",
                "is_storable": True,
                "categ_id": cls.categ_child.id,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "delay": 2})],
            }
        )
        cls.unsold = Product.create(
            {
                "name": "Test Unsold",
                "default_code": "T-UNSOLD",
                "is_storable": True,
                "categ_id": cls.categ_child.id,
            }
        )
        Orderpoint = cls.env["stock.warehouse.orderpoint"]
        cls.lamp_rule = Orderpoint.create(
            {
                "product_id": cls.lamp.id,
                "warehouse_id": cls.warehouse.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "product_min_qty": 3,
                "product_max_qty": 9,
            }
        )
        cls.unsold_rule = Orderpoint.create(
            {
                "product_id": cls.unsold.id,
                "warehouse_id": cls.warehouse.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "product_min_qty": 2,
                "product_max_qty": 5,
            }
        )
        rng = np.random.default_rng(7)
        cls.yesterday = fields.Date.context_today(cls.env["res.users"]) - timedelta(days=1)
        history = {
            cls.cola: rng.poisson(10.0, 200),
            cls.chips: rng.poisson(4.0, 200),
            cls.lamp: rng.poisson(2.0, 200),
            cls.newcomer: rng.poisson(3.0, 10),
            cls.spiky: np.append(rng.poisson(10.0, 119), 80),
        }
        cls.load_history(history, cls.warehouse)

    @classmethod
    def load_history(cls, history, warehouse):
        """Daily demand rows through the incremental upsert, ending yesterday."""
        values = []
        for product, units in history.items():
            start = cls.yesterday - timedelta(days=len(units) - 1)
            for offset, qty in enumerate(units.tolist()):
                if qty:
                    values.append(
                        (
                            product.id,
                            warehouse.id,
                            cls.company.id,
                            start + timedelta(days=offset),
                            float(qty),
                            0.0,
                            float(qty),
                            float(qty) * 2.0,
                            int(qty),
                            False,
                            None,
                        )
                    )
        cls.env["pos.demand.daily"]._upsert(values)

    def forecast_of(self, product, warehouse=None):
        return self.env["pos.demand.forecast"].search(
            [
                ("product_id", "=", product.id),
                ("warehouse_id", "=", (warehouse or self.warehouse).id),
            ]
        )

    def rules_of(self, product, warehouse=None):
        return self.env["stock.warehouse.orderpoint"].search(
            [
                ("product_id", "=", product.id),
                ("warehouse_id", "=", (warehouse or self.warehouse).id),
            ]
        )

    def run_cron(self):
        before = self.env["pos.forecast.run"].search([])
        self.env["pos.forecast.run"]._cron_run_forecasts()
        return self.env["pos.forecast.run"].search([]) - before


@tagged("post_install", "-at_install")
class TestForecastRun(ForecastCommon):
    def test_rollout_flag_is_inherited_down_the_tree(self):
        self.assertEqual(self.categ_child.replenishment_rollout_effective, "suggest")
        grandchild = self.env["product.category"].create(
            {"name": "AI Grandchild", "parent_id": self.categ_child.id}
        )
        self.categ_child.replenishment_rollout = "draft"
        self.assertEqual(grandchild.replenishment_rollout_effective, "draft")
        self.categ_on.replenishment_rollout = "off"
        self.assertEqual(self.categ_child.replenishment_rollout_effective, "draft")
        self.categ_child.replenishment_rollout = False
        self.assertEqual(grandchild.replenishment_rollout_effective, "off")
        top = self.env["product.category"].create({"name": "Untouched"})
        self.assertEqual(top.replenishment_rollout_effective, "off")

    def test_cron_writes_forecasts_and_orderpoints(self):
        run = self.run_cron()
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done", run.error_log)
        self.assertEqual(run.trigger, "cron")
        # cola, chips, newcomer, spiky have history in enabled categories; lamp is off
        self.assertEqual(run.series_count, 4)
        self.assertEqual(sum(run.model_counts.values()), 4)
        self.assertGreaterEqual(run.duration, 0)

        cola = self.forecast_of(self.cola)
        self.assertEqual(cola.status, "ok")
        self.assertEqual(cola.vendor_id, self.vendor)
        company = self.company
        self.assertAlmostEqual(
            cola.lead_time, 5 + company.po_lead + company.days_to_purchase, places=6
        )
        self.assertAlmostEqual(cola.demand_mean, 10.0, delta=2.0)
        self.assertAlmostEqual(
            cola.reorder_point, cola.lead_time_demand + cola.safety_stock, places=4
        )
        self.assertAlmostEqual(cola.safety_stock, cola.z * cola.lead_time_demand_std, delta=0.01)
        self.assertAlmostEqual(
            cola.protection_demand,
            (cola.lead_time + cola.review_period) * cola.demand_mean,
            delta=0.01,
        )
        self.assertGreater(cola.protection_std, cola.lead_time_demand_std)
        self.assertGreater(cola.order_up_to, cola.reorder_point)
        self.assertIn(cola.model, cola.explanation)
        self.assertIn("service level", cola.explanation)
        self.assertEqual(len(cola.chart_data["forecast"]), 28)
        self.assertEqual(len(cola.chart_data["history"]), 91)
        for _day, mean, low, high in cola.chart_data["forecast"]:
            self.assertLessEqual(low, mean)
            self.assertLessEqual(mean, high)

        rule = self.rules_of(self.cola)
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule, cola.orderpoint_id)
        self.assertEqual(rule.trigger, "manual")
        self.assertTrue(rule.ai_managed)
        self.assertEqual(rule.ai_forecast_id, cola)
        self.assertEqual(
            rule.product_min_qty,
            float_round(cola.reorder_point, precision_rounding=1.0, rounding_method="UP"),
        )
        self.assertGreaterEqual(rule.product_max_qty, rule.product_min_qty + 24)
        self.assertIn("reorder point", rule.ai_explanation)
        self.assertEqual(run.orderpoints_created, 3)  # cola, chips, spiky

    def test_category_off_stays_untouched(self):
        self.run_cron()
        self.assertFalse(self.forecast_of(self.lamp))
        self.assertEqual((self.lamp_rule.product_min_qty, self.lamp_rule.product_max_qty), (3, 9))
        self.assertFalse(self.lamp_rule.ai_managed)

    def test_nothing_on_means_no_run(self):
        self.categ_on.replenishment_rollout = "off"
        self.assertFalse(self.run_cron())

    def test_edge_cases_get_a_status_and_a_safe_fallback(self):
        run = self.run_cron()
        chips = self.forecast_of(self.chips)
        self.assertEqual(chips.status, "no_vendor")
        self.assertIn("No vendor", chips.status_message)
        self.assertAlmostEqual(
            chips.lead_time,
            7 + self.company.po_lead + self.company.days_to_purchase,
            places=6,
        )
        self.assertTrue(self.rules_of(self.chips).ai_managed)

        newcomer = self.forecast_of(self.newcomer)
        self.assertEqual(newcomer.status, "short_history")
        self.assertEqual(newcomer.history_days, 10)
        self.assertFalse(self.rules_of(self.newcomer), "too little data: no rule created")

        unsold = self.forecast_of(self.unsold)
        self.assertEqual(unsold.status, "no_history")
        self.assertEqual(
            (self.unsold_rule.product_min_qty, self.unsold_rule.product_max_qty), (2, 5)
        )
        self.assertEqual(
            run.status_counts,
            {"ok": 2, "no_vendor": 1, "short_history": 1, "no_history": 1},
        )

    def test_second_run_updates_in_place_and_respects_manual_rules(self):
        self.run_cron()
        cola_rule = self.rules_of(self.cola)
        cola_rule.write({"ai_keep_manual": True, "product_min_qty": 1, "product_max_qty": 2})
        self.categ_child.replenishment_service_level = 99
        run = self.run_cron()
        self.assertEqual(run.state, "done", run.error_log)
        self.assertEqual(run.orderpoints_created, 0)
        self.assertEqual(run.orderpoints_updated, 2)  # chips, spiky
        self.assertEqual(
            len(self.env["pos.demand.forecast"].search([("product_id", "=", self.cola.id)])), 1
        )
        self.assertEqual(len(self.rules_of(self.cola)), 1)
        self.assertEqual((cola_rule.product_min_qty, cola_rule.product_max_qty), (1, 2))
        cola = self.forecast_of(self.cola)
        self.assertEqual(cola.run_id, run)
        self.assertAlmostEqual(cola.service_level, 99.0)
        self.assertAlmostEqual(cola.z, 2.3263, places=3)
        self.assertAlmostEqual(
            cola.safety_stock,
            2.3263
            * math.sqrt(
                cola.lead_time * cola.demand_std**2 + cola.demand_mean**2 * cola.lead_time_std**2
            ),
            delta=0.01,
        )

    def test_anomaly_gets_activity_and_chatter_once(self):
        self.run_cron()
        anomaly = self.env["pos.demand.anomaly"].search(
            [("product_id", "=", self.spiky.id), ("kind", "=", "spike")]
        )
        self.assertEqual(len(anomaly), 1)
        self.assertEqual(anomaly.date, self.yesterday)
        self.assertEqual(anomaly.actual, 80)
        self.assertIn("80", anomaly.reason)
        self.assertEqual(anomaly.forecast_id, self.forecast_of(self.spiky))
        self.assertEqual(len(anomaly.activity_ids), 1)
        self.assertFalse(anomaly.activity_ids.user_id._is_superuser())
        notes = self.spiky.product_tmpl_id.message_ids.filtered(
            lambda m: "anomaly" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        run = self.run_cron()
        self.assertEqual(run.anomaly_count, 0, "a known anomaly is not raised twice")
        anomaly.action_dismiss()
        self.assertEqual(anomaly.state, "dismissed")
        self.assertFalse(anomaly.activity_ids)

    def test_chunks_share_a_run_and_agree_with_one_run(self):
        """Two chunk runs (as two cron workers would do) forecast each series
        once, with the same numbers (ABC over the whole company) as one run."""
        self.run_cron()
        Forecast = self.env["pos.demand.forecast"]
        mine = [("categ_id", "child_of", self.categ_on.id)]
        whole = {(f.product_id.id, f.reorder_point, f.abc, f.model) for f in Forecast.search(mine)}
        Forecast.search(mine).unlink()
        Run = self.env["pos.forecast.run"]
        Run._cron_run_forecasts(chunk=(0, 2))
        first = Run.search([], limit=1)
        self.assertEqual((first.chunk_index, first.chunk_count), (0, 2))
        self.assertTrue(all(f.product_id.id % 2 == 0 for f in first.forecast_ids))
        Run._cron_run_forecasts(chunk=(1, 2))
        second = Run.search([], limit=1)
        self.assertTrue(all(f.product_id.id % 2 == 1 for f in second.forecast_ids))
        self.assertEqual(first.series_count + second.series_count, 4)
        chunked = {
            (f.product_id.id, f.reorder_point, f.abc, f.model) for f in Forecast.search(mine)
        }
        self.assertEqual(chunked, whole)
        with self.assertRaises(ValueError):
            Run._cron_run_forecasts(chunk=(2, 2))

    def test_settings_checkboxes_and_numbers_are_read(self):
        settings = self.env["res.config.settings"].create(
            {"pos_forecast_prophet": True, "pos_forecast_horizon": 14}
        )
        settings.execute()
        run = self.env["pos.forecast.run"].new({})
        self.assertEqual(run._param("forecast_prophet"), 1)
        self.assertEqual(run._param("horizon_days"), 14)
        settings = self.env["res.config.settings"].create({"pos_forecast_prophet": False})
        settings.execute()
        self.assertEqual(run._param("forecast_prophet"), 0)

    def test_process_pool_inside_odoo_matches_serial(self):
        """With two processes (every core by default) the run gives the same
        numbers as in one process."""
        self.run_cron()
        Forecast = self.env["pos.demand.forecast"]
        mine = [("categ_id", "child_of", self.categ_on.id)]
        serial = {(f.product_id.id, f.reorder_point, f.model) for f in Forecast.search(mine)}
        self.env["ir.config_parameter"].sudo().set_param(
            "pos_ai_replenishment.forecast_workers", "2"
        )
        run = self.run_cron()
        self.assertEqual(run.state, "done", run.error_log)
        pooled = {(f.product_id.id, f.reorder_point, f.model) for f in Forecast.search(mine)}
        self.assertEqual(pooled, serial)


@tagged("post_install", "-at_install")
class TestForecastAccess(ForecastCommon):
    def test_managers_run_users_read(self):
        manager = new_test_user(
            self.env, "fc_manager", groups="pos_ai_replenishment.group_replenishment_manager"
        )
        user = new_test_user(
            self.env, "fc_user", groups="pos_ai_replenishment.group_replenishment_user"
        )
        action = self.env["pos.forecast.run"].with_user(manager).action_run_now()
        run = self.env["pos.forecast.run"].browse(action["res_id"])
        self.assertEqual(run.state, "done", run.error_log)
        self.assertEqual(run.trigger, "manual")
        self.assertEqual(run.user_id, manager)
        self.assertTrue(self.forecast_of(self.cola).with_user(user).reorder_point > 0)
        with self.assertRaises(AccessError):
            self.env["pos.forecast.run"].with_user(user).create({})
        with self.assertRaises(AccessError):
            self.forecast_of(self.cola).with_user(user).write({"reorder_point": 1})


@tagged("post_install", "-at_install")
class TestForecastChart(ForecastCommon, HttpCase):
    def test_chart_renders_history_forecast_and_band(self):
        # one stockout day in the charted weeks: drawn as a dot
        self.daily(self.cola, day=self.yesterday - timedelta(days=10)).stockout = True
        self.run_cron()
        forecast = self.forecast_of(self.cola)
        self.start_tour(
            f"/odoo/action-pos_ai_replenishment.pos_demand_forecast_action/{forecast.id}",
            "pos_ai_replenishment_forecast_chart",
            login="admin",
        )
