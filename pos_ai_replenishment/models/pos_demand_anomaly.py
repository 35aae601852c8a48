# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

ANOMALY_KINDS = [
    ("spike", "Sales spike"),
    ("drop", "Sales drop"),
    ("zero_sales_with_stock", "No sales while in stock"),
    ("forecast_drift", "Forecast drift"),
]


class PosDemandAnomaly(models.Model):
    """Unusual sales velocity of a product in a warehouse, found by a forecast
    run, with a score and a plain-language reason; reviewed through an activity."""

    _name = "pos.demand.anomaly"
    _description = "POS Demand Anomaly"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, score desc"
    _rec_name = "product_id"

    product_id = fields.Many2one("product.product", required=True, index=True, readonly=True)
    categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Product Category")
    warehouse_id = fields.Many2one("stock.warehouse", required=True, index=True, readonly=True)
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True, index=True)
    forecast_id = fields.Many2one("pos.demand.forecast", readonly=True, ondelete="set null")
    run_id = fields.Many2one("pos.forecast.run", readonly=True, index=True, ondelete="set null")
    date = fields.Date(required=True, readonly=True)
    kind = fields.Selection(ANOMALY_KINDS, required=True, readonly=True)
    score = fields.Float(digits=(16, 2), readonly=True, aggregator="max")
    expected = fields.Float(digits="Product Unit of Measure", readonly=True)
    actual = fields.Float(digits="Product Unit of Measure", readonly=True)
    reason = fields.Text(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("confirmed", "Confirmed"), ("dismissed", "Dismissed")],
        default="open",
        required=True,
        tracking=True,
    )

    _sql_constraints = [
        (
            "anomaly_unique",
            "unique(product_id, warehouse_id, kind, date)",
            "One anomaly of a kind per product, warehouse and day.",
        ),
    ]

    def action_confirm(self):
        self.write({"state": "confirmed"})
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def action_dismiss(self):
        self.write({"state": "dismissed"})
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def action_reopen(self):
        self.write({"state": "open"})
