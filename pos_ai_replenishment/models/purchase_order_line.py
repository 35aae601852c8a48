# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

TRACKED_LINE_FIELDS = {"product_qty": "quantity", "price_unit": "price", "product_id": "product"}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    ai_proposal_id = fields.Many2one(
        "pos.replenishment.proposal",
        string="AI Proposal",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    ai_override_ids = fields.One2many("pos.ai.override", "purchase_line_id", readonly=True)

    @api.model
    def _prepare_purchase_order_line_from_procurement(  # noqa: PLR0917 - Odoo's signature
        self, product_id, product_qty, product_uom, location_dest_id, name, origin, company_id,
        values, po,
    ):  # fmt: skip
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id, product_qty, product_uom, location_dest_id, name, origin, company_id,
            values, po,
        )  # fmt: skip
        if values.get("ai_proposal_id"):
            res["ai_proposal_id"] = values["ai_proposal_id"]
        return res

    def write(self, vals):
        tracked = {f: k for f, k in TRACKED_LINE_FIELDS.items() if f in vals}
        ai_lines = self.filtered("ai_proposal_id") if tracked else self.browse()
        if ai_lines and not self.env.context.get("pos_ai_system"):
            before = {line.id: {f: line[f] for f in tracked} for line in ai_lines}
            res = super().write(vals)
            ai_lines._record_overrides(before, tracked)
            return res
        return super().write(vals)

    def _record_overrides(self, before, tracked):
        Override = self.env["pos.ai.override"].sudo()
        reason = self.env.context.get("ai_override_reason") or "not_given"
        note = self.env.context.get("ai_override_note")
        for line in self:
            for field, kind in tracked.items():
                old, new = before[line.id][field], line[field]
                if field == "product_id":
                    old, new = old.display_name, new.display_name
                if old == new:
                    continue
                Override.create(
                    {
                        "proposal_id": line.ai_proposal_id.id,
                        "purchase_line_id": line.id,
                        "order_id": line.order_id.id,
                        "kind": kind,
                        "old_value": f"{old:g}" if isinstance(old, float) else str(old),
                        "new_value": f"{new:g}" if isinstance(new, float) else str(new),
                        "reason": reason,
                        "note": note,
                    }
                )
                self.env["pos.ai.audit.log"]._log(
                    "override",
                    line.ai_proposal_id,
                    inputs={"line": line.id, "field": field, "old": str(old), "new": str(new)},
                    reasoning=note or "",
                    result=f"{kind} changed by {self.env.user.name}",
                )

    def unlink(self):
        for line in self.filtered("ai_proposal_id"):
            self.env["pos.ai.override"].sudo().create(
                {
                    "proposal_id": line.ai_proposal_id.id,
                    "order_id": line.order_id.id,
                    "kind": "removed",
                    "old_value": f"{line.product_qty:g}",
                    "reason": self.env.context.get("ai_override_reason") or "not_given",
                    "note": self.env.context.get("ai_override_note"),
                }
            )
            line.ai_proposal_id.sudo().state = "cancelled"
        return super().unlink()
