# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import json
from urllib.parse import urlencode

from odoo import Command
from odoo.tests import HttpCase, tagged

from ..lightspeed_engine.xseries import sign
from .common import CLIENT_SECRET, FIXTURES, LightspeedCommon, fixture

URL = "/pos_connector_lightspeed/webhook/ls-x-hook"
REGISTER = "0624dbcd-ef13-11e6-e986-ed89e1aa6310"
BALM = "0624dbcd-ef13-11e6-e986-fcc1c366e772"  # product.update: sku 10107
OUTLET = "0924dbcd-ef11-11e9-e989-ed89c9e5529a"  # inventory.update


@tagged("post_install", "-at_install")
class TestXSeriesWebhooks(LightspeedCommon, HttpCase):
    """X-Series deliveries over real HTTP, built from the shared fixtures the
    way Lightspeed sends them (form-encoded, JSON in ``payload``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not FIXTURES.is_dir():
            cls.skipTest(cls, f"shared Lightspeed fixtures not found at {FIXTURES}")
        cls.setup_lightspeed()
        cls.balm = cls.env["product.product"].create(
            {"name": "Post Shave Balm", "default_code": "10107", "is_storable": True}
        )
        cls.source = cls.make_source(
            kind="lightspeed_x",
            code="ls-x-hook",
            signing_secret=False,
            location_map_ids=[
                Command.create({"external_location": REGISTER, "warehouse_id": cls.warehouse.id}),
                Command.create({"external_location": OUTLET, "warehouse_id": cls.warehouse.id}),
            ],
        )

    def body(self, webhook_type, payload):
        return urlencode(
            {
                "payload": json.dumps(payload),
                "type": webhook_type,
                "domain_prefix": "teststore",
                "environment": "prod",
            }
        ).encode()

    def deliver(self, body, *, secret=CLIENT_SECRET, signature=None, signed=True, url=URL):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Signature"] = (
                f"signature={signature or sign(secret, body)},algorithm=HMAC-SHA256"
            )
        return self.opener.post(self.base_url() + url, data=body, headers=headers, timeout=30)

    def written(self):
        return (
            self.Inbox.search_count([("source_id", "=", self.source.id)]),
            self.env["ir.cron.trigger"].search_count([]),
        )

    def sale(self, status="CLOSED"):
        sale = copy.deepcopy(fixture("xseries_webhook_sale.update.payload.json"))
        sale["status"] = status
        return sale

    def balm_day(self):
        return self.day(self.balm, "2017-12-05")  # 04:30 UTC is the 5th in New York

    def test_sale_then_void_become_signals_once(self):
        product = fixture("xseries_webhook_product.update.payload.json")
        response = self.deliver(self.body("product.update", product))
        self.assertEqual(response.status_code, 200, response.text)
        body = self.body("sale.update", self.sale())
        response = self.deliver(body)
        self.assertEqual(response.json()["status"], "accepted")
        event = self.Inbox.search(
            [("source_id", "=", self.source.id), ("topic", "=", "sale.update")]
        )
        self.assertIn("X-Signature", json.loads(event.headers))
        self.assertEqual(event.body, body.decode(), "stored raw, as received")
        # a redelivery is acknowledged and stored once
        self.assertEqual(self.deliver(body).json()["status"], "duplicate")
        self.drain()
        self.assertEqual(event.state, "done")
        mapping_only = self.Inbox.search(
            [("source_id", "=", self.source.id), ("topic", "=", "product.update")]
        )
        self.assertEqual(mapping_only.state, "ignored")
        self.assertIn("No demand in this event", mapping_only.error)
        self.assertEqual(self.balm_day(), (1, 0, 1))
        mapped = event.signal_ids.filtered(lambda s: s.variant_ref == BALM)
        self.assertEqual((mapped.product_id, mapped.warehouse_id), (self.balm, self.warehouse))
        self.assertEqual(len(event.signal_ids), 2)  # the other product waits for its mapping
        # the same sale saved again (another version) counts nothing twice
        again = self.sale()
        again["version"] += 1
        self.deliver(self.body("sale.update", again))
        # then voided: reversed on the sale's own business date
        self.deliver(self.body("sale.update", self.sale("VOIDED")))
        self.drain()
        states = self.Inbox.search([("source_id", "=", self.source.id)]).mapped("state")
        self.assertEqual(sorted(states), ["done", "done", "ignored", "ignored"])
        self.assertEqual(self.balm_day(), (0, 0, 0))

    def test_inventory_update_becomes_a_count_even_negative(self):
        record = fixture("xseries_webhook_inventory.update.payload.json")
        self.deliver(self.body("inventory.update", record))
        negative = dict(record, count=-3, version=record["version"] + 1)
        self.deliver(self.body("inventory.update", negative))
        self.drain()
        counts = self.Signal.search(
            [("source_id", "=", self.source.id), ("kind", "=", "inventory")], order="id"
        )
        self.assertEqual(counts.mapped("quantity"), [10.0, -3.0])
        self.assertEqual(counts.product_id, self.balm)

    def test_invalid_signatures_and_unsigned_deliveries_write_nothing(self):
        before = self.written()
        body = self.body("sale.update", self.sale())
        self.assertEqual(self.deliver(body, secret="wrong-secret").status_code, 401)
        tampered = body.replace(b"CLOSED", b"VOIDED")
        response = self.deliver(tampered, signature=sign(CLIENT_SECRET, body))
        self.assertEqual(response.status_code, 401)
        response = self.deliver(body, signed=False)
        self.assertEqual(response.status_code, 401)
        self.assertIn("missing X-Signature", response.json()["error"])
        bad_algo = self.opener.post(
            self.base_url() + URL,
            data=body,
            headers={"X-Signature": f"signature={sign(CLIENT_SECRET, body)},algorithm=HMAC-SHA1"},
            timeout=30,
        )
        self.assertEqual(bad_algo.status_code, 401)
        self.assertEqual(self.written(), before)

    def test_unsigned_deliveries_only_where_allowed_and_a_wrong_signature_never(self):
        self.source.ls_allow_unsigned = True
        body = self.body("sale.update", self.sale())
        before = self.written()
        self.assertEqual(self.deliver(body, secret="wrong-secret").status_code, 401)
        self.assertEqual(self.written(), before)
        response = self.deliver(body, signed=False)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "accepted")

    def test_malformed_bodies_get_400_and_wrong_routes_404(self):
        before = self.written()
        no_payload = urlencode({"type": "sale.update"}).encode()
        self.assertEqual(self.deliver(no_payload).status_code, 400)
        not_json = urlencode({"type": "sale.update", "payload": "{oops"}).encode()
        self.assertEqual(self.deliver(not_json).status_code, 400)
        body = self.body("sale.update", self.sale())
        self.assertEqual(self.deliver(body, url=URL + "-unknown").status_code, 404)
        generic = "/pos_ai_replenishment/intake/ls-x-hook"
        self.assertEqual(self.deliver(body, url=generic).status_code, 404)
        self.assertEqual(self.written(), before)

    def test_a_bad_payload_in_the_inbox_fails_clearly_and_loses_nothing(self):
        sale = self.sale()
        del sale["sale_date"]
        del sale["updated_at"]
        body = self.body("sale.update", sale)
        self.assertEqual(self.deliver(body).status_code, 200)
        self.drain()
        event = self.Inbox.search([("source_id", "=", self.source.id)])
        self.assertEqual(event.state, "failed")
        self.assertIn("has no sale_date", event.error)
        self.assertEqual(event.body, body.decode())
