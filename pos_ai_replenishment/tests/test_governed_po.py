# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

import numpy as np

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .test_forecast import ForecastCommon


class GovernedCommon(ForecastCommon):
    """Forecast history from ForecastCommon, a Buy route on the AI category,
    a buyer and a purchase manager, and a forecast run done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        buy = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.categ_on.route_ids = [Command.link(buy.id)]
        cls.buyer = new_test_user(
            cls.env,
            "ai_buyer",
            groups="purchase.group_purchase_user,pos_ai_replenishment.group_replenishment_user",
        )
        cls.manager = new_test_user(
            cls.env,
            "ai_purchase_manager",
            groups="purchase.group_purchase_manager,pos_ai_replenishment.group_replenishment_user",
        )
        cls.company.write({"po_double_validation": "one_step"})
        cls.env["pos.forecast.run"]._cron_run_forecasts()
        cls.Proposal = cls.env["pos.replenishment.proposal"]
        cls.PO = cls.env["purchase.order"]
        cls.Audit = cls.env["pos.ai.audit.log"]

    def set_phase(self, phase):
        self.categ_on.replenishment_rollout = phase

    def proposal_of(self, product):
        return self.Proposal.search([("product_id", "=", product.id)], order="id desc", limit=1)

    def ai_orders(self):
        return self.PO.search([("ai_generated", "=", True)])

    def give_delivery_history(self, vendor):
        """A received order with ``vendor``: what auto confirmation requires."""
        other = self.env["product.product"].create(
            {"name": "History Item", "is_storable": True, "standard_price": 1}
        )
        order = self.PO.create(
            {
                "partner_id": vendor.id,
                "order_line": [Command.create({"product_id": other.id, "product_qty": 1})],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertTrue(order.effective_date)


@tagged("post_install", "-at_install")
class TestProposals(GovernedCommon):
    def test_suggest_phase_creates_no_purchase_document(self):
        orders_before = self.PO.search_count([])
        proposals = self.Proposal._generate()
        self.assertEqual(self.PO.search_count([]), orders_before)
        cola = self.proposal_of(self.cola)
        self.assertEqual((cola.state, cola.phase), ("suggested", "suggest"))
        forecast = self.forecast_of(self.cola)
        rule = self.rules_of(self.cola)
        self.assertEqual(cola.reorder_point, rule.product_min_qty)
        self.assertEqual(cola.inventory_position, 0)
        self.assertEqual(cola.need_quantity, rule.product_max_qty)
        self.assertGreaterEqual(cola.quantity, cola.need_quantity)
        self.assertEqual(cola.partner_id, self.vendor)
        self.assertEqual(cola.price_unit, 1)
        self.assertEqual(cola.date_planned.toordinal() - self.yesterday.toordinal(), 1 + 5)
        self.assertGreater(cola.confidence, 0)
        for words in ("On hand 0", "Sales:", "forecast expects", forecast.model, "need"):
            self.assertIn(words, cola.reasoning)
        self.assertIn(cola, proposals)
        # the audit trail has one entry per proposal
        self.assertEqual(
            self.Audit.search_count([("action", "=", "proposal"), ("res_id", "=", cola.id)]), 1
        )

    def test_no_vendor_is_blocked_with_an_activity(self):
        self.Proposal._generate()
        chips = self.proposal_of(self.chips)
        self.assertEqual(chips.state, "blocked")
        self.assertIn("No vendor", chips.block_reason)
        self.assertEqual(len(chips.activity_ids), 1)
        self.assertFalse(chips.activity_ids.user_id._is_superuser())

    def test_moq_above_need_is_rounded_up_and_said(self):
        self.spiky.seller_ids.min_qty = 5000
        self.Proposal._generate()
        spiky = self.proposal_of(self.spiky)
        self.assertLess(spiky.need_quantity, 5000)
        self.assertEqual(spiky.quantity, 5000)
        self.assertIn("minimum order quantity 5000 is above the need", spiky.reasoning)

    def test_regenerating_updates_the_open_proposal(self):
        first = self.Proposal._generate()
        second = self.Proposal._generate()
        self.assertEqual(first, second)
        self.assertEqual(self.Proposal.search_count([("product_id", "=", self.cola.id)]), 1)

    def test_buyer_accepting_a_suggestion_drafts_its_rfq(self):
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        cola.with_user(self.buyer).action_accept()
        self.assertEqual(cola.state, "drafted")
        self.assertTrue(cola.purchase_order_id.ai_generated)
        entry = self.Audit.search([("action", "=", "proposal_accepted")])
        self.assertEqual((entry.actor, entry.user_id), ("user", self.buyer))

    def test_reject_with_reason_is_recorded(self):
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        wizard = Form(
            self.env["pos.proposal.reject.wizard"]
            .with_user(self.buyer)
            .with_context(active_ids=cola.ids)
        )
        wizard.reason = "promotion"
        wizard.note = "Competitor promotion next week"
        wizard.save().action_reject()
        self.assertEqual(cola.state, "rejected")
        override = self.env["pos.ai.override"].search([("proposal_id", "=", cola.id)])
        self.assertEqual((override.kind, override.reason), ("rejected", "promotion"))
        self.assertEqual(override.user_id, self.buyer)
        entry = self.Audit.search([("action", "=", "proposal_rejected")])
        self.assertEqual(entry.reasoning, "Competitor promotion next week")
        override.with_user(self.buyer).write({"note": "Promotion confirmed by marketing"})
        with self.assertRaises(UserError):
            override.with_user(self.buyer).write({"kind": "price"})
        with self.assertRaises(AccessError):
            cola.with_user(self.buyer).write({"quantity": 1})

    def test_vendor_or_warehouse_limit_keeps_suggestions(self):
        self.set_phase("auto")
        self.vendor.replenishment_rollout_override = "suggest"
        self.Proposal._generate()
        self.assertEqual(self.proposal_of(self.cola).phase, "suggest")
        self.assertFalse(self.ai_orders())
        self.vendor.replenishment_rollout_override = False
        self.warehouse.replenishment_rollout_override = "suggest"
        self.Proposal._generate()
        self.assertEqual(self.proposal_of(self.cola).phase, "suggest")
        self.assertFalse(self.ai_orders())


@tagged("post_install", "-at_install")
class TestGovernedOrders(GovernedCommon):
    def test_whole_loop_draft_then_manager_approval(self):
        """Demand, forecast, proposal, RFQ through procurement, confirm goes to
        'to approve' by amount, a buyer cannot approve, a manager can."""
        self.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 500})
        self.cola.seller_ids.price = 10
        # a buyer's draft that Odoo's own grouping would pick for the same vendor
        manual = self.PO.create(
            {
                "partner_id": self.vendor.id,
                "user_id": False,
                "picking_type_id": self.warehouse.in_type_id.id,
                "order_line": [Command.create({"product_id": self.lamp.id, "product_qty": 1})],
            }
        )
        self.set_phase("draft")
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        self.assertEqual(cola.state, "drafted")
        order = cola.purchase_order_id
        self.assertTrue(order.ai_generated)
        self.assertNotEqual(order, manual, "AI drafts stay apart from buyers' drafts")
        self.assertEqual(len(manual.order_line), 1)
        self.assertEqual(order.partner_id, self.vendor)
        self.assertEqual(order.state, "draft")
        line = cola.purchase_line_ids
        self.assertEqual(line.product_qty, cola.quantity)
        self.assertEqual(line.price_unit, 10)
        self.assertEqual(line.orderpoint_id, self.rules_of(self.cola))
        self.assertIn("Drafted by AI replenishment", order.message_ids[0].body)
        self.assertTrue(order.activity_ids)
        self.assertGreater(order.amount_total, 500)

        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertEqual(cola.state, "to_approve")
        order.with_user(self.buyer).button_approve()
        self.assertEqual(order.state, "to approve", "a plain user cannot approve")
        order.with_user(self.manager).button_approve()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(cola.state, "confirmed")
        actions = self.Audit.search([("res_id", "=", cola.id)]).mapped("action")
        for action in ("proposal", "rfq_drafted", "order_to_approve", "order_purchase"):
            self.assertIn(action, actions)

    def test_odoo_refusing_one_procurement_blocks_only_that_proposal(self):
        """A store without a buy rule: Odoo's procurement refuses the product, its
        proposal is blocked with Odoo's reason, the others are still drafted."""
        no_route = self.env["product.category"].create(
            {"name": "No Buy Route", "replenishment_rollout": "draft"}
        )
        widget = self.env["product.product"].create(
            {
                "name": "Test Widget",
                "default_code": "T-WIDGET",
                "is_storable": True,
                "categ_id": no_route.id,
                "seller_ids": [(0, 0, {"partner_id": self.vendor.id, "delay": 3})],
            }
        )
        # store B does not buy (no buy rule), store A does
        self.warehouse_b.buy_to_resupply = False
        self.load_history({widget: np.random.default_rng(3).poisson(6.0, 120)}, self.warehouse_b)
        self.env["pos.forecast.run"]._cron_run_forecasts()
        self.set_phase("draft")
        self.Proposal._generate()
        blocked = self.proposal_of(widget)
        self.assertEqual(blocked.warehouse_id, self.warehouse_b)
        self.assertEqual(blocked.state, "blocked")
        self.assertIn("Odoo could not draft it", blocked.block_reason)
        self.assertTrue(blocked.activity_ids)
        self.assertEqual(self.proposal_of(self.cola).state, "drafted")

    def test_units_and_currency_go_through_odoo(self):
        """A vendor selling by the dozen in euros: the MOQ, the unit price and
        the order line use Odoo's UoM and currency conversions."""
        dozen = self.env.ref("uom.product_uom_dozen")
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 0.5,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        self.cola.uom_po_id = dozen
        self.cola.seller_ids.write(
            {"product_uom": dozen.id, "currency_id": eur.id, "price": 12.0, "min_qty": 2}
        )
        self.set_phase("draft")
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        self.assertEqual(cola.currency_id, eur)
        self.assertAlmostEqual(cola.price_unit, 1.0)  # 12 EUR a dozen, per unit
        self.assertGreaterEqual(cola.quantity, 24)  # MOQ 2 dozen, in units
        self.assertAlmostEqual(cola.amount_company, cola.amount / 0.5, places=2)
        line = cola.purchase_line_ids
        self.assertEqual(line.product_uom, dozen)
        self.assertAlmostEqual(line.product_qty, cola.quantity / 12, places=2)
        expected = eur._convert(
            12.0, line.order_id.currency_id, self.company, line.order_id.date_order
        )
        self.assertAlmostEqual(line.price_unit, expected, places=2)

    def test_new_vendor_needs_a_manager_even_below_limits(self):
        self.set_phase("draft")
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        self.assertIn(self.vendor.name, order.ai_manager_reason)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")

    def test_existing_rfq_covering_the_need_prevents_a_second_order(self):
        self.set_phase("draft")
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        lines_before = order.order_line
        again = self.Proposal._generate()
        self.assertFalse(again.filtered(lambda p: p.product_id == self.cola))
        self.assertEqual(self.ai_orders(), order)
        self.assertEqual(order.order_line, lines_before)
        self.assertEqual(self.Proposal.search_count([("product_id", "=", self.cola.id)]), 1)

    def test_auto_confirms_only_inside_guardrails(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "pos_ai_replenishment.ai_auto_min_confidence", "0.1"
        )
        self.env["pos.demand.anomaly"].search([]).action_dismiss()
        self.set_phase("auto")
        # no delivery history with the vendor yet: stays a draft, says why
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        self.assertEqual(order.state, "draft")
        self.assertIn("no delivery history", order.message_ids[0].body)
        order.button_cancel()

        self.give_delivery_history(self.vendor)
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        order = cola.purchase_order_id
        self.assertEqual(order.state, "purchase")
        self.assertTrue(order.ai_auto_confirmed)
        self.assertEqual(cola.state, "confirmed")
        self.assertIn("Confirmed automatically within guardrails", order.message_ids[0].body)
        self.assertTrue(self.Audit.search_count([("action", "=", "auto_confirm")]))

    def test_auto_guardrails_each_keep_a_draft(self):
        self.give_delivery_history(self.vendor)
        self.env["pos.demand.anomaly"].search([]).action_dismiss()
        self.set_phase("auto")
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param("pos_ai_replenishment.ai_auto_min_confidence", "0.99")
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        self.assertEqual(order.state, "draft")
        self.assertIn("confidence below", order._ai_guardrail_failures()[0])
        Param.set_param("pos_ai_replenishment.ai_auto_min_confidence", "0.1")
        Param.set_param("pos_ai_replenishment.ai_auto_max_amount", "5")
        self.assertIn("above the automatic limit", " ".join(order._ai_guardrail_failures()))
        Param.set_param("pos_ai_replenishment.ai_auto_max_amount", "100000")
        self.env["pos.demand.anomaly"].create(
            {
                "product_id": self.cola.id,
                "warehouse_id": self.warehouse.id,
                "date": self.yesterday,
                "kind": "spike",
                "reason": "test spike",
            }
        )
        self.assertIn("open demand anomaly", " ".join(order._ai_guardrail_failures()))

    def test_auto_above_ai_approval_amount_waits_for_a_manager(self):
        self.give_delivery_history(self.vendor)
        self.env["pos.demand.anomaly"].search([]).action_dismiss()
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param("pos_ai_replenishment.ai_auto_min_confidence", "0.1")
        Param.set_param("pos_ai_replenishment.ai_manager_approval_amount", "1")
        self.set_phase("auto")
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        self.assertEqual(order.state, "to approve")
        self.assertIn("above the AI approval limit", order.ai_manager_reason)

    def test_dashboard_reports_lead_time_error_of_received_ai_lines(self):
        self.set_phase("draft")
        self.Proposal._generate()
        order = self.proposal_of(self.cola).purchase_order_id
        order.with_user(self.manager).button_confirm()
        line = order.order_line.filtered(lambda ln: ln.product_id == self.cola)
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        move = picking.move_ids.filtered(lambda m: m.product_id == self.cola)
        move.date = line.date_planned + timedelta(days=3)
        report = self.env["pos.ai.line.report"].search([("id", "=", line.id)])
        self.assertAlmostEqual(report.lead_time_error, 3.0, places=3)
        self.assertEqual(report.override_rate, 0.0)
        self.assertEqual(report.phase, "draft")

    def test_editing_an_ai_line_records_an_override(self):
        self.set_phase("draft")
        self.Proposal._generate()
        cola = self.proposal_of(self.cola)
        line = cola.purchase_line_ids
        old_qty = line.product_qty
        line.with_user(self.buyer).with_context(
            ai_override_reason="wrong_quantity", ai_override_note="Shelf holds 40"
        ).write({"product_qty": 40})
        override = self.env["pos.ai.override"].search([("purchase_line_id", "=", line.id)])
        self.assertEqual(override.kind, "quantity")
        self.assertEqual((override.old_value, override.new_value), (f"{old_qty:g}", "40"))
        self.assertEqual((override.reason, override.note), ("wrong_quantity", "Shelf holds 40"))
        self.assertEqual(override.user_id, self.buyer)
        line.with_user(self.buyer).write({"price_unit": 0.8})
        kinds = self.env["pos.ai.override"].search([("proposal_id", "=", cola.id)]).mapped("kind")
        self.assertIn("price", kinds)
        report = self.env["pos.ai.line.report"].search([("id", "=", line.id)])
        self.assertEqual(report.override_rate, 1.0)
        line.order_id.with_user(self.buyer).button_cancel()
        self.assertEqual(cola.state, "cancelled")
        kinds = self.env["pos.ai.override"].search([("proposal_id", "=", cola.id)]).mapped("kind")
        self.assertIn("cancelled", kinds)
        # a buyer's own order is not tracked
        manual_line = self.PO.create(
            {
                "partner_id": self.vendor.id,
                "order_line": [Command.create({"product_id": self.lamp.id, "product_qty": 1})],
            }
        ).order_line
        manual_line.write({"product_qty": 3})
        self.assertFalse(
            self.env["pos.ai.override"].search([("purchase_line_id", "=", manual_line.id)])
        )


