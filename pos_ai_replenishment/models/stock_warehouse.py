# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .product_category import ROLLOUT_PHASES


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    replenishment_rollout_override = fields.Selection(
        ROLLOUT_PHASES,
        string="AI Replenishment Limit",
        help="Caps how far AI replenishment goes for this warehouse, whatever the "
        "product category allows (the most conservative setting wins).",
    )
