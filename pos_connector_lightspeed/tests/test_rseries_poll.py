# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import SOAP_UPC, LightspeedCase, r_item, r_sale, r_vendor

DAY = "2026-03-02"


@tagged("post_install", "-at_install")
class TestRSeriesPolling(LightspeedCase):
    """R-Series polling against the engine tier's real local HTTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.make_source()
        cls.sleeps = []
        cls.source = cls.source.with_context(ls_client_options={"sleep": cls.sleeps.append})

    def setUp(self):
        super().setUp()
        self.sleeps.clear()
        cola = r_item(10, sku="LS-COLA", qoh=5)
        chips = r_item(20, sku="LS-CHIPS", qoh=0)
        soap = r_item(30, upc=SOAP_UPC, qoh=-2)  # no SKU: matched by barcode, mapped by id
        self.items = [cola, chips, soap]
        self.sales = [
            r_sale(1001, f"{DAY}T15:00:00+00:00", [(1, cola, 2, 1.25), (2, chips, 1, 3)]),
            r_sale(1002, f"{DAY}T15:00:00+00:00", [(3, cola, -1, 1.25)]),  # a return
            r_sale(1003, f"{DAY}T16:00:00+00:00", [(4, chips, 3, 3)], voided=True),
            r_sale(1004, f"{DAY}T17:00:00+00:00", [(5, cola, 9, 1.25)], completed=False),
            r_sale(1005, f"{DAY}T18:00:00+00:00", [(6, "30", 4, 2.5)]),  # bare itemID
        ]
        self.fake = self.fake_mod.FakeLightspeed(
            sales=self.sales,
            items=self.items,
            vendors=[r_vendor()],
            shops=[{"shopID": "1", "name": "Main Street", "archived": "false"}],
        )
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        self.point_at(self.source, self.fake)

    def signals(self, kind=None):
        domain = [("source_id", "=", self.source.id)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.Signal.search(domain)

    def test_poll_twice_imports_sales_returns_voids_inventory_and_vendors_once(self):
        self.source.action_ls_import_shops()
        self.assertEqual(self.source.location_map_ids.mapped("external_location"), ["1"])
        self.assertEqual(self.source.location_map_ids.name, "Main Street")
        self.assertEqual(self.source.ls_account_name, "Fake account")
        counts = self.source._ls_sync()
        self.assertEqual(counts, {"sales": 5, "inventory": 3, "suppliers": 1})
        self.assertFalse(self.source.ls_last_error)
        self.drain()
        events = self.Inbox.search([("source_id", "=", self.source.id)])
        self.assertEqual(len(events), 8)
        self.assertNotIn("failed", events.mapped("state"))
        self.assertEqual(
            events.filtered(lambda e: e.external_id.startswith("rs-sale-1004@")).state, "ignored"
        )
        cola, chips, soap = (self.products[s] for s in ("LS-COLA", "LS-CHIPS", "LS-SOAP"))
        # sale 1001: 2 cola + 1 chips; 1002 returns 1 cola; 1003 sold and voided;
        # 1004 not completed; 1005: 4 soap by item id, mapped from the Item's UPC
        self.assertEqual(self.day(cola, DAY), (2, 1, 1))
        self.assertEqual(self.day(chips, DAY), (1, 0, 1))
        self.assertEqual(self.day(soap, DAY), (4, 0, 4))
        self.assertEqual(len(self.signals("sale")), 4)
        self.assertEqual(len(self.signals("return")), 1)
        self.assertEqual(self.signals("void").mapped("quantity"), [-3.0])
        self.assertFalse(self.signals().filtered(lambda s: s.match_state == "unmatched"))
        counts_by_product = {
            s.product_id: s.quantity for s in self.signals("inventory")
        }  # the shop 0 account total is left out
        self.assertEqual(counts_by_product, {cola: 5, chips: 0, soap: -2})
        soap_map = self.env["pos.product.mapping"].search(
            [("source_id", "=", self.source.id), ("variant_ref", "=", "30")]
        )
        self.assertEqual(soap_map.product_id, soap)
        # the cursor is the last time stamp read
        self.assertIn("2026-03-02T18:00:00", self.source.ls_sale_cursor)

        # a second poll finds nothing new and writes nothing
        signal_count = len(self.signals())
        self.assertEqual(
            self.source._ls_sync(), {"sales": 0, "inventory": 0, "suppliers": 1}
        )  # the vendor is updated in place
        self.drain()
        self.assertEqual(len(self.Inbox.search([("source_id", "=", self.source.id)])), 8)
        self.assertEqual((len(self.signals()), self.vendors_count()), (signal_count, 1))
        last = self.fake.requests_to("/API/V3/Account/120645/Sale.json")[-1]
        self.assertEqual(last.params["timeStamp"], ">=,2026-03-02T18:00:00+00:00")

        # sale 1001 is voided later: its new version reverses it, once
        self.sales[0].update(voided="true", timeStamp=f"{DAY}T19:00:00+00:00")
        self.assertEqual(self.source._ls_sync()["sales"], 1)
        self.source._ls_sync()
        self.drain()
        self.assertEqual(self.day(cola, DAY), (0, 1, -1))
        self.assertEqual(self.day(chips, DAY), (0, 0, 0))
        self.assertEqual(len(self.signals("void")), 3)

    def vendors_count(self):
        return self.env["res.partner"].search_count([("ls_source_id", "=", self.source.id)])

    def test_vendor_becomes_a_supplier_with_e164_phones_and_flagged_invalid_ones(self):
        self.source.action_ls_import_suppliers()
        vendor = self.env["res.partner"].search([("ls_source_id", "=", self.source.id)])
        self.assertEqual(vendor.ls_supplier_ref, "73")
        self.assertEqual(vendor.name, "Byron Fuels")
        self.assertGreaterEqual(vendor.supplier_rank, 1)
        self.assertEqual(vendor.phone, "+12125550123")
        self.assertEqual(vendor.mobile, "555 555 1212", "an invalid number is kept as typed")
        self.assertTrue(vendor.ls_phone_invalid)
        self.assertIn("555 555 1212", vendor.ls_phone_note)
        self.assertEqual(vendor.email, "orders@byron.example")
        self.assertEqual(
            (vendor.city, vendor.zip, vendor.country_id.code), ("Los Angeles", "91604", "US")
        )
        self.assertEqual(vendor.state_id.code, "CA")
        self.assertEqual(vendor.ref, "ACC-9")
        self.assertEqual(
            sorted(vendor.child_ids.mapped("name")), ["Test Rep", "billing@byron.example"]
        )
        self.assertEqual(self.source.ls_supplier_count, 1)
        # importing again updates, never duplicates
        self.source.action_ls_import_suppliers()
        self.assertEqual(self.vendors_count(), 1)
        self.assertEqual(len(vendor.child_ids), 2)

    def test_interrupted_sync_resumes_from_the_saved_cursor(self):
        source = self.source.with_context(ls_page_limit=2)
        self.assertEqual(source._ls_sync(max_pages=1)["sales"], 2)
        cursor = source.ls_sale_cursor
        self.assertIn('"saleIDs": ["1001", "1002"]', cursor)
        self.assertEqual(source._ls_sync()["sales"], 3)
        ids = self.Inbox.search([("source_id", "=", source.id)]).mapped("external_id")
        self.assertEqual(len([i for i in ids if i.startswith("rs-sale-")]), 5)

    def test_expired_token_is_refreshed_once_and_the_rotated_pair_kept(self):
        self.fake.expire_token()
        counts = self.source._ls_sync()
        self.assertEqual(counts["sales"], 5)
        secret = self.source.sudo()
        self.assertEqual(secret.ls_access_token, self.fake.access_token)
        self.assertEqual(secret.ls_refresh_token, self.fake.refresh_token)
        self.assertNotEqual(secret.ls_refresh_token, "refresh-1")
        self.assertTrue(self.source.ls_token_expires_at)
        self.assertEqual([r["grant_type"] for r in self.fake.token_requests], ["refresh_token"])

    def test_429_waits_retry_after_instead_of_failing(self):
        self.fake.add_fault(
            "GET", "/API/V3/Account/120645/Sale.json", 1, 429, headers={"Retry-After": "3"}
        )
        counts = self.source._ls_sync()
        self.assertEqual(counts["sales"], 5)
        self.assertIn(3.0, self.sleeps)

    def test_revoked_access_is_recorded_and_loses_nothing(self):
        self.fake.expire_token()
        self.fake.refresh_token = "revoked"
        self.assertEqual(self.source._ls_sync(), {})
        self.assertIn("token endpoint refused", self.source.ls_last_error)
        self.assertFalse(self.source.ls_sale_cursor)
