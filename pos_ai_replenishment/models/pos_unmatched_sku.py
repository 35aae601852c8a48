# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models, tools


class PosUnmatchedSku(models.Model):
    """POS items no product matched yet, one row per source and item, with
    the reason. Read-only SQL view over the unmatched signals."""

    _name = "pos.unmatched.sku"
    _description = "Unmatched POS SKU"
    _auto = False
    _order = "last_seen desc"
    _depends = {
        "pos.demand.signal": [
            "source_id",
            "company_id",
            "sku",
            "barcode",
            "variant_ref",
            "match_reason",
            "match_state",
            "kind",
            "quantity",
            "occurred_at",
        ],
    }

    source_id = fields.Many2one("pos.source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    barcode = fields.Char(readonly=True)
    variant_ref = fields.Char(string="POS Variant ID", readonly=True)
    reason = fields.Char(readonly=True)
    signal_count = fields.Integer(string="Signals", readonly=True)
    quantity = fields.Float(string="Net Quantity", readonly=True)
    first_seen = fields.Datetime(readonly=True)
    last_seen = fields.Datetime(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT MIN(s.id) AS id,
                       s.source_id, s.company_id, s.sku, s.barcode, s.variant_ref,
                       MAX(s.match_reason) AS reason,
                       COUNT(*) AS signal_count,
                       SUM(s.quantity) FILTER (WHERE s.kind <> 'inventory') AS quantity,
                       MIN(s.occurred_at) AS first_seen,
                       MAX(s.occurred_at) AS last_seen
                  FROM pos_demand_signal s
                 WHERE s.match_state = 'unmatched'
                 GROUP BY s.source_id, s.company_id, s.sku, s.barcode, s.variant_ref
            )
            """
        )

    def action_map_product(self):
        """Open a new mapping for this item; saving it matches the signals."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Map POS item to a product"),
            "res_model": "pos.product.mapping",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_source_id": self.source_id.id,
                "default_variant_ref": self.variant_ref,
                "default_sku": False if self.variant_ref else self.sku,
            },
        }

    def action_retry_matching(self):
        signals = self.env["pos.demand.signal"]
        for row in self:
            signals._rematch(
                [
                    ("source_id", "=", row.source_id.id),
                    ("sku", "=", row.sku),
                    ("barcode", "=", row.barcode),
                    ("variant_ref", "=", row.variant_ref),
                ]
            )
        return True
