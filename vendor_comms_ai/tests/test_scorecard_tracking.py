# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..vendor_engine.tracking import SIGNATURE_HEADER, sign
from .common import VendorCommsCase


class ReceiptsMixin:
    def received_line(self, *, qty, received, lead_days, promised_days=5, price=30.0, eta=None):
        """A confirmed order of ``qty`` ordered on D0, promised D0 + promised_days,
        ``received`` units arriving D0 + lead_days (no backorder)."""
        d0 = datetime.combine(fields.Date.today() - timedelta(days=30), time(9, 0))
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "date_order": d0,
                "picking_type_id": self.warehouse.in_type_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_qty": qty,
                            "price_unit": price,
                            "date_planned": d0 + timedelta(days=promised_days),
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        order.write({"date_approve": d0, "vendor_eta": eta and (d0 + timedelta(days=eta)).date()})
        picking = order.picking_ids
        picking.move_ids.quantity = received
        picking.move_ids.picked = True
        picking.with_context(cancel_backorder=True, skip_backorder=True).button_validate()
        picking.move_ids.date = d0 + timedelta(days=lead_days, hours=3)
        self.assertEqual(order.order_line.qty_received, received)
        return order


@tagged("post_install", "-at_install")
class TestScorecards(ReceiptsMixin, VendorCommsCase):
    def test_scorecard_equals_the_hand_computed_case(self):
        # line 1: 10 of 10, day 4 of a 5-day promise, list price -> on time, lead 4
        self.received_line(qty=10, received=10, lead_days=4)
        # line 2: 8 of 10, day 8 (late), paid 33 against a list price of 30, ETA said day 7
        self.received_line(qty=10, received=8, lead_days=8, price=33.0, eta=7)
        cards = self.env["vendor.scorecard"]._compute_company(self.company)
        overall = cards.filtered(lambda c: c.partner_id == self.vendor and not c.categ_id)
        per_categ = cards.filtered(lambda c: c.categ_id == self.categ)
        for card in (overall, per_categ):
            self.assertEqual(card.receipt_count, 2)
            self.assertAlmostEqual(card.on_time_rate, 0.5)  # 1 of 2 lines on time
            self.assertAlmostEqual(card.fill_rate, 0.9)  # (10 + 8) / 20
            self.assertAlmostEqual(card.lead_time_mean, 6.0)  # (4 + 8) / 2
            self.assertAlmostEqual(card.lead_time_std, 2.8, places=1)  # sample std of 4, 8
            self.assertAlmostEqual(card.eta_accuracy, 1.0)  # |8 - 7| on the line with an ETA
            self.assertAlmostEqual(card.price_variance, 0.05)  # mean of 0 and +10%
            self.assertAlmostEqual(card.quality_rate, 1.0)  # nothing returned
            # 35 x 0.5 + 25 x 0.1 + 10 x (2.83 / 6) + 10 x (1 / 7) + 10 x (0.05 / 0.10)
            self.assertAlmostEqual(card.risk_score, 17.5 + 2.5 + 4.71 + 1.43 + 5.0, places=1)
            self.assertFalse(card.at_risk)
            self.assertTrue(card.low_data, "two lines are too few for a stable figure")
            self.assertIn("on time", card.explanation.lower())

    def test_pos_defect_returns_count_against_the_vendor(self):
        self.received_line(qty=10, received=10, lead_days=4)
        self.received_line(qty=10, received=8, lead_days=4)
        source = self.env["pos.source"].create(
            {
                "name": "Scorecard POS",
                "code": "scorecard-pos",
                "tz": "UTC",
                "warehouse_id": self.warehouse.id,
                "signing_secret": "s",
            }
        )
        Inbox = self.env["pos.inbox.event"]
        for event_id, reason in (("ret-1", "Defect"), ("ret-2", "wrong size")):
            body = {
                "event_id": event_id,
                "type": "refund",
                "occurred_at": "2026-11-20T10:00:00Z",
                "lines": [{"line_id": event_id, "sku": "TRJ-220", "quantity": 2, "reason": reason}],
            }
            Inbox._store_incoming(source, event_id, "refund", json.dumps(body), {})
        Inbox._process_batch(100)
        signal = self.env["pos.demand.signal"].search([("source_line_id", "=", "ret-1")])
        self.assertEqual((signal.kind, signal.return_reason), ("return", "defect"))
        card = (
            self.env["vendor.scorecard"]
            ._compute_company(self.company)
            .filtered(lambda c: c.partner_id == self.vendor and not c.categ_id)
        )
        # 2 defect returns (the wrong size is not the vendor's fault) of 18 received
        self.assertAlmostEqual(card.quality_rate, 1 - 2 / 18, places=3)
        self.assertIn("return", card.explanation.lower())

    def test_learned_lead_time_only_behind_the_category_flag(self):
        for lead in (4, 8, 6):
            self.received_line(qty=5, received=5, lead_days=lead)
        seller = self.product.seller_ids.filtered(lambda s: s.partner_id == self.vendor)
        Card = self.env["vendor.scorecard"]
        Card._compute_company(self.company)
        self.assertEqual(seller.delay, 5, "flag off: the vendor's lead time stays")
        self.categ.vendor_learn_lead_times = True
        card = Card._compute_company(self.company).filtered(lambda c: c.categ_id == self.categ)
        self.assertEqual(card.observed_delay, 7)  # 75th percentile of 4, 6, 8
        self.assertEqual(seller.delay, 7)
        self.assertTrue(
            self.env["pos.ai.audit.log"].search_count([("action", "=", "vendor_lead_time_learned")])
        )

    def test_late_vendor_is_flagged_with_alternates(self):
        for lead in (9, 10, 12):
            self.received_line(qty=10, received=6, lead_days=lead)
        other = self.env["res.partner"].create({"name": "Backup Apparel"})
        self.add_seller(other, price=31)
        card = (
            self.env["vendor.scorecard"]
            ._compute_company(self.company)
            .filtered(lambda c: c.partner_id == self.vendor and not c.categ_id)
        )
        self.assertTrue(card.at_risk)
        self.assertEqual(card.on_time_rate, 0.0)
        self.assertIn(other, card.alternate_ids)


