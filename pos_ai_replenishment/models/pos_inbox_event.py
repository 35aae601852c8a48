# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import os
import threading
from datetime import timedelta

import psycopg2
from psycopg2 import sql

from odoo import _, api, fields, models, sql_db
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

from ..demand_engine.payload import PayloadError, parse_unified_event
from .config import config_value
from .pos_demand_signal import SignalBatch

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
DEFAULT_MAX_ATTEMPTS = 5
RETRY_BASE_MINUTES = 2


class CronWakeup:
    """Wake the cron workers the way ``ir.cron._notifydb`` does (a notify on
    the 'postgres' database), over one persistent connection per process.

    Odoo never pools connections to 'postgres', so ``_notifydb`` opens a new
    server connection for every call: fine for an occasional trigger, the
    dominant cost when every intake request triggers the inbox cron.
    """

    _lock = threading.Lock()
    _connection = None
    _pid = None

    @classmethod
    def notify(cls, dbname):
        with cls._lock:
            try:
                cls._notify(dbname)
            except psycopg2.Error:
                cls._connection = None  # a dropped connection: reconnect once
                cls._notify(dbname)

    @classmethod
    def _notify(cls, dbname):
        if cls._connection is None or cls._connection.closed or cls._pid != os.getpid():
            _name, params = sql_db.connection_info_for("postgres")
            cls._connection = psycopg2.connect(**params)
            cls._connection.autocommit = True
            cls._pid = os.getpid()
        with cls._connection.cursor() as cr:
            cr.execute(
                sql.SQL("SELECT {}('cron_trigger', %s)").format(
                    sql.Identifier(ODOO_NOTIFY_FUNCTION)
                ),
                [dbname],
            )


