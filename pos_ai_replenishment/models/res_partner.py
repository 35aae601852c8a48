# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .product_category import ROLLOUT_PHASES


class ResPartner(models.Model):
    _inherit = "res.partner"

    replenishment_rollout_override = fields.Selection(
        ROLLOUT_PHASES,
        string="AI Replenishment Limit",
        tracking=True,
        help="Caps how far AI replenishment goes with this vendor, whatever the "
        "product category allows (the most conservative setting wins).",
    )