@tagged("post_install", "-at_install")
class TestAuditTrail(GovernedCommon):
    def test_chain_verifies_resists_the_orm_and_detects_sql_changes(self):
        self.set_phase("draft")
        self.Proposal._generate()
        entries = self.Audit.search([], order="sequence")
        self.assertGreaterEqual(len(entries), 3)
        self.assertIsNone(self.Audit._first_broken_entry())
        self.assertEqual(self.Audit.action_verify_chain()["params"]["type"], "success")
        for model in (self.Audit, self.Audit.sudo(), self.Audit.with_user(self.manager)):
            entry = model.browse(entries[1].id)
            with self.assertRaises(UserError):
                entry.write({"result": "nothing happened"})
            with self.assertRaises(UserError):
                entry.unlink()
        with self.assertRaises(UserError):
            self.Audit.sudo().create({"action": "forged", "sequence": 999})

        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE pos_ai_audit_log SET result = 'edited in SQL' WHERE id = %s",
            [entries[1].id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.Audit._first_broken_entry(), entries[1])
        notification = self.Audit.action_verify_chain()["params"]
        self.assertEqual(notification["type"], "danger")
        self.assertIn(f"#{entries[1].sequence}", notification["message"])

    def test_deleted_entry_is_detected_at_the_next_one(self):
        self.Proposal._generate()
        entries = self.Audit.search([], order="sequence")
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM pos_ai_audit_log WHERE id = %s", [entries[0].id])
        self.env.invalidate_all()
        self.assertEqual(self.Audit._first_broken_entry(), entries[1])


