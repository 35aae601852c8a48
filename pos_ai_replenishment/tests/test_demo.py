# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """What a new user sees first: the demo catalogue and a year of history."""

    def setUp(self):
        super().setUp()
        self.demo_source = self.env.ref(
            "pos_ai_replenishment.pos_source_demo", raise_if_not_found=False
        )
        if not self.demo_source:
            self.skipTest("database installed without demo data")

    def test_catalogue_stores_and_vendors(self):
        retail = self.env.ref("pos_ai_replenishment.categ_retail")
        products = self.env["product.product"].search([("categ_id", "child_of", retail.id)])
        self.assertEqual(len(products), 50)
        self.assertEqual(len(products.categ_id), 5)
        self.assertTrue(all(p.is_storable and p.default_code and p.barcode for p in products))
        sellers = products.seller_ids
        self.assertEqual(len(sellers.partner_id), 3)
        self.assertTrue(all(s.min_qty > 0 and s.delay > 0 and s.price > 0 for s in sellers))
        self.assertEqual(
            self.demo_source.location_map_ids.warehouse_id,
            self.env.ref("pos_ai_replenishment.warehouse_downtown")
            | self.env.ref("pos_ai_replenishment.warehouse_harbor"),
        )

    def test_a_year_of_seasonal_history_through_the_inbox(self):
        events = self.env["pos.inbox.event"].search([("source_id", "=", self.demo_source.id)])
        self.assertEqual(set(events.mapped("state")), {"done"})
        Daily = self.env["pos.demand.daily"]
        rows = Daily.search([("product_id.default_code", "=like", "OUT-%")])
        self.assertGreater(len(set(rows.mapped("date"))), 300)
        by_month = {}
        for row in rows:
            by_month.setdefault(row.date.month, 0.0)
            by_month[row.date.month] += row.qty_net
        self.assertGreater(
            by_month.get(7, 0), 2 * by_month.get(1, 0), "outdoor goods sell in summer"
        )
        gifts = Daily.search([("product_id.default_code", "=like", "GIF-%")])
        december = sum(r.qty_net for r in gifts if r.date.month == 12)
        june = sum(r.qty_net for r in gifts if r.date.month == 6)
        self.assertGreater(december, 2 * june, "gifts sell in December")
        self.assertTrue(Daily.search_count([("qty_returned", ">", 0)]))

    def test_demo_forecasts_and_ai_reorder_points(self):
        """The demo runs a forecast: every category but Household (off) gets
        forecasts and AI min/max on reordering rules."""
        household = self.env.ref("pos_ai_replenishment.categ_household")
        self.assertEqual(household.replenishment_rollout_effective, "off")
        company = self.env.ref("pos_ai_replenishment.warehouse_downtown").company_id
        run = self.env["pos.forecast.run"].search([("company_id", "=", company.id)], limit=1)
        self.assertEqual(run.state, "done", run.error_log)
        forecasts = self.env["pos.demand.forecast"].search([])
        self.assertEqual(run.series_count, len(forecasts))
        self.assertEqual(len(forecasts), 2 * 40, "40 SKUs outside Household, 2 stores")
        self.assertNotIn(household, forecasts.categ_id)
        rules = forecasts.orderpoint_id
        self.assertEqual(len(rules), len(forecasts.filtered(lambda f: f.status == "ok")))
        self.assertTrue(all(r.ai_managed and r.product_max_qty > r.product_min_qty for r in rules))
        household_rules = self.env["stock.warehouse.orderpoint"].search(
            [("product_id.categ_id", "=", household.id), ("ai_managed", "=", True)]
        )
        self.assertFalse(household_rules)

    def test_demo_suggests_purchases_without_ordering(self):
        proposals = self.env["pos.replenishment.proposal"].search([])
        self.assertTrue(proposals)
        self.assertEqual(set(proposals.mapped("phase")), {"suggest"})
        self.assertEqual(set(proposals.mapped("state")), {"suggested"})
        self.assertTrue(all(p.partner_id and p.quantity > 0 for p in proposals))
        self.assertFalse(self.env["purchase.order"].search([("ai_generated", "=", True)]))
