# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import ShopifyCase, fixture, load_repo_module


@tagged("post_install", "-at_install")
class TestShopifyBackfill(ShopifyCase):
    """Order history over a real local HTTP server speaking the Admin API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake_api = load_repo_module("fake_admin_api", "tests/engine/shopify/fake_admin_api.py")
        cls.fixtures = load_repo_module(
            "shopify_fixtures", "tests/engine/shopify/shopify_fixtures.py"
        )

    def test_backfill_with_a_throttle_and_a_5xx_imports_every_order_once_and_resumes(self):
        orders = self.fixtures.make_orders(12, pos_every=0)
        with self.fake_api.FakeShopify(orders=orders) as shop:
            shop.add_fault("GET", "orders.json", 2, 429, headers={"Retry-After": "0.2"})
            # requests: 1 page one, 2 -> 429, 3 page two (stop), 4 -> 401 (token
            # revoked), 5 -> 503 on resuming, 6 page three
            shop.add_fault("GET", "orders.json", 5, 503, body={"errors": "Service Unavailable"})
            self.source.shopify_api_url = shop.base_url
            # first run interrupted after two pages of five
            stored = self.source.with_context(shopify_page_limit=5)._shopify_sync_orders(
                max_pages=2
            )
            self.assertTrue(self.source.shopify_order_cursor, "the cursor is kept")
            self.assertFalse(self.source.shopify_orders_synced_until)
            # the token expires: nothing is lost, the cursor stays, the error shows
            shop.revoke_token()
            self.assertEqual(self.source._shopify_sync_orders(), 0)
            self.assertIn("Invalid API key", self.source.shopify_last_error)
            self.assertTrue(self.source.shopify_order_cursor)
            shop.token = "shpat_valid_token"
            stored += self.source.with_context(shopify_page_limit=5)._shopify_sync_orders()
            self.assertFalse(self.source.shopify_order_cursor)
            self.assertTrue(self.source.shopify_orders_synced_until)
            # the next sync asks only for orders updated since (with an overlap);
            # what comes back again is already stored and counts nothing
            self.assertEqual(self.source._shopify_sync_orders(), 0)
            last = shop.requests_to("orders.json")[-1]
            self.assertIn("updated_at_min", last.params)
            requests = len(shop.requests_to("orders.json"))
        self.assertEqual(stored, 12)
        self.assertEqual(requests, 7)
        self.drain()
        events = self.Inbox.search([("source_id", "=", self.source.id)])
        self.assertEqual(set(events.mapped("state")), {"done"})
        signals = events.signal_ids
        # each order: three sale lines, two restocked refund lines
        self.assertEqual(len(signals.filtered(lambda s: s.kind == "sale")), 36)
        self.assertEqual(len(signals.filtered(lambda s: s.kind == "return")), 24)
        self.assertEqual(len(set(signals.mapped("source_line_id"))), 60)

    def test_locations_webhooks_and_inventory_levels_through_the_admin_api(self):
        locations = fixture("rest2024-04_locations_list.json")["locations"]
        levels = fixture("rest2024-04_inventory_levels_list.json")["inventory_levels"]
        # inventory item 49148385 is IPOD2008RED's (as products/update would map it)
        self.env["pos.product.mapping"].create(
            {
                "source_id": self.source.id,
                "variant_ref": "inventory_item:49148385",
                "product_id": self.products["IPOD2008RED"].id,
            }
        )
        with self.fake_api.FakeShopify(locations=locations, inventory_levels=levels) as shop:
            self.source.shopify_api_url = shop.base_url
            self.source.action_shopify_test_connection()
            self.source.action_shopify_import_locations()
            imported = self.source.location_map_ids
            self.assertEqual(
                set(imported.mapped("external_location")), {str(loc["id"]) for loc in locations}
            )
            self.assertEqual(imported.warehouse_id, self.warehouse)
            self.source.action_shopify_import_locations()  # idempotent
            self.assertEqual(len(self.source.location_map_ids), len(locations))

            self.source.shopify_topics = "orders/create,refunds/create"
            self.source.action_shopify_register_webhooks()
            self.source.action_shopify_register_webhooks()  # already there: nothing new
            self.assertEqual(len(shop.webhooks), 2)
            self.assertEqual(
                {w["address"] for w in shop.webhooks}, {self.source.shopify_webhook_url}
            )
            self.assertIn("orders/create: subscribed", self.source.shopify_webhook_state)

            self.assertEqual(self.source._shopify_sync_inventory(), 1)
        self.drain()
        row = self.Daily.search(
            [("product_id", "=", self.products["IPOD2008RED"].id), ("date", "=", "2024-04-02")]
        )
        self.assertEqual(row.last_count_qty, 2)
        unmatched = self.env["pos.unmatched.sku"].search([("source_id", "=", self.source.id)])
        self.assertEqual(len(unmatched), 3, "the other inventory items wait for their mapping")
