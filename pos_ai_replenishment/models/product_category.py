# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

ROLLOUT_PHASES = [
    ("off", "Off"),
    ("suggest", "Suggest only"),
    ("draft", "Draft for approval"),
    ("auto", "Automatic within guardrails"),
]
PHASE_ORDER = [code for code, _label in ROLLOUT_PHASES]


def most_conservative(*phases):
    """The least automated of the given phases (unset ones ignored); off when none."""
    ranked = [PHASE_ORDER.index(p) for p in phases if p]
    return PHASE_ORDER[min(ranked)] if ranked else "off"


class ProductCategory(models.Model):
    _inherit = "product.category"

    replenishment_rollout = fields.Selection(
        ROLLOUT_PHASES,
        string="AI Replenishment",
        tracking=True,
        help="How far AI replenishment goes for this category. Empty: as the parent "
        "category (Off at the top of the tree).",
    )
    replenishment_rollout_effective = fields.Selection(
        ROLLOUT_PHASES,
        string="AI Replenishment (effective)",
        compute="_compute_replenishment_effective",
        store=True,
        recursive=True,
    )
    replenishment_service_level = fields.Float(
        string="Service Level (%)",
        tracking=True,
        help="Target cycle service level for safety stock. 0: as the parent category, "
        "or by ABC class of revenue (A 95%, B 90%, C 85%) when no category sets one.",
    )
    replenishment_service_level_effective = fields.Float(
        string="Service Level (effective, %)",
        compute="_compute_replenishment_effective",
        store=True,
        recursive=True,
    )

    @api.depends(
        "replenishment_rollout",
        "replenishment_service_level",
        "parent_id.replenishment_rollout_effective",
        "parent_id.replenishment_service_level_effective",
    )
    def _compute_replenishment_effective(self):
        for categ in self:
            parent = categ.parent_id
            categ.replenishment_rollout_effective = (
                categ.replenishment_rollout or parent.replenishment_rollout_effective or "off"
            )
            categ.replenishment_service_level_effective = (
                categ.replenishment_service_level
                or parent.replenishment_service_level_effective
                or 0.0
            )

    @api.constrains("replenishment_service_level")
    def _check_replenishment_service_level(self):
        for categ in self:
            if not 0 <= categ.replenishment_service_level < 100:
                raise ValidationError(
                    self.env._("A service level is a percentage below 100 (0 means inherit).")
                )