@tagged("post_install", "-at_install")
class TestIntakeLatencyReport(GovernedCommon):
    def test_processed_events_report_their_latency(self):
        self.store(self.sale("lat-1", [{"line_id": "lat-1", "sku": "T-COLA", "quantity": 2}]))
        self.process()
        rows = self.env["pos.intake.latency.report"].search([("source_id", "=", self.source.id)])
        self.assertEqual(len(rows), 1)
        self.assertGreaterEqual(rows.processing_seconds, 0)
        self.assertGreater(rows.delivery_seconds, 0, "the sale happened before its receipt")


@tagged("post_install", "-at_install")
class TestViewsInTheBrowser(GovernedCommon, HttpCase):
    """Every new screen renders its records in a real browser (JS errors fail)."""

    def test_new_screens_render(self):
        self.set_phase("draft")
        self.Proposal._generate()
        self.env["pos.forecast.run"]._cron_run_forecasts()
        proposal = self.proposal_of(self.cola)
        actions = [
            "pos_replenishment_proposal_action?view_type=list",
            "pos_replenishment_proposal_action?view_type=kanban",
            "pos_replenishment_proposal_action?view_type=pivot",
            f"pos_replenishment_proposal_action/{proposal.id}",
            "pos_demand_forecast_action?view_type=list",
            "pos_demand_anomaly_action?view_type=list",
            "pos_forecast_run_action?view_type=list",
            "pos_ai_audit_log_action?view_type=list",
            "pos_ai_override_action?view_type=list",
            "pos_ai_line_report_action?view_type=pivot",
            "purchase_order_ai_action?view_type=list",
            f"purchase_order_ai_action/{proposal.purchase_order_id.id}",
        ]
        self.Audit.search([], limit=1)  # there is something to list
        self.env["pos.ai.override"].sudo().create(
            {"proposal_id": proposal.id, "kind": "quantity", "old_value": "1", "new_value": "2"}
        )
        for action in actions:
            with self.subTest(action=action):
                path, _sep, query = action.partition("?")
                url = f"/odoo/action-pos_ai_replenishment.{path}"
                self.start_tour(
                    url + (f"?{query}" if query else ""),
                    "pos_ai_replenishment_view_loads",
                    login="admin",
                )
