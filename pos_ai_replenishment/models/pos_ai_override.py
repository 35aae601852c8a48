# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from .pos_replenishment_proposal import REJECT_REASONS

OVERRIDE_KINDS = [
    ("quantity", "Quantity changed"),
    ("price", "Price changed"),
    ("vendor", "Vendor changed"),
    ("product", "Product changed"),
    ("cancelled", "Cancelled"),
    ("removed", "Line removed"),
    ("rejected", "Proposal rejected"),
]


class PosAiOverride(models.Model):
    """A buyer's change to what the AI proposed or drafted: what changed, from
    what to what, and why. The share of overridden AI lines is a guardrail."""

    _name = "pos.ai.override"
    _description = "AI Proposal Override"
    _order = "id desc"
    _rec_name = "kind"

    proposal_id = fields.Many2one(
        "pos.replenishment.proposal", required=True, readonly=True, index=True, ondelete="cascade"
    )
    purchase_line_id = fields.Many2one("purchase.order.line", readonly=True, ondelete="set null")
    order_id = fields.Many2one("purchase.order", readonly=True, ondelete="set null")
    company_id = fields.Many2one(related="proposal_id.company_id", store=True, index=True)
    categ_id = fields.Many2one(related="proposal_id.categ_id", store=True, string="Category")
    partner_id = fields.Many2one(related="proposal_id.partner_id", store=True, string="Vendor")
    kind = fields.Selection(OVERRIDE_KINDS, required=True, readonly=True)
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(readonly=True)
    reason = fields.Selection(
        REJECT_REASONS + [("not_given", "Not given yet")], default="not_given", required=True
    )
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user, string="By"
    )

    def write(self, vals):
        """What happened is a record; only why (reason, note) can be filled in later."""
        if set(vals) - {"reason", "note"}:
            raise UserError(self.env._("Only the reason and the note of an override can change."))
        return super().write(vals)
