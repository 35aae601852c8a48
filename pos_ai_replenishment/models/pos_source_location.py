# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class PosSourceLocation(models.Model):
    """Which Odoo warehouse a POS location (store, register, outlet) feeds."""

    _name = "pos.source.location"
    _description = "POS Location to Warehouse"
    _order = "source_id, external_location"

    source_id = fields.Many2one("pos.source", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    external_location = fields.Char(
        string="POS Location ID", required=True, help="Location id as the POS sends it."
    )
    name = fields.Char(string="POS Location Name")
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True, ondelete="restrict"
    )

    _sql_constraints = [
        (
            "location_unique",
            "unique(source_id, external_location)",
            "A POS location can be mapped only once per source.",
        ),
    ]
