# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared Shopify fixtures, read by path from ``../shared/fixtures/pos/shopify``
beside the repository (never copied into it)."""

import base64
import copy
import hashlib
import hmac
import importlib.util
import json
import sys
from pathlib import Path

from odoo.tests import TransactionCase

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "pos" / "shopify"
SECRET = "shpss_test_client_secret"
SKUS = ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK", "IPOD2008PINK")


def fixture(name):
    path = FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"shared Shopify fixture {path} is missing")
    return json.loads(path.read_bytes())


def load_repo_module(name, relative):
    """A plain-Python test helper of the engine tier (the fake Admin API)."""
    spec = importlib.util.spec_from_file_location(name, REPO / relative)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def shopify_hmac(body, secret=SECRET):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ShopifyCommon:
    @classmethod
    def setup_shopify(cls):
        if not FIXTURES.is_dir():
            cls.skipTest(cls, f"shared Shopify fixtures not found at {FIXTURES}")
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = cls.env["stock.warehouse"].create({"name": "Shopify Store", "code": "SHP"})
        cls.products = {
            sku: cls.env["product.product"].create(
                {"name": sku, "default_code": sku, "is_storable": True}
            )
            for sku in SKUS
        }
        cls.source = cls.env["pos.source"].create(
            {
                "name": "Test Shopify",
                "code": "shop-test",
                "kind": "shopify",
                "shopify_shop_domain": "test-shop.myshopify.com",
                "shopify_access_token": "shpat_valid_token",
                "signing_secret": SECRET,
                "tz": "America/New_York",
                "warehouse_id": cls.warehouse.id,
            }
        )
        cls.Inbox = cls.env["pos.inbox.event"]
        cls.Daily = cls.env["pos.demand.daily"]

    def order(self, refunds=True, **changes):
        order = copy.deepcopy(fixture("rest2024-04_order_get.json")["order"])
        if not refunds:
            order["refunds"] = []
        order.update(changes)
        return order

    def day(self, sku, date="2008-01-10"):
        row = self.Daily.search(
            [
                ("product_id", "=", self.products[sku].id),
                ("warehouse_id", "=", self.warehouse.id),
                ("date", "=", date),
            ]
        )
        return (row.qty_sold, row.qty_returned, row.qty_net, row.transactions)

    def drain(self):
        while self.Inbox._process_batch(500):
            pass


class ShopifyCase(ShopifyCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_shopify()
