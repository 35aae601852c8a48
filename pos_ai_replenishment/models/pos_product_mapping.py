# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PosProductMapping(models.Model):
    """Explicit POS variant (or SKU) to product link, for items whose SKU and
    barcode do not match any Odoo product."""

    _name = "pos.product.mapping"
    _description = "POS Product Mapping"
    _order = "source_id, variant_ref, sku"

    source_id = fields.Many2one("pos.source", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    variant_ref = fields.Char(string="POS Variant ID", index=True)
    sku = fields.Char(string="POS SKU", index=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", check_company=True
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "variant_unique",
            "unique(source_id, variant_ref)",
            "This POS variant is already mapped for this source.",
        ),
        (
            "sku_unique",
            "unique(source_id, sku)",
            "This POS SKU is already mapped for this source.",
        ),
    ]

    @api.constrains("variant_ref", "sku")
    def _check_key(self):
        if any(not (m.variant_ref or m.sku) for m in self):
            raise ValidationError(_("A mapping needs a POS variant ID or a POS SKU."))

    @api.model_create_multi
    def create(self, vals_list):
        mappings = super().create(vals_list)
        mappings._resolve_unmatched_signals()
        return mappings

    def write(self, vals):
        result = super().write(vals)
        if {"variant_ref", "sku", "product_id", "active", "source_id"} & set(vals):
            self._resolve_unmatched_signals()
        return result

    def _resolve_unmatched_signals(self):
        signals = self.env["pos.demand.signal"].sudo()
        for source, mappings in self.grouped("source_id").items():
            signals._rematch(
                [
                    ("source_id", "=", source.id),
                    "|",
                    ("variant_ref", "in", [v for v in mappings.mapped("variant_ref") if v]),
                    ("sku", "in", [s for s in mappings.mapped("sku") if s]),
                ]
            )
