# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import DAILY_FIELDS, PosReplenishmentCase


@tagged("post_install", "-at_install")
class TestProcessing(PosReplenishmentCase):
    """From stored inbox events to signals and daily demand."""

    def test_sale_becomes_signals_on_the_store_local_date(self):
        # 23:30 in New York is already the next day in UTC
        event = self.store(
            self.sale(
                "e1",
                [
                    {"line_id": "e1-1", "sku": "T-COLA", "quantity": 2, "unit_price": 2.5},
                    {
                        "line_id": "e1-2",
                        "barcode": "9990000000028",
                        "quantity": 1,
                        "unit_price": 3.0,
                    },
                ],
                occurred_at="2026-03-01T23:30:00-05:00",
            )
        )
        self.process()
        self.assertEqual(event.state, "done")
        self.assertEqual(event.signal_count, 2)
        cola = event.signal_ids.filtered(lambda s: s.product_id == self.cola)
        self.assertEqual(cola.occurred_at, datetime(2026, 3, 2, 4, 30))
        self.assertEqual(cola.date_local, date(2026, 3, 1))
        self.assertEqual(cola.warehouse_id, self.warehouse)
        self.assertEqual(cola.amount_company, 5.0)
        chips = event.signal_ids - cola
        self.assertEqual(chips.product_id, self.chips, "matched by barcode")
        day = self.daily(self.cola)
        self.assertRecordValues(
            day,
            [
                {
                    "qty_sold": 2,
                    "qty_returned": 0,
                    "qty_net": 2,
                    "revenue": 5.0,
                    "transactions": 1,
                    "stockout": False,
                }
            ],
        )
        self.assertEqual(day.product_categ_id, self.cola.categ_id)

    def test_location_mapping_chooses_the_warehouse(self):
        self.store(
            self.sale(
                "e-b", [{"line_id": "b1", "sku": "T-COLA", "quantity": 4}], location="store-b"
            )
        )
        self.process()
        self.assertEqual(self.daily(self.cola, self.warehouse_b).qty_sold, 4)
        self.assertFalse(self.daily(self.cola))

    def test_returns_reduce_net_demand(self):
        self.store(
            self.sale(
                "s1", [{"line_id": "s1-1", "sku": "T-COLA", "quantity": 5, "unit_price": 2.0}]
            )
        )
        self.store(
            {
                "event_id": "r1",
                "type": "refund",
                "occurred_at": "2026-03-01T18:00:00-05:00",
                "currency": self.currency_code,
                "lines": [{"line_id": "r1-1", "sku": "T-COLA", "quantity": 2, "unit_price": 2.0}],
            }
        )
        self.process()
        self.assertRecordValues(
            self.daily(self.cola),
            [{"qty_sold": 5, "qty_returned": 2, "qty_net": 3, "revenue": 6.0, "transactions": 1}],
        )
        refund = self.Signal.search([("source_line_id", "=", "r1-1")])
        self.assertEqual((refund.kind, refund.quantity), ("return", -2))

    def test_void_reverses_its_sale_on_the_sale_date_and_only_once(self):
        self.store(
            self.sale(
                "s2",
                [
                    {"line_id": "s2-1", "sku": "T-COLA", "quantity": 3, "unit_price": 2.0},
                    {"line_id": "s2-2", "sku": "T-CHIPS", "quantity": 1, "unit_price": 3.0},
                ],
            )
        )
        self.process()
        void = {
            "event_id": "v2",
            "type": "void",
            "occurred_at": "2026-03-03T09:00:00-05:00",
            "cancels": "s2",
        }
        self.store(void)
        self.store(dict(void, event_id="v2-again"))
        self.process()
        for product in (self.cola, self.chips):
            self.assertRecordValues(
                self.daily(product),
                [{"qty_sold": 0, "qty_net": 0, "revenue": 0, "transactions": 0}],
            )
        self.assertFalse(
            self.Daily.search(
                [("date", "=", "2026-03-03"), ("warehouse_id", "=", self.warehouse.id)]
            )
        )
        reversals = self.Signal.search([("kind", "=", "void"), ("source_id", "=", self.source.id)])
        self.assertEqual(len(reversals), 2, "a second void of the same sale reverses nothing")
        self.assertEqual(self.Inbox.search([("external_id", "=", "v2-again")]).state, "ignored")

    def test_partial_void_keeps_the_ticket_for_the_rest(self):
        self.store(
            self.sale(
                "s3",
                [
                    {"line_id": "s3-1", "sku": "T-COLA", "quantity": 3, "unit_price": 2.0},
                    {"line_id": "s3-2", "sku": "T-CHIPS", "quantity": 1, "unit_price": 3.0},
                ],
            )
        )
        self.store(
            {
                "event_id": "v3",
                "type": "void",
                "occurred_at": "2026-03-01T13:00:00-05:00",
                "cancels": "s3",
                "line_ids": ["s3-2"],
            }
        )
        self.process()
        self.assertRecordValues(self.daily(self.cola), [{"qty_net": 3, "transactions": 1}])
        self.assertRecordValues(self.daily(self.chips), [{"qty_net": 0, "transactions": 0}])

    def test_void_by_line_ids_when_the_cancelled_event_is_not_an_inbox_row(self):
        # connectors that store whole deliveries name the POS lines to cancel
        self.store(
            self.sale(
                "delivery-1",
                [
                    {"line_id": "li-1", "sku": "T-COLA", "quantity": 2, "unit_price": 2.0},
                    {"line_id": "li-2", "sku": "T-CHIPS", "quantity": 1, "unit_price": 3.0},
                ],
            )
        )
        early = self.store(
            {
                "event_id": "v-li-3",
                "type": "void",
                "occurred_at": "2026-03-02T10:00:00-05:00",
                "cancels": "order-9-line-3",
                "line_ids": ["li-3"],
            }
        )
        void = self.store(
            {
                "event_id": "v-li-1",
                "type": "void",
                "occurred_at": "2026-03-02T10:00:00-05:00",
                "cancels": "order-9-line-1",
                "line_ids": ["li-1"],
            }
        )
        self.process()
        self.assertEqual(void.state, "done")
        self.assertEqual(self.daily(self.cola).qty_net, 0)
        self.assertEqual(self.daily(self.chips).qty_net, 1)
        self.assertEqual((early.state, early.attempts), ("new", 1))
        self.assertIn("li-3", early.error)

    def test_void_before_its_sale_waits_and_retries(self):
        void = self.store(
            {
                "event_id": "v4",
                "type": "void",
                "occurred_at": "2026-03-01T13:00:00-05:00",
                "cancels": "s4",
            }
        )
        self.process()
        self.assertEqual((void.state, void.attempts), ("new", 1))
        self.assertIn("has not been received", void.error)
        self.assertTrue(void.next_attempt_at)
        self.store(self.sale("s4", [{"line_id": "s4-1", "sku": "T-COLA", "quantity": 2}]))
        self.process()
        self.assertEqual(void.state, "new", "still waiting for its back-off")
        void.next_attempt_at = fields.Datetime.now() - timedelta(hours=1)  # back-off over
        self.process()
        self.assertEqual(void.state, "done")
        self.assertEqual(self.daily(self.cola).qty_net, 0)

    def test_unknown_sku_waits_unmatched_then_matches_a_new_product(self):
        event = self.store(
            self.sale(
                "s5",
                [
                    {
                        "line_id": "s5-1",
                        "sku": "NEW-SKU",
                        "variant_id": "var-77",
                        "quantity": 4,
                        "unit_price": 1.5,
                    }
                ],
            )
        )
        self.process()
        self.assertEqual(event.state, "done", "the raw event is kept and its line recorded")
        signal = event.signal_ids
        self.assertEqual(signal.match_state, "unmatched")
        self.assertEqual(
            signal.match_reason,
            "No product with internal reference NEW-SKU; no mapping for POS variant var-77",
        )
        unmatched = self.env["pos.unmatched.sku"].search([("sku", "=", "NEW-SKU")])
        self.assertEqual((unmatched.signal_count, unmatched.quantity), (1, 4))
        self.assertFalse(self.daily(self.cola) | self.daily(self.chips))

        product = self.env["product.product"].create({"name": "New", "default_code": "NEW-SKU"})
        self.assertEqual((signal.match_state, signal.product_id), ("matched", product))
        self.assertEqual(self.daily(product).qty_net, 4)
        self.assertFalse(self.env["pos.unmatched.sku"].search([("sku", "=", "NEW-SKU")]))

    def test_a_mapping_resolves_an_unknown_variant(self):
        self.store(self.sale("s6", [{"line_id": "s6-1", "variant_id": "gid-991", "quantity": 2}]))
        self.store(
            self.sale(
                "s6b",
                [{"line_id": "s6b-1", "variant_id": "gid-991", "quantity": 1}],
                occurred_at="2026-03-02T10:00:00-05:00",
            )
        )
        self.process()
        row = self.env["pos.unmatched.sku"].search([("variant_ref", "=", "gid-991")])
        self.assertEqual(row.signal_count, 2)
        action = row.action_map_product()
        self.assertEqual(action["context"]["default_variant_ref"], "gid-991")
        self.env["pos.product.mapping"].with_context(**action["context"]).create(
            {"product_id": self.chips.id}
        )
        self.assertEqual(self.daily(self.chips).qty_net, 2)
        self.assertEqual(self.daily(self.chips, day="2026-03-02").qty_net, 1)

    def test_sku_shared_by_two_products_is_unmatched_with_the_reason(self):
        self.env["product.product"].create({"name": "Twin", "default_code": "T-COLA"})
        event = self.store(self.sale("s7", [{"line_id": "s7-1", "sku": "T-COLA", "quantity": 1}]))
        self.process()
        self.assertEqual(event.signal_ids.match_state, "unmatched")
        self.assertIn("matches 2 products", event.signal_ids.match_reason)

    def test_redelivered_lines_in_another_event_count_once(self):
        lines = [{"line_id": "s8-1", "sku": "T-COLA", "quantity": 2}]
        self.store(self.sale("orders-create-s8", lines))
        paid = self.store(self.sale("orders-paid-s8", lines))
        self.process()
        self.assertEqual(self.daily(self.cola).qty_sold, 2)
        self.assertEqual(paid.state, "ignored")
        # reprocessing everything changes nothing either
        self.Inbox.search([("source_id", "=", self.source.id)]).action_reprocess()
        self.process()
        self.assertRecordValues(self.daily(self.cola), [{"qty_sold": 2, "transactions": 1}])

    def test_inventory_count_of_zero_flags_a_stockout(self):
        self.store(
            {
                "event_id": "c1",
                "type": "inventory",
                "occurred_at": "2026-03-01T08:00:00-05:00",
                "lines": [{"sku": "T-COLA", "quantity": 0}, {"sku": "T-CHIPS", "quantity": 7}],
            }
        )
        self.store(
            {
                "event_id": "c2",
                "type": "inventory",
                "occurred_at": "2026-03-01T20:00:00-05:00",
                "lines": [{"sku": "T-COLA", "quantity": 12}],
            }
        )
        self.process()
        self.assertRecordValues(
            self.daily(self.cola), [{"stockout": True, "last_count_qty": 12, "qty_net": 0}]
        )
        self.assertRecordValues(self.daily(self.chips), [{"stockout": False, "last_count_qty": 7}])

    def test_foreign_currency_is_converted_at_the_business_date(self):
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        other.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": other.id,
                "name": "2026-02-01",
                "rate": 0.5,
                "company_id": self.company.id,
            }
        )
        self.store(
            self.sale(
                "s9",
                [{"line_id": "s9-1", "sku": "T-COLA", "quantity": 2, "unit_price": 10.0}],
                currency=other.name,
            )
        )
        self.process()
        self.assertAlmostEqual(self.daily(self.cola).revenue, 40.0, places=2)

    def test_unmapped_location_retries_then_fails_and_reprocesses_once_mapped(self):
        self.source.warehouse_id = False
        self.env["ir.config_parameter"].set_param("pos_ai_replenishment.max_attempts", 2)
        event = self.store(
            self.sale(
                "s10", [{"line_id": "s10-1", "sku": "T-COLA", "quantity": 1}], location="airport"
            )
        )
        self.process()
        self.assertEqual((event.state, event.attempts), ("new", 1))
        event.next_attempt_at = False
        self.process()
        self.assertEqual((event.state, event.attempts), ("failed", 2))
        self.assertIn("POS location airport is not mapped", event.error)
        self.assertFalse(event.signal_ids)
        self.source.location_map_ids = [
            (0, 0, {"external_location": "airport", "warehouse_id": self.warehouse_b.id})
        ]
        event.action_reprocess()
        self.process()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.daily(self.cola, self.warehouse_b).qty_net, 1)

    def test_malformed_stored_event_fails_at_once_and_keeps_its_body(self):
        event, _created = self.Inbox._store_incoming(
            self.source, "bad-1", "sale", '{"event_id": "bad-1", "type": "sale"}', {}
        )
        self.process()
        self.assertEqual((event.state, event.attempts), ("failed", 1))
        self.assertIn("occurred_at", event.error)
        self.assertEqual(json.loads(event.body)["event_id"], "bad-1")

    def test_one_failing_event_never_stops_the_batch(self):
        self.store(self.sale("ok-1", [{"line_id": "ok-1", "sku": "T-COLA", "quantity": 1}]))
        self.Inbox._store_incoming(self.source, "bad-2", "sale", "not json", {})
        self.store(self.sale("ok-2", [{"line_id": "ok-2", "sku": "T-COLA", "quantity": 1}]))
        self.process()
        events = self.Inbox.search([("source_id", "=", self.source.id)])
        states = dict(events.mapped(lambda e: (e.external_id, e.state)))
        self.assertEqual(states, {"ok-1": "done", "bad-2": "failed", "ok-2": "done"})
        self.assertEqual(self.daily(self.cola).qty_net, 2)

    def test_two_cron_runs_process_each_event_once(self):
        for i in range(30):
            self.store(self.sale(f"c-{i}", [{"line_id": f"c-{i}", "sku": "T-COLA", "quantity": 1}]))
        self.env["ir.config_parameter"].set_param("pos_ai_replenishment.batch_size", 20)
        self.Inbox._cron_process_inbox()
        mine = [("source_id", "=", self.source.id)]
        self.assertEqual(self.Inbox.search_count(mine + [("state", "=", "done")]), 20)
        self.Inbox._cron_process_inbox()
        self.Inbox._cron_process_inbox()
        self.assertEqual(self.Inbox.search_count(mine + [("state", "=", "done")]), 30)
        self.assertEqual(self.Signal.search_count(mine), 30)
        self.assertRecordValues(self.daily(self.cola), [{"qty_sold": 30, "transactions": 30}])

    def test_process_now_takes_exactly_the_selected_events(self):
        first = self.store(self.sale("pn-1", [{"line_id": "pn-1", "sku": "T-COLA", "quantity": 1}]))
        second = self.store(
            self.sale("pn-2", [{"line_id": "pn-2", "sku": "T-COLA", "quantity": 1}])
        )
        second.action_process_now()
        self.assertEqual((first.state, second.state), ("new", "done"))
        self.assertEqual(self.daily(self.cola).qty_sold, 1)

    def test_rebuild_matches_the_incremental_table(self):
        self.store(
            self.sale(
                "s11", [{"line_id": "s11-1", "sku": "T-COLA", "quantity": 3, "unit_price": 2.0}]
            )
        )
        self.store(
            {
                "event_id": "c11",
                "type": "inventory",
                "occurred_at": "2026-03-01T20:00:00-05:00",
                "lines": [{"sku": "T-COLA", "quantity": -1}],
            }
        )
        self.process()
        fields_ = DAILY_FIELDS
        # the whole table is rebuilt (demo history included): compare all of it
        before = self.Daily.search([]).read(fields_)
        self.Daily.action_rebuild()
        after = self.Daily.search([]).read(fields_)
        for row in before + after:
            row.pop("id")
        self.assertEqual(len(before), len(after))
        self.assertTrue(before == after, "rebuilt rows differ from the incremental ones")
        mine = [r for r in after if r["warehouse_id"][0] == self.warehouse.id]
        self.assertEqual(len(mine), 1)
        self.assertEqual((mine[0]["qty_sold"], mine[0]["stockout"]), (3, True))
