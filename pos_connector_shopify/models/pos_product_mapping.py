# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class PosProductMapping(models.Model):
    _inherit = "pos.product.mapping"

    @api.model
    def _shopify_map_variants(self, source, variants):
        """Keep Shopify variant and inventory item ids mapped to the product
        with the variant's SKU or barcode (products/create, products/update),
        so inventory levels, which carry only the inventory item, match too."""
        # the core's matching (SKU, then barcode, ambiguity and company rules)
        keys = {variant: (variant.sku, variant.barcode, None) for variant in variants}
        matches = self.env["pos.demand.signal"]._match_products(source, keys.values())
        wanted = {}
        for variant, key in keys.items():
            product_id, _reason = matches[key]
            if product_id:
                for ref in filter(None, (variant.variant_id, variant.inventory_ref)):
                    wanted[ref] = product_id
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
