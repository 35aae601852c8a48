# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared pieces of the Lightspeed Odoo tests: the engine tier's real local
HTTP server (loaded by path), R-Series records in the API's own shape
(strings, one-element lists collapsed) and the shared fixtures by path."""

import importlib.util
import json
import sys
from pathlib import Path

from odoo.tests import TransactionCase

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "pos" / "lightspeed"
CLIENT_SECRET = "ls-client-secret"
SKUS = ("LS-COLA", "LS-CHIPS", "LS-SOAP")
SOAP_UPC = "012345678905"


def load_repo_module(name, relative):
    """A plain-Python helper of the engine tier (the fake Lightspeed server)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / relative)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def fake_module():
    return load_repo_module("fake_lightspeed", "tests/engine/lightspeed/fake_lightspeed.py")


def fixture(name):
    path = FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"shared Lightspeed fixture {path} is missing")
    return json.loads(path.read_bytes())


# ----------------------------------------------------------------------
# R-Series records
# ----------------------------------------------------------------------
def r_item(item_id, sku=None, upc=None, qoh=None, stamp="2026-03-01T08:00:00+00:00"):
    item = {
        "itemID": str(item_id),
        "systemSku": f"21000000{item_id}",
        "customSku": sku or "",
        "manufacturerSku": "",
        "upc": upc or "",
        "ean": "",
        "description": sku or f"Item {item_id}",
        "defaultVendorID": "73",
        "defaultCost": "1.5",
        "archived": "false",
        "timeStamp": stamp,
    }
    if qoh is not None:
        item["ItemShops"] = {
            "ItemShop": [
                {"itemShopID": f"{item_id}1", "itemID": str(item_id), "shopID": "1",
                 "qoh": str(qoh), "timeStamp": stamp},
                {"itemShopID": f"{item_id}0", "itemID": str(item_id), "shopID": "0",
                 "qoh": str(qoh), "timeStamp": stamp},
            ]
        }  # fmt: skip
    return item


def r_sale(sale_id, stamp, lines, completed=True, voided=False):
    """A Sale with its SaleLines (each ``(line id, item, quantity, price)``;
    ``item`` a dict loads the Item relation, a string is a bare itemID)."""
    rows = []
    for line_id, item, quantity, price in lines:
        row = {
            "saleLineID": str(line_id),
            "saleID": str(sale_id),
            "itemID": item["itemID"] if isinstance(item, dict) else str(item),
            "unitQuantity": str(quantity),
            "unitPrice": str(price),
            "shopID": "1",
            "timeStamp": stamp,
        }
        if isinstance(item, dict):
            row["Item"] = item
        rows.append(row)
    return {
        "saleID": str(sale_id),
        "timeStamp": stamp,
        "completeTime": stamp,
        "completed": "true" if completed else "false",
        "voided": "true" if voided else "false",
        "shopID": "1",
        "registerID": "1",
        "ticketNumber": f"2200{sale_id}",
        "SaleLines": {"SaleLine": rows[0] if len(rows) == 1 else rows},  # the collapse quirk
    }


def r_vendor(vendor_id="73", name="Byron Fuels"):
    return {
        "vendorID": vendor_id,
        "name": name,
        "archived": "false",
        "accountNumber": "ACC-9",
        "Contact": {
            "Addresses": {
                "ContactAddress": {
                    "address1": "123 Main St.",
                    "address2": "",
                    "city": "Los Angeles",
                    "state": "CA",
                    "zip": "91604",
                    "country": "USA",
                }
            },
            "Phones": {
                "ContactPhone": [
                    {"number": "(212) 555-0123", "useType": "Work"},
                    {"number": "555 555 1212", "useType": "Mobile"},
                ]
            },
            "Emails": {
                "ContactEmail": [
                    {"address": "orders@byron.example", "useType": "Primary"},
                    {"address": "billing@byron.example", "useType": "Secondary"},
                ]
            },
            "Websites": {"ContactWebsite": {"url": "http://byron.example"}},
        },
        "Reps": {"VendorRep": {"firstName": "Test", "lastName": "Rep"}},
    }


class LightspeedCommon:
    @classmethod
    def setup_lightspeed(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.fake_mod = fake_module()
        cls.warehouse = cls.env["stock.warehouse"].create(
            {"name": "Lightspeed Store", "code": "LSS"}
        )
        cls.products = {
            sku: cls.env["product.product"].create(
                {"name": sku, "default_code": sku, "is_storable": True, "standard_price": 1.5}
            )
            for sku in SKUS[:2]
        }
        # the third product has no SKU in Lightspeed: it matches by barcode
        cls.products["LS-SOAP"] = cls.env["product.product"].create(
            {"name": "Soap", "barcode": SOAP_UPC, "is_storable": True, "standard_price": 2.0}
        )
        cls.Inbox = cls.env["pos.inbox.event"]
        cls.Signal = cls.env["pos.demand.signal"]
        cls.Daily = cls.env["pos.demand.daily"]

    @classmethod
    def make_source(cls, kind="lightspeed_r", code="ls-r-test", **values):
        return cls.env["pos.source"].create(
            {
                "name": f"Test {kind}",
                "code": code,
                "kind": kind,
                "ls_account_id": "120645" if kind == "lightspeed_r" else False,
                "ls_domain_prefix": "teststore" if kind == "lightspeed_x" else False,
                "ls_client_id": "client-id",
                "ls_client_secret": CLIENT_SECRET,
                "ls_access_token": "access-1",
                "ls_refresh_token": "refresh-1",
                "tz": "America/New_York",
                "warehouse_id": cls.warehouse.id,
                **values,
            }
        )

    def point_at(self, source, fake, kind="r"):
        source.write(
            {
                "ls_api_url": fake.r_base_url if kind == "r" else fake.x_base_url,
                "ls_token_url": fake.r_token_url if kind == "r" else fake.x_token_url,
            }
        )

    def drain(self):
        while self.Inbox._process_batch(500):
            pass

    def day(self, product, date):
        row = self.Daily.search(
            [
                ("product_id", "=", product.id),
                ("warehouse_id", "=", self.warehouse.id),
                ("date", "=", date),
            ]
        )
        return (row.qty_sold, row.qty_returned, row.qty_net)


class LightspeedCase(LightspeedCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_lightspeed()
