# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class PosProductMapping(models.Model):
    _inherit = "pos.product.mapping"

    @api.model
    def _ls_map_products(self, source, products):
        """Keep Lightspeed item / product ids mapped to the Odoo product with
        the same SKU or barcode (the core's matching rules), so lines and
        counts that carry only the id match too, and so pushed orders can name
        the Lightspeed item of each Odoo product."""
        keys = {p: (p.sku, p.barcode, None) for p in products if p.sku or p.barcode}
        if not keys:
            return
        matches = self.env["pos.demand.signal"]._match_products(source, set(keys.values()))
        wanted = {}
        for product, key in keys.items():
            product_id, _reason = matches[key]
            if product_id:
                wanted[product.product_id] = product_id
        if not wanted:
            return
        existing = {
            m.variant_ref: m
            for m in self.with_context(active_test=False).search(
                [("source_id", "=", source.id), ("variant_ref", "in", list(wanted))]
            )
        }
        self.create(
            [
                {"source_id": source.id, "variant_ref": ref, "product_id": product_id}
                for ref, product_id in wanted.items()
                if ref not in existing
            ]
        )
        for ref, mapping in existing.items():
            if mapping.product_id.id != wanted[ref] or not mapping.active:
                mapping.write({"product_id": wanted[ref], "active": True})
