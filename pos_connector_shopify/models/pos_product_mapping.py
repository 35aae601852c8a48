# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class PosProductMapping(models.Model):
    _inherit = "pos.product.mapping"

    @api.model
    def _shopify_map_variants(self, source, variants):
        """Keep Shopify variant and inventory item ids mapped to the product
        with the variant's SKU or barcode (products/create, products/update),
        so inventory levels, which carry only the inventory item, match too."""
        Product = self.env["product.product"].sudo()
        for variant in variants:
            product = Product.browse()
            if variant.sku:
                product = Product.search([("default_code", "=", variant.sku)], limit=2)
            if len(product) != 1 and variant.barcode:
                product = Product.search([("barcode", "=", variant.barcode)], limit=2)
            if len(product) != 1:
                continue
            for ref in filter(None, (variant.variant_id, variant.inventory_ref)):
                mapping = self.with_context(active_test=False).search(
                    [("source_id", "=", source.id), ("variant_ref", "=", ref)], limit=1
                )
                if not mapping:
                    self.create(
                        {"source_id": source.id, "variant_ref": ref, "product_id": product.id}
                    )
                elif mapping.product_id != product or not mapping.active:
                    mapping.write({"product_id": product.id, "active": True})
