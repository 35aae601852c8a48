# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from email.utils import formatdate

from odoo import Command
from odoo.tests import tagged

from .common import LightspeedCase

OUTLET = "outlet-1"


def x_sale(sale_id, version, lines, status="CLOSED"):
    return {
        "id": sale_id,
        "outlet_id": OUTLET,
        "register_id": "register-1",
        "status": status,
        "sale_date": "2026-03-02T15:00:00Z",
        "updated_at": "2026-03-02T15:05:00Z",
        "version": version,
        "line_items": [
            {"id": f"{sale_id}-{n}", "product_id": product, "quantity": qty, "price": 2.0}
            for n, (product, qty) in enumerate(lines)
        ],
    }


@tagged("post_install", "-at_install")
class TestXSeriesBackfill(LightspeedCase):
    """X-Series REST 2.0 backfill with version cursors against the real
    local server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sleeps = []
        cls.source = cls.make_source(
            kind="lightspeed_x",
            code="ls-x-backfill",
            location_map_ids=[
                Command.create({"external_location": OUTLET, "warehouse_id": cls.warehouse.id})
            ],
        ).with_context(ls_client_options={"sleep": cls.sleeps.append})
        for ref, sku in (("p-cola", "LS-COLA"), ("p-chips", "LS-CHIPS")):
            cls.env["pos.product.mapping"].create(
                {"source_id": cls.source.id, "variant_ref": ref, "product_id": cls.products[sku].id}
            )

    def setUp(self):
        super().setUp()
        self.sleeps.clear()
        self.x_sales = [
            x_sale("s-1", 100, [("p-cola", 2), ("p-chips", 1)]),
            x_sale("s-2", 110, [("p-cola", -1)]),  # a return
            x_sale("s-3", 120, [("p-chips", 5)], status="VOIDED"),
            x_sale("s-4", 130, [("p-cola", 7)], status="SAVED"),  # parked: not counted
        ]
        self.fake = self.fake_mod.FakeLightspeed(
            x_sales=self.x_sales,
            x_inventory=[
                {
                    "id": "i-1",
                    "product_id": "p-cola",
                    "outlet_id": OUTLET,
                    "inventory_level": 4,
                    "version": 500,
                },
                {
                    "id": "i-2",
                    "product_id": "p-chips",
                    "outlet_id": OUTLET,
                    "inventory_level": -2,
                    "version": 510,
                },
            ],  # fmt: skip
            x_suppliers=[
                {
                    "id": "sup-1",
                    "name": "Harrys",
                    "version": 10,
                    "contact": {"email": "orders@harrys.example", "phone": "+64 9 379 0000"},
                },
            ],
        )
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        self.point_at(self.source, self.fake, kind="x")

    def test_backfill_twice_imports_everything_once_with_version_cursors(self):
        source = self.source.with_context(ls_page_limit=2)
        counts = source._ls_sync()
        self.assertEqual(counts, {"sales": 4, "inventory": 2, "suppliers": 1})
        self.assertEqual((source.ls_sale_cursor, source.ls_inventory_cursor), ("130", "510"))
        afters = [r.params["after"] for r in self.fake.requests_to("/api/2.0/sales")]
        self.assertEqual(afters, ["0", "110", "130"])
        self.drain()
        cola, chips = self.products["LS-COLA"], self.products["LS-CHIPS"]
        self.assertEqual(self.day(cola, "2026-03-02"), (2, 1, 1))
        self.assertEqual(self.day(chips, "2026-03-02"), (1, 0, 1))
        inventory = self.Signal.search(
            [("source_id", "=", source.id), ("kind", "=", "inventory")], order="quantity"
        )
        self.assertEqual(inventory.mapped("quantity"), [-2.0, 4.0])
        supplier = self.env["res.partner"].search([("ls_source_id", "=", source.id)])
        self.assertEqual((supplier.name, supplier.ls_supplier_ref), ("Harrys", "sup-1"))
        self.assertEqual(supplier.phone, "+6493790000")
        self.assertFalse(supplier.ls_phone_invalid)
        # the second run asks only for what is newer and stores nothing
        events = self.Inbox.search_count([("source_id", "=", source.id)])
        self.assertEqual(source._ls_sync(), {"sales": 0, "inventory": 0, "suppliers": 1})
        self.assertEqual(self.fake.requests_to("/api/2.0/sales")[-1].params["after"], "130")
        self.assertEqual(self.Inbox.search_count([("source_id", "=", source.id)]), events)
        # s-1 is voided later (a new version): reversed once
        self.x_sales[0].update(status="VOIDED", version=140)
        self.assertEqual(source._ls_sync()["sales"], 1)
        self.drain()
        self.assertEqual(self.day(cola, "2026-03-02"), (0, 1, -1))
        self.assertEqual(self.day(chips, "2026-03-02"), (0, 0, 0))

    def test_429_with_an_http_date_waits_until_then(self):
        retry_at = formatdate(__import__("time").time() + 30, usegmt=True)
        self.fake.add_fault("GET", "/api/2.0/sales", 1, 429, headers={"Retry-After": retry_at})
        self.assertEqual(self.source._ls_sync()["sales"], 4)
        self.assertEqual(len(self.sleeps), 1)
        self.assertAlmostEqual(self.sleeps[0], 30, delta=2)
