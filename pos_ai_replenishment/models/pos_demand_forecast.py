# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

FORECAST_STATUS = [
    ("ok", "Forecast"),
    ("no_vendor", "No vendor"),
    ("short_history", "Too little history"),
    ("no_history", "No history"),
    ("fallback", "Fallback model"),
]


class PosDemandForecast(models.Model):
    """The latest forecast and reorder policy of one product in one warehouse,
    rewritten in bulk by each forecast run."""

    _name = "pos.demand.forecast"
    _description = "POS Demand Forecast"
    _order = "reorder_point desc, product_id, warehouse_id"
    _rec_name = "product_id"

    product_id = fields.Many2one("product.product", required=True, index=True, readonly=True)
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id")
    categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Product Category")
    warehouse_id = fields.Many2one("stock.warehouse", required=True, index=True, readonly=True)
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True, index=True)
    run_id = fields.Many2one("pos.forecast.run", string="Last Run", readonly=True, index=True)
    forecast_date = fields.Date(readonly=True, help="Day the forecast starts (day after history).")
    status = fields.Selection(FORECAST_STATUS, required=True, default="ok", readonly=True)
    status_message = fields.Char(readonly=True)
    model = fields.Char(string="Chosen Model", readonly=True)
    demand_class = fields.Char(readonly=True, help="Syntetos-Boylan demand class.")
    history_days = fields.Integer(readonly=True)
    wape = fields.Float(string="Backtest WAPE", digits=(16, 3), readonly=True)
    mase = fields.Float(string="Backtest MASE", digits=(16, 3), readonly=True)
    bias = fields.Float(string="Backtest Bias", digits=(16, 3), readonly=True)
    demand_mean = fields.Float(string="Demand / Day", digits=(16, 3), readonly=True)
    demand_std = fields.Float(string="Sigma / Day", digits=(16, 3), readonly=True)
    horizon_demand = fields.Float(
        digits="Product Unit of Measure", readonly=True, help="Forecast units over the horizon."
    )
    vendor_id = fields.Many2one("res.partner", readonly=True)
    lead_time = fields.Float(string="Lead Time (days)", readonly=True)
    lead_time_std = fields.Float(string="Lead Time Sigma (days)", readonly=True)
    review_period = fields.Float(string="Review Period (days)", readonly=True)
    lead_time_demand = fields.Float(digits="Product Unit of Measure", readonly=True)
    lead_time_demand_std = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="sqrt(L * sigma_d^2 + d^2 * sigma_L^2)",
    )
    protection_demand = fields.Float(
        string="Demand over Lead Time + Review",
        digits="Product Unit of Measure",
        readonly=True,
        help="What one order has to cover: (L + R) x demand per day.",
    )
    protection_std = fields.Float(
        string="Sigma over Lead Time + Review",
        digits="Product Unit of Measure",
        readonly=True,
        help="sqrt((L + R) * sigma_d^2 + d^2 * sigma_L^2)",
    )
    abc = fields.Selection([("A", "A"), ("B", "B"), ("C", "C")], string="ABC", readonly=True)
    service_level = fields.Float(string="Service Level (%)", readonly=True)
    z = fields.Float(string="z", digits=(16, 3), readonly=True)
    safety_stock = fields.Float(digits="Product Unit of Measure", readonly=True)
    reorder_point = fields.Float(digits="Product Unit of Measure", readonly=True)
    order_up_to = fields.Float(digits="Product Unit of Measure", readonly=True)
    moq = fields.Float(string="Vendor MOQ", digits="Product Unit of Measure", readonly=True)
    orderpoint_id = fields.Many2one("stock.warehouse.orderpoint", readonly=True)
    explanation = fields.Text(readonly=True)
    chart_data = fields.Json(readonly=True, help="History, forecast and interval for the chart.")
    anomaly_ids = fields.One2many("pos.demand.anomaly", "forecast_id")

    _sql_constraints = [
        (
            "pair_unique",
            "unique(product_id, warehouse_id)",
            "One forecast per product and warehouse.",
        ),
    ]

    def action_view_orderpoint(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_orderpoint_replenish")
        action["domain"] = [("id", "=", self.orderpoint_id.id)]
        action["context"] = {"search_default_filter_not_snoozed": False}
        return action
