# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..demand_engine.payload import PayloadError, parse_unified_event

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
DEFAULT_MAX_ATTEMPTS = 5
RETRY_BASE_MINUTES = 2


class RetryLater(UserError):
    """Processing cannot finish yet (a void before its sale, a location not
    mapped yet...): the event stays pending and is retried with back-off."""


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
    def _store_incoming(self, source, external_id, topic, body, headers=None, company_id=None):
        """Store one raw event unless this source already sent it, and trigger
        the inbox cron. Returns ``(event, created)``.

        This is the intake hot path, so it is one round trip: the event insert
        (``ON CONFLICT DO NOTHING`` keeps concurrent redeliveries from racing)
        and, only when a row was inserted, the cron trigger row that
        ``ir.cron._trigger()`` would create; the cron worker is notified after
        commit as ``_trigger`` does.
        """
        cron_id = self._inbox_cron_id()
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
            self.env.cr.postcommit.add(self.env["ir.cron"].browse(cron_id)._notifydb)
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
    def _config_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            return default

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
    def _lock_ready_events(self, limit):
        """Pick and lock up to ``limit`` ready events; rows another worker holds
        are skipped, so two workers never process the same event."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id FROM pos_inbox_event
             WHERE state = 'new'
               AND (next_attempt_at IS NULL OR next_attempt_at <= now() at time zone 'UTC')
             ORDER BY id
             LIMIT %s
             FOR UPDATE SKIP LOCKED
            """,
            [limit],
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _process_batch(self, limit=DEFAULT_BATCH_SIZE):
        """Process up to ``limit`` ready events; returns how many were taken."""
        events = self._lock_ready_events(limit)
        new_signals = self.env["pos.demand.signal"]
        max_attempts = self._config_int(
            "pos_ai_replenishment.max_attempts", DEFAULT_MAX_ATTEMPTS
        )
        for event in events:
            try:
                with self.env.cr.savepoint():
                    new_signals |= event._process_one()
            except Exception as err:  # noqa: BLE001 - one bad event never stops the batch
                event._record_failure(err, max_attempts)
        self.env["pos.demand.daily"]._apply_signals(new_signals)
        return len(events)

    def _process_one(self):
        """Turn this event into signals; returns the signals created."""
        self.ensure_one()
        signals = self._create_signals(self._parse_event())
        now = fields.Datetime.now()
        if signals:
            self.write({"state": "done", "processed_at": now, "error": False})
        else:
            self.write(
                {
                    "state": "ignored",
                    "processed_at": now,
                    "error": _("Nothing new: every line was already recorded or had no quantity."),
                }
            )
        return signals

    def _parse_event(self):
        """Raw body to a :class:`UnifiedEvent`. Connector addons override this
        for their source kinds; the generic kind speaks the unified schema."""
        self.ensure_one()
        return parse_unified_event(self.body.encode(), self.source_id.tz)

    def _create_signals(self, unified):
        return self.env["pos.demand.signal"]._create_from_event(self, unified)

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
        self.write(
            {"state": "new", "attempts": 0, "next_attempt_at": False, "error": False}
        )
        self._trigger_processing()
        return True

    def action_process_now(self):
        """Process the selected pending events in this transaction."""
        self.filtered(lambda e: e.state != "new").action_reprocess()
        self.env.flush_all()
        self._process_batch(len(self) or 1)
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
