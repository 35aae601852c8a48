# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.pos_replenishment_proposal import REJECT_REASONS


class PosProposalRejectWizard(models.TransientModel):
    _name = "pos.proposal.reject.wizard"
    _description = "Reject AI Proposals"

    proposal_ids = fields.Many2many(
        "pos.replenishment.proposal",
        default=lambda self: self.env.context.get("active_ids"),
    )
    reason = fields.Selection(REJECT_REASONS, required=True)
    note = fields.Text(string="Why")

    def action_reject(self):
        self.proposal_ids._reject(self.reason, self.note)
        return {"type": "ir.actions.act_window_close"}
