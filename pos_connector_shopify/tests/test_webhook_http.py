# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import HttpCase, tagged

from .common import SECRET, ShopifyCommon, fixture, shopify_hmac

URL = "/pos_connector_shopify/webhook/shop-test"


@tagged("post_install", "-at_install")
class TestShopifyWebhooks(ShopifyCommon, HttpCase):
    """Shopify deliveries over real HTTP, from the shared fixtures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_shopify()

    def deliver(self, topic, payload, event_id, *, secret=SECRET, url=URL, signature=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Webhook-Id": f"wh-{event_id}",
            "X-Shopify-Shop-Domain": "test-shop.myshopify.com",
            "X-Shopify-Hmac-Sha256": signature or shopify_hmac(body, secret),
        }
        return self.opener.post(self.base_url() + url, data=body, headers=headers, timeout=30)

    def written(self):
        return (
            self.Inbox.search_count([("source_id", "=", self.source.id)]),
            self.env["ir.cron.trigger"].search_count([]),
        )

    def test_known_answer_vector(self):
        self.assertEqual(
            shopify_hmac(b'{"foo": "bar"}', "test_secret_key"),
            "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=",
        )

    def test_order_becomes_signals_and_daily_demand_once(self):
        response = self.deliver("orders/create", self.order(refunds=False), "evt-1")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "accepted")
        event = self.Inbox.browse(response.json()["inbox_id"])
        self.assertEqual(event.topic, "orders/create")
        self.assertIn("X-Shopify-Hmac-Sha256", json.loads(event.headers))
        self.drain()
        self.assertEqual(event.state, "done")
        for sku in ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"):
            self.assertEqual(self.day(sku), (1, 0, 1, 1), sku)
        signal = event.signal_ids[:1]
        self.assertEqual(signal.unit_price, 199.0)
        self.assertEqual(str(signal.date_local), "2008-01-10")
        # a redelivery is acknowledged and stored once; orders/paid re-sends the
        # same line items under another event id and counts nothing twice
        again = self.deliver("orders/create", self.order(refunds=False), "evt-1")
        self.assertEqual(again.json()["status"], "duplicate")
        paid = self.deliver("orders/paid", self.order(refunds=False), "evt-2")
        self.drain()
        self.assertEqual(again.json()["inbox_id"], event.id)
        self.assertEqual(self.Inbox.search_count([("topic", "=", "orders/create")]), 1)
        self.assertEqual(self.Inbox.browse(paid.json()["inbox_id"]).state, "ignored")
        self.assertEqual(self.day("IPOD2008RED"), (1, 0, 1, 1))

    def test_one_change_delivered_with_and_without_the_event_id_is_stored_once(self):
        order = self.order(refunds=False)
        first = self.deliver("orders/updated", order, "evt-a")
        # the same change again: a retry whose event-id header is missing and
        # whose webhook id is new (Shopify gives a webhook id per delivery)
        body = json.dumps(order).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/updated",
            "X-Shopify-Webhook-Id": "wh-retry-without-event-id",
            "X-Shopify-Shop-Domain": "test-shop.myshopify.com",
            "X-Shopify-Hmac-Sha256": shopify_hmac(body),
        }
        retry = self.opener.post(self.base_url() + URL, data=body, headers=headers, timeout=30)
        self.assertEqual(first.json()["status"], "accepted")
        self.assertEqual(retry.json()["status"], "duplicate", retry.text)
        self.assertEqual(retry.json()["inbox_id"], first.json()["inbox_id"])
        # a later version of the order is a new delivery, stored (and counts
        # nothing twice: its lines are the same sales)
        order["updated_at"] = "2008-01-12T10:00:00-05:00"
        later = self.deliver("orders/updated", order, "evt-b")
        self.assertEqual(later.json()["status"], "accepted")
        self.drain()
        self.assertEqual(self.day("IPOD2008RED"), (1, 0, 1, 1))

    def test_shopify_test_orders_are_stored_and_shown_never_counted(self):
        response = self.deliver("orders/create", self.order(test=True), "evt-test")
        self.assertEqual(response.json()["status"], "accepted")
        # the docs' refund example is paid back through Shopify's test gateway
        refund = fixture("rest2024-04_refund_create.json")["refund"]
        refund_response = self.deliver("refunds/create", refund, "evt-test-refund")
        self.drain()
        for reply in (response, refund_response):
            event = self.Inbox.browse(reply.json()["inbox_id"])
            self.assertEqual(event.state, "ignored")
            self.assertIn("Shopify test data", event.error)
            self.assertFalse(event.signal_ids)
        self.assertFalse(
            self.Daily.search([("product_id", "in", [p.id for p in self.products.values()])])
        )

    def test_invalid_signatures_write_nothing(self):
        before = self.written()
        body = json.dumps(self.order()).encode()
        self.assertEqual(
            self.deliver("orders/create", body, "bad-1", secret="wrong").status_code, 401
        )
        tampered = body.replace(b'"quantity": 1', b'"quantity": 9', 1)
        response = self.deliver("orders/create", tampered, "bad-2", signature=shopify_hmac(body))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.written(), before)

    def test_refund_reduces_and_cancellation_reverses_demand(self):
        self.deliver("orders/create", self.order(refunds=False), "o-1")
        self.deliver("refunds/create", fixture("rest2024-04_refund_get.json")["refund"], "r-1")
        self.drain()
        # the refund counts on its own business date, in the store's time zone
        self.assertEqual(self.day("IPOD2008GREEN", "2024-04-02"), (0, 1, -1, 0))
        self.assertEqual(self.day("IPOD2008BLACK", "2024-04-02"), (0, 1, -1, 0))
        self.assertEqual(self.day("IPOD2008GREEN"), (1, 0, 1, 1))
        self.assertEqual(self.day("IPOD2008RED"), (1, 0, 1, 1))
        # the order is then cancelled: the refund already brought GREEN and
        # BLACK back, the cancellation voids RED on the sale's own date; the
        # refund embedded in the order body is the same refund, counted once
        cancelled = self.order(cancelled_at="2008-01-11T09:00:00-05:00", cancel_reason="customer")
        cancel = self.deliver("orders/cancelled", cancelled, "c-1")
        self.drain()
        self.assertEqual(self.Inbox.browse(cancel.json()["inbox_id"]).state, "done")
        self.assertEqual(self.day("IPOD2008RED"), (0, 0, 0, 0))
        self.assertEqual(self.day("IPOD2008GREEN"), (1, 0, 1, 1))
        self.assertEqual(self.day("IPOD2008GREEN", "2024-04-02"), (0, 1, -1, 0))

    def test_inventory_levels_become_counts_through_the_variant_mapping(self):
        product = fixture("sdkfixture_product.json")["product"]
        for variant in product["variants"]:
            if variant["sku"] == "IPOD2008RED":
                variant["inventory_item_id"] = 808950810
        self.source.location_map_ids = [
            (0, 0, {"external_location": "905684977", "warehouse_id": self.warehouse.id})
        ]
        self.deliver("products/update", product, "p-1")
        level = fixture("sdkfixture_inventory_level.json")["inventory_level"]
        self.deliver("inventory_levels/update", level, "i-1")
        untracked = self.deliver("inventory_levels/update", dict(level, available=None), "i-2")
        self.drain()
        mapping = self.env["pos.product.mapping"].search(
            [("source_id", "=", self.source.id), ("variant_ref", "=", "inventory_item:808950810")]
        )
        self.assertEqual(mapping.product_id, self.products["IPOD2008RED"])
        row = self.Daily.search(
            [("product_id", "=", self.products["IPOD2008RED"].id), ("date", "=", "2018-05-07")]
        )
        self.assertEqual((row.last_count_qty, row.stockout), (6, False))
        self.assertEqual(self.Inbox.browse(untracked.json()["inbox_id"]).state, "ignored")

    def test_malformed_body_and_missing_headers_get_400_and_wrong_routes_404(self):
        before = self.written()
        self.assertEqual(self.deliver("orders/create", b"{not json", "m-1").status_code, 400)
        self.assertEqual(self.deliver("", self.order(), "m-2").status_code, 400)
        generic = "/pos_ai_replenishment/intake/shop-test"
        self.assertEqual(
            self.deliver("orders/create", self.order(), "m-3", url=generic).status_code, 404
        )
        self.assertEqual(self.written(), before)
