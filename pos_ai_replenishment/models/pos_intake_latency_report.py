# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class PosIntakeLatencyReport(models.Model):
    """Guardrail dashboard: how long POS events take to reach Odoo (sale time
    to receipt) and to become demand (receipt to processed), per event.

    The receipt time comes from PostgreSQL (microseconds) and the processed
    time from the ORM (whole seconds), so a sub-second processing would show
    as slightly negative: it is floored at 0."""

    _name = "pos.intake.latency.report"
    _description = "POS Intake Latency"
    _auto = False
    _order = "date desc"
    _depends = {
        "pos.inbox.event": ["source_id", "company_id", "received_at", "processed_at", "state"],
        "pos.demand.signal": ["event_id", "occurred_at"],
    }

    source_id = fields.Many2one("pos.source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    event_count = fields.Integer(string="Events", readonly=True, aggregator="sum")
    delivery_seconds = fields.Float(
        string="Sale to Odoo (s)", readonly=True, aggregator="avg",
        help="Inbox receipt time minus the sale time reported by the POS.",
    )  # fmt: skip
    processing_seconds = fields.Float(
        string="Receipt to Demand (s)", readonly=True, aggregator="avg",
        help="Processed time minus inbox receipt time.",
    )  # fmt: skip
    max_processing_seconds = fields.Float(
        string="Slowest Receipt to Demand (s)", readonly=True, aggregator="max"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT e.id, e.source_id, e.company_id, e.received_at::date AS date,
                       1 AS event_count,
                       EXTRACT(EPOCH FROM (e.received_at - (
                           SELECT MIN(s.occurred_at) FROM pos_demand_signal s
                            WHERE s.event_id = e.id))) AS delivery_seconds,
                       GREATEST(EXTRACT(EPOCH FROM (e.processed_at - e.received_at)), 0)
                           AS processing_seconds,
                       GREATEST(EXTRACT(EPOCH FROM (e.processed_at - e.received_at)), 0)
                           AS max_processing_seconds
                  FROM pos_inbox_event e
                 WHERE e.state = 'done' AND e.processed_at IS NOT NULL
            )
            """
        )
