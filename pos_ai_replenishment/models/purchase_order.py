# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import _, api, fields, models

from .config import config_value
from .pos_replenishment_proposal import DEFAULT_GUARDRAILS

PROPOSAL_STATE_OF_ORDER = {
    "draft": "drafted",
    "sent": "drafted",
    "to approve": "to_approve",
    "purchase": "confirmed",
    "done": "confirmed",
    "cancel": "cancelled",
}


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    ai_generated = fields.Boolean(
        string="AI Drafted", readonly=True, copy=False, index=True, tracking=True
    )
    ai_proposal_ids = fields.Many2many(
        "pos.replenishment.proposal", compute="_compute_ai_proposal_ids", string="AI Proposals"
    )
    ai_auto_confirmed = fields.Boolean(readonly=True, copy=False)
    ai_manager_reason = fields.Char(
        compute="_compute_ai_manager_reason",
        string="Needs Manager Because",
        help="Why this AI order needs a purchase manager's approval.",
    )

    @api.depends("order_line.ai_proposal_id")
    def _compute_ai_proposal_ids(self):
        for order in self:
            order.ai_proposal_ids = order.order_line.ai_proposal_id

    @api.depends("ai_generated", "amount_total", "partner_id")
    def _compute_ai_manager_reason(self):
        for order in self:
            order.ai_manager_reason = order._ai_needs_manager() if order.ai_generated else False

    # ------------------------------------------------------------------
    # Guardrails and approvals
    # ------------------------------------------------------------------
    def _ai_param(self, key):
        return config_value(self.env, f"pos_ai_replenishment.{key}", DEFAULT_GUARDRAILS[key], float)

    def _amount_company(self):
        self.ensure_one()
        return self.currency_id._convert(
            self.amount_total,
            self.company_id.currency_id,
            self.company_id,
            self.date_order or fields.Date.today(),
        )

    def _ai_vendor_is_new(self):
        """Never ordered from before: no other confirmed order with this vendor."""
        self.ensure_one()
        return not self.sudo().search_count(
            [
                ("partner_id", "=", self.partner_id.id),
                ("state", "in", ("purchase", "done")),
                ("id", "!=", self.id),
            ],
            limit=1,
        )

    def _ai_needs_manager(self):
        """The reason an AI order needs a manager whatever the phase, or False."""
        self.ensure_one()
        limit = self._ai_param("ai_manager_approval_amount")
        if self._amount_company() > limit:
            return _(
                "amount %(amount)s above the AI approval limit %(limit)s",
                amount=self.company_id.currency_id.format(self._amount_company()),
                limit=self.company_id.currency_id.format(limit),
            )
        if self._ai_vendor_is_new():
            return _("first order with %s", self.partner_id.name)
        return False

    def _approval_allowed(self):
        """AI orders above the AI amount or for a new vendor always need a purchase
        manager; an automatic confirmation is never a manager, so it also goes
        through the company's double validation like a plain user."""
        self.ensure_one()
        if not self.ai_generated:
            return super()._approval_allowed()
        if self.env.context.get("pos_ai_auto_confirm"):
            company = self.company_id
            allowed = company.po_double_validation == "one_step" or (
                company.po_double_validation == "two_step"
                and self._amount_company() < company.po_double_validation_amount
            )
            return allowed and not self._ai_needs_manager()
        is_manager = self.env.user.has_group("purchase.group_purchase_manager")
        if self._ai_needs_manager() and not is_manager:
            return False
        return super()._approval_allowed()

    def _ai_guardrail_failures(self):
        """Why this AI RFQ may not be confirmed automatically (empty: it may)."""
        self.ensure_one()
        failures = []
        history = self.sudo().search_count(
            [
                ("partner_id", "=", self.partner_id.id),
                ("state", "in", ("purchase", "done")),
                ("effective_date", "!=", False),
                ("id", "!=", self.id),
            ]
        )
        if not history:
            failures.append(_("no delivery history with %s", self.partner_id.name))
        limit = self._ai_param("ai_auto_max_amount")
        if self._amount_company() > limit:
            failures.append(
                _(
                    "amount %(amount)s above the automatic limit %(limit)s",
                    amount=self.company_id.currency_id.format(self._amount_company()),
                    limit=self.company_id.currency_id.format(limit),
                )
            )
        threshold = self._ai_param("ai_auto_min_confidence")
        low = self.ai_proposal_ids.filtered(lambda p: p.confidence < threshold)
        if low:
            failures.append(
                _(
                    "confidence below %(threshold).2f for %(products)s",
                    threshold=threshold,
                    products=", ".join(low.product_id.mapped("display_name")),
                )
            )
        anomalies = (
            self.env["pos.demand.anomaly"]
            .sudo()
            .search([("product_id", "in", self.order_line.product_id.ids), ("state", "=", "open")])
        )
        if anomalies:
            failures.append(
                _(
                    "open demand anomaly on %s",
                    ", ".join(anomalies.product_id.mapped("display_name")),
                )
            )
        if self.ai_proposal_ids.filtered(lambda p: p.phase != "auto"):
            failures.append(_("some lines are in a phase that needs a buyer"))
        return failures

    # ------------------------------------------------------------------
    # After drafting
    # ------------------------------------------------------------------
    def _ai_after_draft(self, proposals):
        """Explain the RFQ in chatter, ask the buyer to review it, and confirm it
        when every proposal is in the auto phase and the guardrails hold."""
        self.ensure_one()
        items = Markup("").join(
            Markup("<li><b>%s</b>: %s %s. %s</li>")
            % (
                p.product_id.display_name,
                f"{p.quantity:g}",
                p.product_id.uom_id.name,
                escape(p.reasoning or "").replace("\n", Markup("<br/>")),
            )
            for p in proposals
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (_("Drafted by AI replenishment from POS demand forecasts:"), items),
            subtype_xmlid="mail.mt_note",
        )
        for proposal in proposals:
            self.env["pos.ai.audit.log"]._log(
                "rfq_drafted",
                proposal,
                inputs=proposal._snapshot(),
                reasoning=proposal.reasoning,
                result=f"{self.name}: {proposal.quantity:g} x {proposal.product_id.display_name}",
            )
        failures = self._ai_guardrail_failures()
        if all(p.phase == "auto" for p in self.ai_proposal_ids) and not failures:
            self._ai_auto_confirm()
            return
        if all(p.phase == "auto" for p in self.ai_proposal_ids):
            self.message_post(
                body=_("Not confirmed automatically: %s.", "; ".join(failures)),
                subtype_xmlid="mail.mt_note",
            )
        buyer = proposals[:1]._buyer()
        if not self.activity_ids.filtered(lambda a: a.user_id == buyer):
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=buyer.id,
                summary=_("Review the AI-drafted RFQ"),
                note=_("Check quantities and vendor, then confirm or cancel."),
            )

    def _ai_auto_confirm(self):
        self.ensure_one()
        self.with_context(pos_ai_auto_confirm=True).button_confirm()
        self.ai_auto_confirmed = True
        summary = _(
            "Confirmed automatically within guardrails (vendor with delivery history, "
            "amount %(amount)s, confidence %(confidence).2f or more, no open anomaly). "
            "State: %(state)s. Cancel it or change it like any order; changes are recorded "
            "as overrides.",
            amount=self.company_id.currency_id.format(self._amount_company()),
            confidence=min(self.ai_proposal_ids.mapped("confidence")),
            state=dict(self._fields["state"].selection)[self.state],
        )
        self.message_post(body=summary, subtype_xmlid="mail.mt_note")
        for proposal in self.ai_proposal_ids:
            self.env["pos.ai.audit.log"]._log(
                "auto_confirm", proposal, inputs=proposal._snapshot(), result=summary
            )

    # ------------------------------------------------------------------
    # Keep proposals in step and record overrides
    # ------------------------------------------------------------------
    def write(self, vals):
        old_partner = {o.id: o.partner_id for o in self} if "partner_id" in vals else {}
        res = super().write(vals)
        ai_orders = self.filtered("ai_generated")
        if "state" in vals and ai_orders:
            ai_orders._ai_sync_proposals()
        if old_partner and ai_orders and not self.env.context.get("pos_ai_system"):
            for order in ai_orders.filtered(lambda o: o.partner_id != old_partner[o.id]):
                for line in order.order_line.filtered("ai_proposal_id"):
                    self.env["pos.ai.override"].sudo().create(
                        {
                            "proposal_id": line.ai_proposal_id.id,
                            "purchase_line_id": line.id,
                            "order_id": order.id,
                            "kind": "vendor",
                            "old_value": old_partner[order.id].display_name,
                            "new_value": order.partner_id.display_name,
                            "reason": self.env.context.get("ai_override_reason") or "not_given",
                            "note": self.env.context.get("ai_override_note"),
                        }
                    )
        return res

    def _ai_sync_proposals(self):
        for order in self:
            state = PROPOSAL_STATE_OF_ORDER.get(order.state)
            proposals = order.ai_proposal_ids.sudo()
            if not state or not proposals:
                continue
            changed = proposals.filtered(lambda p, s=state: p.state != s)
            changed.write({"state": state})
            for proposal in changed:
                self.env["pos.ai.audit.log"]._log(
                    f"order_{order.state.replace(' ', '_')}",
                    proposal,
                    inputs={"order": order.name, "amount": order.amount_total},
                    result=f"{order.name} is {order.state} (by {self.env.user.name})",
                )
            if state == "cancelled" and not self.env.context.get("pos_ai_system"):
                for line in order.order_line.filtered("ai_proposal_id"):
                    self.env["pos.ai.override"].sudo().create(
                        {
                            "proposal_id": line.ai_proposal_id.id,
                            "purchase_line_id": line.id,
                            "order_id": order.id,
                            "kind": "cancelled",
                            "old_value": f"{line.product_qty:g}",
                            "reason": self.env.context.get("ai_override_reason") or "not_given",
                            "note": self.env.context.get("ai_override_note"),
                        }
                    )