@tagged("post_install", "-at_install")
class TestCarrierWebhook(VendorCommsCase, HttpCase):
    SECRET = "carrier-secret"

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "vendor_comms_ai.tracking_secret", self.SECRET
        )
        self.order = self.make_order("auto")
        self.order.button_confirm()
        self.tracking = self.env["vendor.shipment.tracking"].create(
            {"order_id": self.order.id, "carrier": "ups", "tracking_number": "1Z999AA10123456784"}
        )

    def post(self, payload, secret=SECRET, tamper=False):
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        if tamper:
            body = body.replace(b"in_transit", b"delivered")
        return self.url_open("/vendor_comms_ai/tracking", data=body, headers=headers)

    def test_signed_event_moves_the_receipt(self):
        eta = fields.Date.today() + timedelta(days=4)
        payload = {
            "tracking_number": "1Z999AA10123456784",
            "carrier": "UPS",
            "status": "in_transit",
            "estimated_delivery": eta.isoformat(),
            "event_time": "2026-11-27T10:00:00Z",
        }
        response = self.post(payload)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.tracking.status, "in_transit")
        self.assertEqual(self.tracking.eta, eta)
        self.assertEqual(self.order.picking_ids.scheduled_date.date(), eta)
        self.assertIn("1Z999AA10123456784", self.order.message_ids[0].body)

    def test_bad_signature_unknown_number_and_garbage_change_nothing(self):
        before = self.order.picking_ids.scheduled_date
        payload = {"tracking_number": "1Z999AA10123456784", "status": "in_transit"}
        self.assertEqual(self.post(payload, tamper=True).status_code, 401)
        self.assertEqual(self.post(payload, secret="wrong").status_code, 401)
        self.assertEqual(
            self.post({"tracking_number": "1ZUNKNOWN", "status": "x"}).status_code, 404
        )
        response = self.url_open(
            "/vendor_comms_ai/tracking",
            data=b"not json",
            headers={SIGNATURE_HEADER: sign(self.SECRET, b"not json")},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.tracking.status, "announced")
        self.assertEqual(self.order.picking_ids.scheduled_date, before)


@tagged("post_install", "-at_install")
class TestVendorScreens(ReceiptsMixin, VendorCommsCase, HttpCase):
    def test_scorecards_shipments_and_the_vendor_tab_render(self):
        order = self.received_line(qty=10, received=8, lead_days=6)
        self.env["vendor.shipment.tracking"].create(
            {"order_id": order.id, "carrier": "ups", "tracking_number": "1Z999AA10123456784"}
        )
        card = self.env["vendor.scorecard"]._compute_company(self.company)[:1]
        for path in (
            "vendor_comms_ai.vendor_scorecard_action?view_type=list",
            f"vendor_comms_ai.vendor_scorecard_action/{card.id}",
            "vendor_comms_ai.vendor_shipment_tracking_action?view_type=list",
            f"purchase.purchase_form_action/{order.id}",
        ):
            with self.subTest(path=path):
                self.start_tour(
                    f"/odoo/action-{path}", "pos_ai_replenishment_view_loads", login="admin"
                )
