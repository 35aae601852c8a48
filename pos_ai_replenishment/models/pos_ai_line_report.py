# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class PosAiLineReport(models.Model):
    """Guardrail dashboard, one row per AI purchase order line: was it
    overridden, and how late against its planned date did it arrive."""

    _name = "pos.ai.line.report"
    _description = "AI Purchase Line Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "purchase.order.line": ["ai_proposal_id", "order_id", "product_id", "date_planned"],
        "purchase.order": ["partner_id", "state", "date_order", "company_id"],
        "pos.replenishment.proposal": ["phase"],
        "pos.ai.override": ["purchase_line_id"],
        "stock.move": ["purchase_line_id", "state", "date"],
    }

    order_id = fields.Many2one("purchase.order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    order_state = fields.Selection(
        [
            ("draft", "RFQ"),
            ("sent", "RFQ Sent"),
            ("to approve", "To Approve"),
            ("purchase", "Purchase Order"),
            ("done", "Locked"),
            ("cancel", "Cancelled"),
        ],
        readonly=True,
    )
    phase = fields.Selection(
        [("suggest", "Suggest only"), ("draft", "Draft"), ("auto", "Automatic")], readonly=True
    )
    line_count = fields.Integer(string="AI Lines", readonly=True, aggregator="sum")
    override_rate = fields.Float(
        string="Overridden (share)",
        readonly=True,
        aggregator="avg",
        help="Share of AI lines a buyer changed, removed or cancelled.",
    )
    lead_time_error = fields.Float(
        string="Lead Time Error (days)",
        readonly=True,
        aggregator="avg",
        help="Receipt date minus planned date; positive is late.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT l.id, l.order_id, o.partner_id, l.product_id, t.categ_id,
                       o.company_id, o.date_order::date AS date, o.state AS order_state,
                       p.phase, 1 AS line_count,
                       CASE WHEN EXISTS (SELECT 1 FROM pos_ai_override v
                                          WHERE v.purchase_line_id = l.id)
                            THEN 1.0 ELSE 0.0 END AS override_rate,
                       (SELECT AVG(EXTRACT(EPOCH FROM (m.date - l.date_planned)) / 86400.0)
                          FROM stock_move m
                         WHERE m.purchase_line_id = l.id AND m.state = 'done'
                       ) AS lead_time_error
                  FROM purchase_order_line l
                  JOIN purchase_order o ON o.id = l.order_id
                  JOIN pos_replenishment_proposal p ON p.id = l.ai_proposal_id
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template t ON t.id = pp.product_tmpl_id
            )
            """
        )