class PosInboxEvent(models.Model):
    """Every inbound POS event, stored raw before anything else.

    The raw body and the headers needed to re-verify it are kept whatever
    happens next, so a failed event can be reprocessed from the UI. Unique on
    (source, external id): a redelivery is acknowledged and not stored twice.
    """

    _name = "pos.inbox.event"
    _description = "POS Inbox Event"
    _order = "id desc"
    _rec_name = "external_id"

    source_id = fields.Many2one("pos.source", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="source_id.company_id", store=True, index=True)
    external_id = fields.Char(string="External Event ID", required=True)
    topic = fields.Char(index=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    body = fields.Text(string="Raw Body", required=True)
    headers = fields.Text(help="Headers kept to re-verify the signature, as JSON.")
    state = fields.Selection(
        [
            ("new", "New"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("ignored", "Ignored"),
        ],
        required=True,
        default="new",
        index=True,
    )
    error = fields.Text(string="Error / Note")
    attempts = fields.Integer(default=0)
    next_attempt_at = fields.Datetime(help="A retried event waits until then.")
    processed_at = fields.Datetime()
    signal_ids = fields.One2many("pos.demand.signal", "event_id", string="Signals")
    signal_count = fields.Integer(compute="_compute_signal_count")

    _sql_constraints = [
        (
            "external_unique",
            "unique(source_id, external_id)",
            "This event was already received from this source.",
        ),
    ]

    def _compute_signal_count(self):
        counts = dict(
            self.env["pos.demand.signal"]._read_group(
                [("event_id", "in", self.ids)], ["event_id"], ["__count"]
            )
        )
        for event in self:
            event.signal_count = counts.get(event, 0)

    # ------------------------------------------------------------------
    # Intake
    # ------------------------------------------------------------------
    @api.model
    def _store_incoming(self, source, external_id, topic, body, headers=None, *, company_id=None):
        """Store one raw event unless this source already sent it, and trigger
        the inbox cron. Returns ``(event, created)``.

        This is the intake hot path, so it is one round trip: the event insert
        (``ON CONFLICT DO NOTHING`` keeps concurrent redeliveries from racing)
        and, only when a row was inserted, the cron trigger row that
        ``ir.cron._trigger()`` would create; the cron workers are notified
        after commit as ``_trigger`` does (see :class:`CronWakeup`).
        """
        cron_id = self._inbox_cron_id()
        if self._config_flag("pos_ai_replenishment.async_commit"):
            # opt-in (Settings): acknowledge before the WAL reaches the disk
            self.env.cr.execute("SET LOCAL synchronous_commit TO OFF")
        self.env.cr.execute(
            """
            WITH event AS (
                INSERT INTO pos_inbox_event (
                    source_id, company_id, external_id, topic, received_at, body,
                    headers, state, attempts, create_uid, write_uid, create_date, write_date)
                VALUES (%(source)s, %(company)s, %(external_id)s, %(topic)s,
                        now() at time zone 'UTC', %(body)s, %(headers)s, 'new', 0,
                        %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (source_id, external_id) DO NOTHING
                RETURNING id
            ), cron_trigger AS (
                INSERT INTO ir_cron_trigger (
                    cron_id, call_at, create_uid, write_uid, create_date, write_date)
                SELECT %(cron)s, now() at time zone 'UTC', %(uid)s, %(uid)s,
                       now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM event
            )
            SELECT id FROM event
            """,
            {
                "source": source.id,
                "company": company_id or source.company_id.id,
                "external_id": external_id,
                "topic": topic,
                "body": body,
                "headers": json.dumps(headers or {}, sort_keys=True),
                "uid": self.env.uid,
                "cron": cron_id,
            },
        )
        row = self.env.cr.fetchone()
        if row:
            dbname = self.env.cr.dbname
            self.env.cr.postcommit.add(lambda: CronWakeup.notify(dbname))
            return self.browse(row[0]), True
        existing = self.search(
            [("source_id", "=", source.id), ("external_id", "=", external_id)], limit=1
        )
        return existing, False

    @api.model
    def _inbox_cron_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "pos_ai_replenishment.ir_cron_process_pos_inbox", raise_if_not_found=True
        )

    @api.model
    def _trigger_processing(self, at=None):
        self.env["ir.cron"].browse(self._inbox_cron_id()).sudo()._trigger(at)

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------
    @api.model
    def _config_flag(self, key):
        return config_value(self.env, key, False, bool)

    @api.model
    def _config_int(self, key, default):
        return config_value(self.env, key, default)

    @api.model
    def _cron_process_inbox(self):
        """Drain the inbox batch by batch (Odoo re-runs the cron while the
        progress API reports remaining events)."""
        batch_size = self._config_int("pos_ai_replenishment.batch_size", DEFAULT_BATCH_SIZE)
        done = self._process_batch(batch_size)
        remaining = self.search_count(self._ready_domain()) if done else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _ready_domain(self):
        now = fields.Datetime.now()
        return [
            ("state", "=", "new"),
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", now),
        ]

    @api.model
    def _lock_ready_events(self, limit, only_ids=None):
        """Pick and lock up to ``limit`` ready events (among ``only_ids`` when
        given); rows another worker holds are skipped, so two workers never
        process the same event."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id FROM pos_inbox_event
             WHERE state = 'new'
               AND (next_attempt_at IS NULL OR next_attempt_at <= now() at time zone 'UTC')
               AND (%(ids)s IS NULL OR id = ANY(%(ids)s))
             ORDER BY id
             LIMIT %(limit)s
             FOR UPDATE SKIP LOCKED
            """,
            {"limit": limit, "ids": list(only_ids) if only_ids is not None else None},
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _process_batch(self, limit=DEFAULT_BATCH_SIZE, only_ids=None):
        """Process up to ``limit`` ready events; returns how many were taken.

        Every event is parsed and turned into signal values first (one bulk
        lookup of known lines, product matches and rates for the batch), then
        the signals of the whole batch are created at once. Voids go last, as
        the sale they cancel may be in the same batch. An event that fails is
        recorded as such and never stops the others.
        """
        events = self._lock_ready_events(limit, only_ids)
        if not events:
            return 0
        max_attempts = self._config_int("pos_ai_replenishment.max_attempts", DEFAULT_MAX_ATTEMPTS)
        failures = {}
        parsed = {}
        for event in events:
            try:
                parsed[event] = event._parse_events()
            except Exception as err:  # noqa: BLE001 - one bad event never stops the batch
                failures[event] = err
        Signal = self.env["pos.demand.signal"].sudo()
        lines_by_source = {}
        for event, unified_events in parsed.items():
            lines_by_source.setdefault(event.source_id, []).extend(
                line.line_id for unified in unified_events for line in unified.lines
            )
        batch = SignalBatch(Signal, lines_by_source)
        created = Signal.browse()
        new_count = dict.fromkeys(parsed, 0)
        for voids in (False, True):
            planned = {}
            for event, unified_events in parsed.items():
                if event in failures:
                    continue
                try:
                    vals_list = [
                        vals
                        for unified in unified_events
                        if (unified.event_type == "void") == voids
                        for vals in Signal._prepare_from_event(event, unified, batch)
                    ]
                except Exception as err:  # noqa: BLE001
                    failures[event] = err
                    continue
                batch.remember(vals_list)
                planned[event] = vals_list
                new_count[event] += len(vals_list)
            created |= self._create_planned_signals(planned, failures)
            batch.settled_event_ids.update(e.id for e in planned if e not in failures)
        self._record_outcome(parsed, new_count, failures, max_attempts)
        self.env["pos.demand.daily"]._apply_signals(created)
        return len(events)

    @api.model
    def _create_planned_signals(self, planned, failures):
        """Create all planned signals at once; should that fail, event by event
        so that only the culprit fails."""
        Signal = self.env["pos.demand.signal"].sudo()
        all_vals = [vals for vals_list in planned.values() for vals in vals_list]
        if not all_vals:
            return Signal.browse()
        try:
            with self.env.cr.savepoint():
                return Signal.create(all_vals)
        except Exception:  # noqa: BLE001 - isolate the culprit below
            _logger.info("POS inbox: bulk signal creation failed, retrying event by event")
        created = Signal.browse()
        for event, vals_list in planned.items():
            try:
                with self.env.cr.savepoint():
                    created |= Signal.create(vals_list)
            except Exception as err:  # noqa: BLE001
                failures[event] = err
        return created

    @api.model
    def _record_outcome(self, parsed, new_count, failures, max_attempts):
        now = fields.Datetime.now()
        done = self.browse(e.id for e in parsed if e not in failures and new_count[e])
        ignored = [e for e in parsed if e not in failures and not new_count[e]]
        done.write({"state": "done", "processed_at": now, "error": False})
        # an event with no demand at all (a product update used for mapping, a
        # sale not completed yet) is not a repeat of lines already recorded
        nothing_to_count = self.browse(e.id for e in ignored if not parsed[e])
        nothing_new = self.browse(e.id for e in ignored if parsed[e])
        nothing_to_count.write(
            {
                "state": "ignored",
                "processed_at": now,
                "error": _("No demand in this event (no sale, return or count lines)."),
            }
        )
        nothing_new.write(
            {
                "state": "ignored",
                "processed_at": now,
                "error": _("Nothing new: every line was already recorded or had no quantity."),
            }
        )
        for event, err in failures.items():
            event._record_failure(err, max_attempts)

    def _parse_events(self):
        """Raw body to a list of :class:`UnifiedEvent`. Connector addons
        override this for their source kinds (one delivery may carry several
        events); the generic kind speaks the unified schema, one per request."""
        self.ensure_one()
        return [parse_unified_event(self.body.encode(), self.source_id.tz)]

    def _record_failure(self, err, max_attempts):
        attempts = self.attempts + 1
        permanent = isinstance(err, PayloadError)
        message = str(err) if isinstance(err, (UserError, PayloadError)) else repr(err)
        values = {"attempts": attempts, "error": message}
        if permanent or attempts >= max_attempts:
            values["state"] = "failed"
            values["next_attempt_at"] = False
        else:
            delay = RETRY_BASE_MINUTES * 2 ** (attempts - 1)
            next_at = fields.Datetime.now() + timedelta(minutes=delay)
            values["next_attempt_at"] = next_at
            self._trigger_processing(next_at)
        if not isinstance(err, (UserError, PayloadError)):
            _logger.exception("POS inbox event %s failed", self.id)
        self.write(values)

    def action_reprocess(self):
        """Queue the events again. Safe for done events too: signals are unique
        per source line, so nothing is counted twice."""
        self.write({"state": "new", "attempts": 0, "next_attempt_at": False, "error": False})
        self._trigger_processing()
        return True

    def action_process_now(self):
        """Process the selected events now, in this transaction."""
        self.write({"state": "new", "attempts": 0, "next_attempt_at": False, "error": False})
        self._process_batch(len(self), only_ids=self.ids)
        return True

    def action_view_signals(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Signals"),
            "res_model": "pos.demand.signal",
            "view_mode": "list,form",
            "domain": [("event_id", "=", self.id)],
        }
