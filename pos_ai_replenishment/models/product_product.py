# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        products._match_pos_signals()
        return products

    def write(self, vals):
        result = super().write(vals)
        if "default_code" in vals or "barcode" in vals:
            self._match_pos_signals()
        return result

    def _match_pos_signals(self):
        """Unmatched POS lines carrying this product's SKU or barcode match
        it now and flow into daily demand."""
        codes = [c for c in self.mapped("default_code") if c]
        barcodes = [b for b in self.mapped("barcode") if b]
        if not (codes or barcodes):
            return
        self.env["pos.demand.signal"].sudo()._rematch(
            ["|", ("sku", "in", codes), ("barcode", "in", barcodes)]
        )
