# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    ai_forecast_id = fields.Many2one(
        "pos.demand.forecast",
        string="AI Forecast",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    ai_managed = fields.Boolean(
        string="AI Min/Max",
        readonly=True,
        copy=False,
        help="Min and max were last written by an AI forecast run.",
    )
    ai_keep_manual = fields.Boolean(
        string="Keep Manual Min/Max",
        help="Forecast runs leave the min and max of this rule alone.",
    )
    ai_explanation = fields.Text(related="ai_forecast_id.explanation", string="AI Reason")
    ai_model = fields.Char(related="ai_forecast_id.model", string="AI Model")

    def action_open_ai_forecast(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "pos.demand.forecast",
            "res_id": self.ai_forecast_id.id,
            "view_mode": "form",
            "target": "current",
        }
