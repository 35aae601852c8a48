# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import importlib.util
import sys
from datetime import datetime
from pathlib import Path

from odoo import Command
from odoo.tests import TransactionCase

# the engine tests' reply corpus and local chat-completions server, by path
ENGINE_TESTS = Path(__file__).resolve().parents[2] / "tests" / "engine" / "vendor"


def engine_test_module(name):
    """Load ``tests/engine/vendor/<name>.py`` (the corpus, the fake LLM server)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ENGINE_TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class VendorCommsCase(TransactionCase):
    """A vendor with a valid US phone, a warehouse, a product with a vendor price,
    and helpers to build AI purchase orders in a given phase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.po_double_validation = "one_step"
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.buyer = cls.env["res.users"].create(
            {
                "name": "Vendor Comms Buyer",
                "login": "vc_buyer",
                "email": "buyer@retailer.example",
                "groups_id": [Command.link(cls.env.ref("purchase.group_purchase_user").id)],
            }
        )
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Pacific Outfitters",
                "email": "orders@pacific-outfitters.example",
                "phone": "(650) 253-0000",
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.categ = cls.env["product.category"].create({"name": "Vendor Comms Goods"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Trail Jacket",
                "default_code": "TRJ-220",
                "is_storable": True,
                "categ_id": cls.categ.id,
                "seller_ids": [
                    Command.create({"partner_id": cls.vendor.id, "price": 30.0, "delay": 5})
                ],
            }
        )
        cls.Mail = cls.env["mail.mail"]

    def add_seller(self, vendor, price, delay=1):
        return self.env["product.supplierinfo"].create(
            {
                "partner_id": vendor.id,
                "product_tmpl_id": self.product.product_tmpl_id.id,
                "price": price,
                "delay": delay,
            }
        )

    def make_order(self, phase="auto", vendor=None, product=None, qty=10, date_order=None):
        """An AI-drafted RFQ whose line comes from a proposal in ``phase``."""
        vendor = vendor or self.vendor
        product = product or self.product
        proposal = self.env["pos.replenishment.proposal"].create(
            {
                "company_id": self.company.id,
                "product_id": product.id,
                "warehouse_id": self.warehouse.id,
                "phase": phase,
                "state": "drafted",
                "partner_id": vendor.id,
                "quantity": qty,
            }
        )
        values = {
            "partner_id": vendor.id,
            "ai_generated": True,
            "user_id": self.buyer.id,
            "picking_type_id": self.warehouse.in_type_id.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_qty": qty,
                        "price_unit": 30.0,
                        "ai_proposal_id": proposal.id,
                    }
                )
            ],
        }
        if date_order:
            values["date_order"] = date_order
        return self.env["purchase.order"].create(values)

    def vendor_mails(self, order):
        return self.Mail.search(
            [
                ("model", "=", "purchase.order"),
                ("res_id", "=", order.id),
                ("recipient_ids", "in", order.partner_id.ids),
            ]
        )

    def thread_message_id(self, order):
        """The Message-ID of the last email sent on the order's thread."""
        message = order.message_ids.filtered(lambda m: m.message_type in ("comment", "email"))
        return message.sorted("id")[-1].message_id

    def sent_order(self, date_order=datetime(2026, 3, 2, 9, 0)):
        order = self.make_order(date_order=date_order)
        order.button_confirm()
        self.assertEqual(order.vendor_status, "sent")
        return order
