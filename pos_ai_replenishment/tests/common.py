# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import TransactionCase

SECRET = "test-signing-secret"
DAILY_FIELDS = [
    "product_id",
    "warehouse_id",
    "date",
    "qty_sold",
    "qty_returned",
    "qty_net",
    "revenue",
    "transactions",
    "stockout",
    "last_count_qty",
]


class PosReplenishmentCommon:
    """Fixtures shared by the Odoo tests: two stores, a few products and one
    generic POS source in New York time."""

    @classmethod
    def setup_pos_fixtures(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency_code = cls.company.currency_id.name
        Warehouse = cls.env["stock.warehouse"]
        cls.warehouse = Warehouse.create({"name": "Test Store A", "code": "TSA"})
        cls.warehouse_b = Warehouse.create({"name": "Test Store B", "code": "TSB"})
        Product = cls.env["product.product"]
        cls.cola = Product.create(
            {
                "name": "Test Cola",
                "default_code": "T-COLA",
                "barcode": "9990000000011",
                "is_storable": True,
                "list_price": 2.0,
            }
        )
        cls.chips = Product.create(
            {
                "name": "Test Chips",
                "default_code": "T-CHIPS",
                "barcode": "9990000000028",
                "is_storable": True,
                "list_price": 3.0,
            }
        )
        cls.source = cls.env["pos.source"].create(
            {
                "name": "Test POS",
                "code": "test-pos",
                "tz": "America/New_York",
                "currency_id": cls.company.currency_id.id,
                "warehouse_id": cls.warehouse.id,
                "signing_secret": SECRET,
                "location_map_ids": [
                    (0, 0, {"external_location": "store-b", "warehouse_id": cls.warehouse_b.id})
                ],
            }
        )
        cls.Inbox = cls.env["pos.inbox.event"]
        cls.Signal = cls.env["pos.demand.signal"]
        cls.Daily = cls.env["pos.demand.daily"]

    def sale(self, event_id, lines, occurred_at="2026-03-01T12:00:00-05:00", **extra):
        body = {
            "event_id": event_id,
            "type": "sale",
            "occurred_at": occurred_at,
            "currency": self.currency_code,
            "lines": lines,
        }
        body.update(extra)
        return body

    def store(self, body, source=None):
        event, _created = self.Inbox._store_incoming(
            source or self.source, body["event_id"], body["type"], json.dumps(body), {}
        )
        return event

    def process(self, limit=1000):
        taken = total = self.Inbox._process_batch(limit)
        while taken:
            taken = self.Inbox._process_batch(limit)
            total += taken
        return total

    def daily(self, product, warehouse=None, day="2026-03-01"):
        return self.Daily.search(
            [
                ("product_id", "=", product.id),
                ("warehouse_id", "=", (warehouse or self.warehouse).id),
                ("date", "=", day),
            ]
        )


class PosReplenishmentCase(PosReplenishmentCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_pos_fixtures()
