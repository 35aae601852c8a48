# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import LightspeedCase

ORDER_PATH = "/API/V3/Account/120645/Order.json"
LINE_PATH = "/API/V3/Account/120645/OrderLine.json"
PUSH_CRON = "pos_connector_lightspeed.ir_cron_ls_push_orders"


@tagged("post_install", "-at_install")
class TestPushBack(LightspeedCase):
    """A confirmed AI order becomes exactly one Lightspeed order, from the
    push cron, even when Lightspeed answers too late."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.po_double_validation = "one_step"
        cls.r_source = cls.make_source(
            location_map_ids=[
                Command.create(
                    {"external_location": "1", "name": "Main", "warehouse_id": cls.warehouse.id}
                )
            ]
        )
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Byron Fuels",
                "is_company": True,
                "supplier_rank": 1,
                "ls_source_id": cls.r_source.id,
                "ls_supplier_ref": "73",
            }
        )
        Mapping = cls.env["pos.product.mapping"]
        for ref, sku in (("10", "LS-COLA"), ("20", "LS-CHIPS")):
            Mapping.create(
                {
                    "source_id": cls.r_source.id,
                    "variant_ref": ref,
                    "product_id": cls.products[sku].id,
                }
            )
        cls.PO = cls.env["purchase.order"]

    def setUp(self):
        super().setUp()
        self.fake = self.fake_mod.FakeLightspeed()
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        self.point_at(self.r_source, self.fake)

    def ai_order(self, vendor=None, ai=True):
        order = self.PO.create(
            {
                "partner_id": (vendor or self.vendor).id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.products["LS-COLA"].id,
                            "product_qty": 12,
                            "price_unit": 1.5,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": self.products["LS-CHIPS"].id,
                            "product_qty": 4,
                            "price_unit": 2,
                        }
                    ),
                ],
            }
        )
        order.ai_generated = ai
        return order

    def confirm(self, order):
        order.button_confirm()
        if order.state == "to approve":
            order.button_approve()
        self.assertEqual(order.state, "purchase")

    def run_push(self, **options):
        return self.PO.with_context(
            ls_client_options={"sleep": lambda s: None, **options}
        )._cron_ls_push_orders()

    def triggers(self):
        cron = self.env.ref(PUSH_CRON)
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def test_confirmation_queues_the_push_and_the_cron_creates_one_order_despite_a_timeout(self):
        order = self.ai_order()
        before = self.triggers()
        self.confirm(order)
        # nothing sent from the user's transaction: queued, cron triggered
        self.assertEqual(order.ls_push_state, "to_push")
        self.assertEqual(order.ls_source_id, self.r_source)
        self.assertEqual(self.triggers(), before + 1)
        self.assertFalse(self.fake.requests)
        # Lightspeed applies the order but answers after the client gave up
        self.fake.add_fault("POST", ORDER_PATH, 1, delay=1.5)
        self.assertEqual(self.run_push(timeout=0.5), 1)
        self.assertEqual(len(self.fake.orders), 1)
        self.assertEqual(len(self.fake.requests_to(ORDER_PATH, "POST")), 1)
        (ls_order,) = self.fake.orders
        self.assertEqual(ls_order["vendorID"], "73")
        self.assertEqual(ls_order["shopID"], "1")
        self.assertIn(f"odoo-ref:{order.name}", ls_order["Note"]["note"])
        lines = {row["itemID"]: row["quantity"] for row in ls_order["OrderLines"]["OrderLine"]}
        self.assertEqual(lines, {"10": "12", "20": "4"})
        self.assertEqual(order.ls_push_state, "pushed")
        self.assertEqual(order.ls_order_ref, ls_order["orderID"])
        self.assertEqual(order.ls_push_attempts, 1)
        self.assertIn(ls_order["orderID"], order.message_ids[:1].body)
        # the cron again, or a confirmation written again: nothing more
        self.assertEqual(self.run_push(), 0)
        order.write({"state": "purchase"})
        self.assertEqual(order.ls_push_state, "pushed")
        self.assertEqual(len(self.fake.orders), 1)

    def test_a_run_that_fails_after_the_order_was_applied_is_retried_without_a_second_order(self):
        order = self.ai_order()
        self.confirm(order)
        # run 1: the order is applied, the answer is late and the lookup fails
        self.fake.add_fault("POST", ORDER_PATH, 1, delay=1.5)
        self.fake.add_fault("GET", ORDER_PATH, 2, 503, body={"message": "down"})
        self.run_push(timeout=0.5, max_attempts=1)
        self.assertEqual(order.ls_push_state, "to_push")
        self.assertEqual(order.ls_push_attempts, 1)
        self.assertIn("503", order.ls_push_error)
        self.assertTrue(order.ls_next_push_at)
        self.assertEqual(len(self.fake.orders), 1)
        self.assertFalse(self.fake.orders[0].get("OrderLines"))
        # run 2 (once the back-off is over): finds the order, adds its lines
        order.ls_next_push_at = False
        self.run_push()
        self.assertEqual(order.ls_push_state, "pushed")
        self.assertEqual(len(self.fake.orders), 1)
        self.assertEqual(len(self.fake.requests_to(ORDER_PATH, "POST")), 1)
        self.assertEqual(len(self.fake.orders[0]["OrderLines"]["OrderLine"]), 2)
        self.assertEqual(order.ls_order_ref, self.fake.orders[0]["orderID"])
        self.assertIn("found", order.message_ids[:1].body)

    def test_configuration_errors_fail_clearly_and_can_be_retried(self):
        stranger = self.env["res.partner"].create({"name": "Not In Lightspeed"})
        order = self.ai_order(vendor=stranger)
        self.confirm(order)
        self.run_push()
        self.assertEqual(order.ls_push_state, "failed")
        self.assertIn("not a vendor imported from", order.ls_push_error)
        self.assertFalse(self.fake.orders)
        # linked now: the retry button queues it again
        stranger.write({"ls_source_id": self.r_source.id, "ls_supplier_ref": "99"})
        order.action_ls_push_retry()
        self.assertEqual(order.ls_push_state, "to_push")
        self.run_push()
        self.assertEqual(order.ls_push_state, "pushed")
        self.assertEqual(self.fake.orders[0]["vendorID"], "99")

    def test_a_purchase_manager_without_replenishment_rights_confirms_and_queues(self):
        buyer = new_test_user(
            self.env, "ls_buyer", groups="base.group_user,purchase.group_purchase_manager"
        )
        order = self.ai_order()
        order.with_user(buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.ls_push_state, "to_push")
        self.assertFalse(self.fake.requests, "nothing is sent from the user's transaction")
        self.run_push()
        self.assertEqual(order.ls_push_state, "pushed")

    def test_orders_not_drafted_by_ai_or_for_unmapped_warehouses_are_not_pushed(self):
        manual = self.ai_order(ai=False)
        self.confirm(manual)
        self.assertFalse(manual.ls_push_state)
        other = self.env["stock.warehouse"].create({"name": "Elsewhere", "code": "ELS"})
        order = self.ai_order()
        order.picking_type_id = other.in_type_id
        self.confirm(order)
        self.assertFalse(order.ls_push_state)
        self.assertEqual(self.run_push(), 0)

    def test_x_series_confirmation_creates_one_supplier_consignment(self):
        x_source = self.make_source(
            kind="lightspeed_x",
            code="ls-x-push",
            location_map_ids=[
                Command.create({"external_location": "outlet-1", "warehouse_id": self.warehouse.id})
            ],
        )
        self.r_source.ls_push_orders = False
        self.point_at(x_source, self.fake, kind="x")
        self.vendor.write({"ls_source_id": x_source.id, "ls_supplier_ref": "sup-1"})
        for ref, sku in (("prod-cola", "LS-COLA"), ("prod-chips", "LS-CHIPS")):
            self.env["pos.product.mapping"].create(
                {"source_id": x_source.id, "variant_ref": ref, "product_id": self.products[sku].id}
            )
        order = self.ai_order()
        self.confirm(order)
        self.assertEqual(order.ls_source_id, x_source)
        self.fake.add_fault("POST", "/api/2.0/consignments", 1, delay=1.5)
        self.run_push(timeout=0.5)
        self.assertEqual(order.ls_push_state, "pushed")
        (consignment,) = self.fake.consignments
        self.assertEqual(
            (consignment["reference"], consignment["supplier_id"], consignment["outlet_id"]),
            (order.name, "sup-1", "outlet-1"),
        )
        self.assertEqual(order.ls_order_ref, consignment["id"])
        products = self.fake.consignment_products[consignment["id"]]
        self.assertEqual(
            {p["product_id"]: p["count"] for p in products}, {"prod-cola": 12, "prod-chips": 4}
        )
