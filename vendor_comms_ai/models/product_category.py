# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    vendor_learn_lead_times = fields.Boolean(
        string="Learn Vendor Lead Times",
        tracking=True,
        help="Scorecard runs set the vendor lead time (delay) of this category's products "
        "from the lead times actually observed on receipts.",
    )
