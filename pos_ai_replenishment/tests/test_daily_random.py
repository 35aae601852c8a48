# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import random
from collections import defaultdict
from datetime import date, timedelta

from odoo.tests import tagged

from .common import DAILY_FIELDS, PosReplenishmentCase

DAYS = [date(2026, 4, 1) + timedelta(days=i) for i in range(8)]
LOCATIONS = [None, "store-b"]


class RandomStream:
    """A randomized POS stream and its expected daily demand, computed
    independently of the addon: sales, refunds, full and partial voids,
    redeliveries, lines re-sent in a second event, counts, and a SKU no product
    carries until half-way."""

    def __init__(self, seed, skus, size):
        self.rng = random.Random(seed)
        self.skus = skus
        self.events = []
        self.lines_of = {}  # event id -> [(line_id, sku, qty, price, loc, day, kind)]
        self.voided = set()  # line ids cancelled
        self.counts = []  # (sku, loc, day, qty)
        for n in range(size):
            self.events.append(self._next(n))

    def _next(self, n):
        rng = self.rng
        roll = rng.random()
        sales = [e for e, lines in self.lines_of.items() if lines[0][6] in ("sale", "return")]
        if roll < 0.08 and self.events:
            return dict(rng.choice(self.events))  # webhook redelivery: same event id
        if roll < 0.13 and sales:
            original = rng.choice(sales)
            body = {
                "event_id": f"v{n}",
                "type": "void",
                "cancels": original,
                "occurred_at": self._stamp(rng.choice(DAYS)),
            }
            lines = self.lines_of[original]
            if rng.random() < 0.5:
                chosen = rng.sample([ln[0] for ln in lines], rng.randint(1, len(lines)))
                body["line_ids"] = chosen
            else:
                chosen = [ln[0] for ln in lines]
            self.voided.update(chosen)
            return body
        if roll < 0.17 and sales:
            original = rng.choice(sales)  # e.g. orders/paid after orders/create
            first = self.lines_of[original]
            kind = "sale" if first[0][6] == "sale" else "refund"
            return {
                "event_id": f"again{n}",
                "type": kind,
                "occurred_at": self._stamp(first[0][5]),
                "location": first[0][4],
                "lines": [
                    {"line_id": ln[0], "sku": ln[1], "quantity": abs(ln[2]), "unit_price": ln[3]}
                    for ln in first
                ],
            }
        day, loc = rng.choice(DAYS), rng.choice(LOCATIONS)
        if roll < 0.25:
            lines = [
                {"sku": sku, "quantity": rng.randint(-1, 9)}
                for sku in rng.sample(self.skus, rng.randint(1, len(self.skus)))
            ]
            self.counts += [(ln["sku"], loc, day, ln["quantity"]) for ln in lines]
            return {
                "event_id": f"c{n}",
                "type": "inventory",
                "occurred_at": self._stamp(day),
                "location": loc,
                "lines": lines,
            }
        kind = "refund" if roll < 0.35 else "sale"
        lines = []
        for i in range(self.rng.randint(1, 4)):
            sku = rng.choice(self.skus)
            qty, price = rng.randint(1, 5), rng.choice([1.0, 2.5, 4.0])
            lines.append(
                (
                    f"e{n}-{i}",
                    sku,
                    qty if kind == "sale" else -qty,
                    price,
                    loc,
                    day,
                    "sale" if kind == "sale" else "return",
                )
            )
        self.lines_of[f"e{n}"] = lines
        return {
            "event_id": f"e{n}",
            "type": kind,
            "occurred_at": self._stamp(day),
            "location": loc,
            "lines": [
                {"line_id": ln[0], "sku": ln[1], "quantity": abs(ln[2]), "unit_price": ln[3]}
                for ln in lines
            ],
        }

    def _stamp(self, day):
        return f"{day.isoformat()}T{self.rng.randint(9, 21):02d}:{self.rng.randint(0, 59):02d}:00"

    def expected(self):
        """{(sku, loc, day): [sold, returned, revenue, tickets, stockout]}"""
        out = defaultdict(lambda: [0.0, 0.0, 0.0, 0, False])
        for lines in self.lines_of.values():
            tickets = set()
            for line_id, sku, qty, price, loc, day, kind in lines:
                if line_id in self.voided:
                    continue
                row = out[(sku, loc, day)]
                row[0 if kind == "sale" else 1] += abs(qty)
                row[2] += qty * price
                if kind == "sale":
                    tickets.add((sku, loc, day))
            for key in tickets:
                out[key][3] += 1
        for sku, loc, day, qty in self.counts:
            out[(sku, loc, day)][4] |= qty <= 0
        return out


@tagged("post_install", "-at_install")
class TestDailyDemandRandomized(PosReplenishmentCase):
    def test_incremental_daily_equals_from_scratch_recomputation(self):
        stream = RandomStream(seed=20261127, skus=["T-COLA", "T-CHIPS", "T-LATE"], size=3000)
        rng = random.Random(7)
        stored = 0
        for index, generated in enumerate(stream.events):
            body = dict(generated, currency=self.currency_code)
            if body["type"] == "void":
                body.pop("location", None)
            event, created = self.Inbox._store_incoming(
                self.source, body["event_id"], body["type"], json.dumps(body), {}
            )
            stored += created
            if rng.random() < 0.05:
                self.Inbox._process_batch(rng.randint(1, 300))
            if index == len(stream.events) // 2:
                late = self.env["product.product"].create(
                    {"name": "Late product", "default_code": "T-LATE"}
                )
        self.assertEqual(stored, self.Inbox.search_count([("source_id", "=", self.source.id)]))
        self.process(limit=250)
        self.assertFalse(self.Inbox.search([("state", "in", ("new", "failed"))]).mapped("error"))

        by_sku = {"T-COLA": self.cola.id, "T-CHIPS": self.chips.id, "T-LATE": late.id}
        by_loc = {None: self.warehouse.id, "store-b": self.warehouse_b.id}
        expected = {
            (by_sku[sku], by_loc[loc], day): tuple(values)
            for (sku, loc, day), values in stream.expected().items()
        }
        self.Daily.flush_model()
        mine = [("warehouse_id", "in", (self.warehouse.id, self.warehouse_b.id))]
        rows = self.Daily.search_read(mine, DAILY_FIELDS)
        incremental = {
            (r["product_id"][0], r["warehouse_id"][0], r["date"]): (
                r["qty_sold"],
                r["qty_returned"],
                r["revenue"],
                r["transactions"],
                r["stockout"],
            )
            for r in rows
        }
        for row in rows:
            self.assertEqual(row["qty_net"], row["qty_sold"] - row["qty_returned"])
        from_scratch = {
            key: values
            for key, values in self.Daily._recompute_from_signals().items()
            if key[1] in (self.warehouse.id, self.warehouse_b.id)
        }
        self.assertGreater(len(expected), 40)
        self.assertEqual(set(incremental), set(expected))
        self.assertEqual(set(from_scratch), set(expected))
        for key, (sold, returned, revenue, tickets, stockout) in expected.items():
            for label, table in (("incremental", incremental), ("from scratch", from_scratch)):
                got = table[key]
                msg = f"{label} {key}"
                self.assertAlmostEqual(got[0], sold, places=4, msg=msg)
                self.assertAlmostEqual(got[1], returned, places=4, msg=msg)
                self.assertAlmostEqual(float(got[2]), revenue, places=2, msg=msg)
                self.assertEqual(got[3], tickets, msg)
                self.assertEqual(got[4], stockout, msg)
