# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class PosSourceLocation(models.Model):
    _inherit = "pos.source.location"

    ls_outlet_ref = fields.Char(
        string="Outlet of Register",
        help="X-Series only: when this row is a register (webhook sales name only their "
        "register), the outlet ID it belongs to. Leave empty for shops and outlets.",
    )
