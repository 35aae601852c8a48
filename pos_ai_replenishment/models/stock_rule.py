# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _make_po_get_domain(self, company_id, values, partner):
        """AI-drafted RFQs and buyers' own drafts never merge into each other."""
        domain = super()._make_po_get_domain(company_id, values, partner)
        return (*domain, ("ai_generated", "=", bool(values.get("ai_proposal_id"))))

    def _prepare_purchase_order(self, company_id, origins, values):
        res = super()._prepare_purchase_order(company_id, origins, values)
        if any(v.get("ai_proposal_id") for v in values):
            res["ai_generated"] = True
        return res
