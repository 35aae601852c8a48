# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    vendor_promised_date = fields.Datetime(
        copy=False,
        readonly=True,
        help="The expected arrival when the order was confirmed: what on-time is judged "
        "against, whatever later ETAs say.",
    )
