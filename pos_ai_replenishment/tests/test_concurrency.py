# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import select
import threading
import time

import psycopg2
from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrentWorkers(TransactionCase):
    """Two workers drain one inbox at the same time, each on its own real
    database connection (committed data, cleaned up afterwards)."""

    EVENTS = 240

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            warehouse = env["stock.warehouse"].search([], limit=1)
            product = env["product.product"].create(
                {"name": "Concurrency probe", "default_code": "CONC-PROBE"}
            )
            source = env["pos.source"].create(
                {
                    "name": "Concurrency",
                    "code": "concurrency-probe",
                    "tz": "UTC",
                    "warehouse_id": warehouse.id,
                    "signing_secret": "x",
                }
            )
            for i in range(self.EVENTS):
                body = {
                    "event_id": f"k{i}",
                    "type": "sale",
                    "occurred_at": f"2026-05-0{1 + i % 3}T10:00:00Z",
                    "lines": [
                        {"line_id": f"k{i}-a", "sku": "CONC-PROBE", "quantity": 1},
                        {"line_id": f"k{i}-b", "sku": "CONC-PROBE", "quantity": 2},
                    ],
                }
                env["pos.inbox.event"]._store_incoming(
                    source, body["event_id"], "sale", json.dumps(body), {}
                )
            self.ids = (source.id, product.id, warehouse.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        source_id, product_id, _warehouse_id = self.ids
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM pos_demand_daily WHERE product_id = %s", [product_id])
            cr.execute("DELETE FROM pos_demand_signal WHERE source_id = %s", [source_id])
            cr.execute("DELETE FROM pos_inbox_event WHERE source_id = %s", [source_id])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["pos.source"].browse(source_id).unlink()
            env["product.product"].browse(product_id).unlink()

    def test_a_stored_event_wakes_the_cron_workers_after_commit(self):
        """The notify cron workers LISTEN for, sent once the event is committed."""
        _name, params = sql_db.connection_info_for("postgres")
        listener = psycopg2.connect(**params)
        listener.autocommit = True
        self.addCleanup(listener.close)
        listener.cursor().execute("LISTEN cron_trigger")
        source_id = self.ids[0]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            body = {
                "event_id": "wake-1",
                "type": "sale",
                "occurred_at": "2026-05-01T10:00:00Z",
                "lines": [{"sku": "CONC-PROBE", "quantity": 1}],
            }
            env["pos.inbox.event"]._store_incoming(
                env["pos.source"].browse(source_id), "wake-1", "sale", json.dumps(body), {}
            )
            listener.poll()
            self.assertFalse(listener.notifies, "nothing is announced before the commit")
        deadline = time.monotonic() + 5
        while not listener.notifies and time.monotonic() < deadline:
            select.select([listener], [], [], 0.5)
            listener.poll()
        self.assertIn(self.env.cr.dbname, [n.payload for n in listener.notifies])

    def _worker(self, barrier, taken, conflicts):
        with self.registry.cursor() as cr:
            # The test runner holds the registry lock: give this thread's
            # cursor its transaction directly instead of looking it up.
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            inbox = env["pos.inbox.event"]
            barrier.wait()
            idle = 0
            while idle < 3:
                try:
                    count = inbox._process_batch(15)
                    # a worker's own cursor, not the test's
                    cr.commit()  # pylint: disable=invalid-commit
                except (
                    errors.SerializationFailure,
                    errors.LockNotAvailable,
                    errors.DeadlockDetected,
                ):
                    cr.rollback()
                    env.invalidate_all()
                    conflicts.append(1)
                    continue
                taken.append(count)
                idle = idle + 1 if not count else 0

    def _lock_and_hold(self, holding, release, locked, limit):
        """Lock a batch on an own connection and keep it until ``release``."""
        with self.registry.cursor() as cr:
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            locked.extend(env["pos.inbox.event"]._lock_ready_events(limit).ids)
            holding.set()
            release.wait(60)
            cr.rollback()

    def test_a_second_worker_locks_other_events_while_the_first_holds_its_batch(self):
        """What lets two workers share an inbox, without scheduling luck: while
        one worker holds a batch, another locks a disjoint one at once."""
        holding, release = threading.Event(), threading.Event()
        first, second = [], []
        holder = threading.Thread(target=self._lock_and_hold, args=(holding, release, first, 15))
        holder.start()
        try:
            self.assertTrue(holding.wait(30), "the first worker locked its batch")
            with self.registry.cursor() as cr:
                cr.transaction = api.Transaction(self.registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                second = env["pos.inbox.event"]._lock_ready_events(15).ids
                cr.rollback()
        finally:
            release.set()
            holder.join(30)
        self.assertEqual(len(first), 15)
        self.assertEqual(len(second), 15, "the second worker was not blocked by the first")
        self.assertFalse(set(first) & set(second), "no event is locked by both")

    def test_two_workers_process_each_event_once(self):
        barrier = threading.Barrier(2)
        taken_a, taken_b, conflicts = [], [], []
        threads = [
            threading.Thread(target=self._worker, args=(barrier, t, conflicts))
            for t in (taken_a, taken_b)
        ]
        # serialization conflicts on shared daily rows are expected and retried
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(
            sum(taken_a) + sum(taken_b),
            self.EVENTS,
            "every event taken exactly once across both workers",
        )
        # Which worker takes how much is the scheduler's business (on two busy
        # cores one may take everything): what must hold is checked below, and
        # that both can lock at once by the test above.

        source_id, product_id, warehouse_id = self.ids
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM pos_inbox_event WHERE source_id = %s GROUP BY state",
                [source_id],
            )
            self.assertEqual(dict(cr.fetchall()), {"done": self.EVENTS})
            cr.execute(
                "SELECT count(*), count(DISTINCT source_line_id), sum(quantity) "
                "FROM pos_demand_signal WHERE source_id = %s",
                [source_id],
            )
            self.assertEqual(cr.fetchone(), (2 * self.EVENTS, 2 * self.EVENTS, 3.0 * self.EVENTS))
            cr.execute(
                "SELECT date::text, qty_sold, transactions FROM pos_demand_daily "
                "WHERE product_id = %s AND warehouse_id = %s ORDER BY date",
                [product_id, warehouse_id],
            )
            per_day = self.EVENTS // 3
            self.assertEqual(
                cr.fetchall(),
                [
                    ("2026-05-01", 3.0 * per_day, per_day),
                    ("2026-05-02", 3.0 * per_day, per_day),
                    ("2026-05-03", 3.0 * per_day, per_day),
                ],
            )
