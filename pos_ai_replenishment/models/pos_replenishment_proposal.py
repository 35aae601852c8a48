# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.stock.models.stock_rule import ProcurementException

from ..demand_engine.forecasting.policy import round_order_qty
from .config import first_person
from .product_category import ROLLOUT_PHASES, most_conservative

_logger = logging.getLogger(__name__)

PROPOSAL_STATES = [
    ("blocked", "Blocked"),
    ("suggested", "Suggested"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("drafted", "RFQ drafted"),
    ("to_approve", "Waiting approval"),
    ("confirmed", "Ordered"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("blocked", "suggested", "accepted")
REJECT_REASONS = [
    ("enough_stock", "Enough stock / not needed"),
    ("wrong_quantity", "Wrong quantity"),
    ("wrong_vendor", "Wrong vendor"),
    ("wrong_price", "Wrong price"),
    ("discontinued", "Product discontinued"),
    ("promotion", "Promotion or event the AI did not know"),
    ("other", "Other"),
]
DEFAULT_GUARDRAILS = {
    "ai_auto_max_amount": 1000.0,
    "ai_auto_min_confidence": 0.6,
    "ai_manager_approval_amount": 2500.0,
}


class PosReplenishmentProposal(models.Model):
    """What the AI proposes to buy for one product in one warehouse, why, and
    what became of it (suggested, drafted as an RFQ, confirmed, rejected)."""

    _name = "pos.replenishment.proposal"
    _description = "AI Replenishment Proposal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Category")
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True, index=True)
    orderpoint_id = fields.Many2one("stock.warehouse.orderpoint", readonly=True, index=True)
    forecast_id = fields.Many2one("pos.demand.forecast", readonly=True)
    phase = fields.Selection(ROLLOUT_PHASES, required=True, readonly=True, tracking=True)
    state = fields.Selection(
        PROPOSAL_STATES, required=True, default="suggested", readonly=True, tracking=True
    )
    seller_id = fields.Many2one("product.supplierinfo", string="Vendor Price", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True, index=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True, tracking=True)
    need_quantity = fields.Float(
        digits="Product Unit of Measure", readonly=True, help="Before MOQ and pack rounding."
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    price_unit = fields.Monetary(readonly=True, help="Vendor price per product unit.")
    amount = fields.Monetary(string="Amount (vendor currency)", readonly=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_company = fields.Monetary(
        string="Amount", currency_field="company_currency_id", readonly=True
    )
    date_planned = fields.Date(string="Requested Delivery", readonly=True)
    confidence = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    qty_on_hand = fields.Float(digits="Product Unit of Measure", readonly=True)
    inventory_position = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="On hand + incoming - outgoing over the lead time, open RFQs included.",
    )
    reorder_point = fields.Float(digits="Product Unit of Measure", readonly=True)
    order_up_to = fields.Float(digits="Product Unit of Measure", readonly=True)
    reasoning = fields.Text(readonly=True)
    block_reason = fields.Text(readonly=True)
    reject_reason = fields.Selection(REJECT_REASONS, readonly=True, tracking=True)
    reject_note = fields.Text(readonly=True)
    purchase_line_ids = fields.One2many("purchase.order.line", "ai_proposal_id", readonly=True)
    purchase_order_id = fields.Many2one(
        "purchase.order", compute="_compute_purchase_order_id", string="RFQ"
    )

    @api.depends("purchase_line_ids.order_id")
    def _compute_purchase_order_id(self):
        for proposal in self:
            proposal.purchase_order_id = proposal.purchase_line_ids.order_id[:1]

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    @api.model
    def _cron_generate(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company).sudo()._generate()

    @api.model
    def action_generate_now(self):
        self.sudo()._generate()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "pos_ai_replenishment.pos_replenishment_proposal_action"
        )

    @api.model
    def _generate(self, orderpoints=None):
        """Propose for every AI reorder rule whose inventory position is at or
        below its reorder point, then act per phase. Returns the proposals."""
        company = self.env.company
        if orderpoints is None:
            orderpoints = self.env["stock.warehouse.orderpoint"].search(
                [
                    ("company_id", "=", company.id),
                    ("ai_forecast_id", "!=", False),
                    ("product_id.categ_id.replenishment_rollout_effective", "!=", "off"),
                ]
            )
        proposals = self.browse()
        velocity = self._velocity(orderpoints)
        open_of = {}
        for proposal in self.search(
            [("orderpoint_id", "in", orderpoints.ids), ("state", "in", OPEN_STATES)],
            order="id desc",
        ):
            open_of.setdefault(proposal.orderpoint_id.id, proposal)
        to_create = []
        for orderpoint in orderpoints:
            vals = self._prepare_proposal(orderpoint, velocity)
            if not vals:
                continue
            open_proposal = open_of.get(orderpoint.id)
            if open_proposal:
                open_proposal.write(vals)
                proposals |= open_proposal
            else:
                to_create.append(vals)
        proposals |= self.create(to_create)
        for proposal in proposals:
            self.env["pos.ai.audit.log"]._log(
                "proposal",
                proposal,
                inputs=proposal._snapshot(),
                reasoning=proposal.reasoning or proposal.block_reason,
                result=f"{proposal.state} ({proposal.phase}): {proposal.quantity:g} "
                f"{proposal.product_uom_id.name} from {proposal.partner_id.name or '-'}",
            )
        proposals.filtered(lambda p: p.state == "blocked")._notify_blocked()
        to_draft = proposals.filtered(
            lambda p: p.state == "suggested" and p.phase in ("draft", "auto")
        )
        to_draft._draft_rfqs()
        return proposals

    def _snapshot(self):
        self.ensure_one()
        return {
            "product": self.product_id.default_code or self.product_id.id,
            "warehouse": self.warehouse_id.code,
            "qty_on_hand": self.qty_on_hand,
            "inventory_position": self.inventory_position,
            "reorder_point": self.reorder_point,
            "order_up_to": self.order_up_to,
            "need": self.need_quantity,
            "quantity": self.quantity,
            "vendor": self.partner_id.name or None,
            "price_unit": self.price_unit,
            "confidence": self.confidence,
            "phase": self.phase,
            "model": self.forecast_id.model or None,
        }

    @api.model
    def _velocity(self, orderpoints):
        """Units per day over the last 7 and 30 days, per (product, warehouse)."""
        if not orderpoints:
            return {}
        self.env["pos.demand.daily"].flush_model()
        end = fields.Date.context_today(self)
        self.env.cr.execute(
            """
            SELECT product_id, warehouse_id,
                   COALESCE(SUM(qty_net) FILTER (WHERE date > %s), 0) / 7.0,
                   COALESCE(SUM(qty_net), 0) / 30.0
              FROM pos_demand_daily
             WHERE product_id = ANY(%s) AND warehouse_id = ANY(%s) AND date > %s
             GROUP BY product_id, warehouse_id
            """,
            [
                end - timedelta(days=8),
                orderpoints.product_id.ids,
                orderpoints.warehouse_id.ids,
                end - timedelta(days=31),
            ],
        )
        return {(p, w): (v7, v30) for p, w, v7, v30 in self.env.cr.fetchall()}

    @api.model
    def _phase_for(self, orderpoint, partner):
        return most_conservative(
            orderpoint.product_id.categ_id.replenishment_rollout_effective,
            partner.replenishment_rollout_override if partner else False,
            orderpoint.warehouse_id.replenishment_rollout_override,
        )

    @api.model
    def _prepare_proposal(self, orderpoint, velocity):
        """Values of a proposal for ``orderpoint``, or None when the inventory
        position is above the reorder point (or nothing needs ordering)."""
        product = orderpoint.product_id
        uom = product.uom_id
        position = orderpoint.qty_forecast
        low, high = orderpoint.product_min_qty, orderpoint.product_max_qty
        if float_compare(position, low, precision_rounding=uom.rounding) > 0:
            return None
        need = max(low, high) - position
        if float_is_zero(need, precision_rounding=uom.rounding) or need < 0:
            return None
        company = orderpoint.company_id
        today = fields.Date.context_today(self)
        any_seller = product.with_company(company)._select_seller(quantity=None, date=today)
        moq = any_seller.product_uom._compute_quantity(any_seller.min_qty, uom) if any_seller else 0
        quantity = float(round_order_qty(need, moq, orderpoint.qty_multiple or 0.0))
        seller = (
            product.with_company(company)._select_seller(quantity=quantity, date=today, uom_id=uom)
            or any_seller
        )
        partner = seller.partner_id
        phase = self._phase_for(orderpoint, partner)
        forecast = orderpoint.ai_forecast_id
        v7, v30 = velocity.get((product.id, orderpoint.warehouse_id.id), (0.0, 0.0))
        vals = {
            "company_id": company.id,
            "product_id": product.id,
            "warehouse_id": orderpoint.warehouse_id.id,
            "orderpoint_id": orderpoint.id,
            "forecast_id": forecast.id,
            "phase": phase,
            "need_quantity": need,
            "quantity": quantity,
            "qty_on_hand": orderpoint.qty_on_hand,
            "inventory_position": position,
            "reorder_point": low,
            "order_up_to": high,
            "confidence": self._confidence(forecast),
            "block_reason": False,
        }
        if not seller:
            vals.update(
                state="blocked",
                partner_id=False,
                seller_id=False,
                block_reason=_(
                    "No vendor: %(product)s has no vendor price list entry valid today. "
                    "Add one on the product's Purchase tab, then generate proposals again.",
                    product=product.display_name,
                ),
                reasoning=self._reasoning(orderpoint, forecast, (need, quantity, moq), (v7, v30)),
            )
            return vals
        price = seller.product_uom._compute_price(seller.price, uom)
        currency = seller.currency_id or company.currency_id
        amount = currency.round(price * quantity)
        vals.update(
            state="suggested",
            seller_id=seller.id,
            partner_id=partner.id,
            currency_id=currency.id,
            price_unit=price,
            amount=amount,
            amount_company=currency._convert(amount, company.currency_id, company, today),
            date_planned=today + timedelta(days=int(seller.delay + company.po_lead)),
            reasoning=self._reasoning(orderpoint, forecast, (need, quantity, moq), (v7, v30)),
        )
        return vals

    @api.model
    def _confidence(self, forecast):
        """1 - backtest WAPE, lowered for fallbacks, short histories and no vendor."""
        if not forecast:
            return 0.3
        score = min(max(1.0 - (forecast.wape or 1.0), 0.05), 0.99)
        if forecast.status != "ok":
            score *= 0.7
        if forecast.history_days < 90:
            score *= 0.8
        return round(score, 2)

    @api.model
    def _reasoning(self, orderpoint, forecast, quantities, velocity):
        """Plain-language why; ``quantities`` is (need, rounded quantity, MOQ)."""
        need, quantity, moq = quantities
        v7, v30 = velocity
        uom = orderpoint.product_id.uom_id.name
        in_progress = orderpoint.qty_forecast - orderpoint.qty_on_hand
        parts = [
            _(
                "On hand %(on_hand)g %(uom)s; inventory position %(position)g (incoming "
                "and open RFQs %(progress)+g) is at or below the reorder point %(rop)g.",
                on_hand=orderpoint.qty_on_hand,
                uom=uom,
                position=orderpoint.qty_forecast,
                progress=in_progress,
                rop=orderpoint.product_min_qty,
            ),
            _("Sales: %(v7).1f/day over 7 days, %(v30).1f/day over 30 days.", v7=v7, v30=v30),
        ]
        if forecast and forecast.status != "no_history":
            trend = (forecast.demand_mean / v30 - 1.0) if v30 else 0.0
            season = (
                _("above recent sales (seasonal or trend upturn)")
                if trend > 0.1
                else _("below recent sales (seasonal or trend downturn)")
                if trend < -0.1
                else _("in line with recent sales")
            )
            parts.append(
                _(
                    "The forecast expects %(mean).2f/day, %(pct)+.0f%% vs the last 30 days: "
                    "%(season)s. Over the %(lead)g-day lead time that is %(ltd).1f, plus a "
                    "safety stock of %(ss).1f for a %(sl).0f%% service level.",
                    mean=forecast.demand_mean,
                    pct=100 * trend,
                    season=season,
                    lead=forecast.lead_time,
                    ltd=forecast.lead_time_demand,
                    ss=forecast.safety_stock,
                    sl=forecast.service_level,
                )
            )
            parts.append(
                _(
                    "Model %(model)s, backtest WAPE %(wape).2f, MASE %(mase).2f.",
                    model=forecast.model,
                    wape=forecast.wape,
                    mase=forecast.mase,
                )
            )
        parts.append(
            _(
                "Order-up-to %(max)g minus position %(position)g: need %(need)g.",
                max=orderpoint.product_max_qty,
                position=orderpoint.qty_forecast,
                need=need,
            )
        )
        if quantity > need:
            if moq and moq >= need:
                parts.append(
                    _(
                        "The vendor's minimum order quantity %(moq)g is above the need: "
                        "rounded up to %(qty)g.",
                        moq=moq,
                        qty=quantity,
                    )
                )
            else:
                parts.append(
                    _(
                        "Rounded up to %(qty)g (pack multiple %(multiple)g).",
                        qty=quantity,
                        multiple=orderpoint.qty_multiple,
                    )
                )
        return "\n".join(parts)

    # ------------------------------------------------------------------
    # Phases
    # ------------------------------------------------------------------
    def _buyer(self):
        """Who follows up: the vendor's buyer, else the product's responsible,
        else a purchase manager, else the administrator."""
        self.ensure_one()
        return first_person(
            self.env,
            (self.partner_id.buyer_id, self.product_id.responsible_id),
            "purchase.group_purchase_manager",
            self.company_id,
        )

    def _notify_blocked(self):
        for proposal in self:
            if proposal.activity_ids:
                continue
            proposal.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=proposal._buyer().id,
                summary=_("AI proposal blocked: %s", proposal.product_id.display_name),
                note=proposal.block_reason,
            )

    def _draft_rfqs(self):
        """Draft RFQs through Odoo's procurement buy rule: seller choice, dates,
        one RFQ per vendor kept apart from buyers' manual drafts. All in one
        procurement run; proposals Odoo cannot draft are blocked with its reason
        and the others run again without them."""
        if not self:
            return
        pending = {proposal: proposal._procurement() for proposal in self}
        Group = self.env["procurement.group"].with_context(pos_ai_system=True)
        while pending:
            try:
                with self.env.cr.savepoint():
                    Group.run(list(pending.values()))
            except ProcurementException as err:
                failed = {}
                for procurement, message in err.procurement_exceptions:
                    failed.setdefault(procurement.values.get("ai_proposal_id"), []).append(message)
                blocked = self.browse([pid for pid in failed if pid])
                if not blocked:
                    raise
                for proposal in blocked:
                    proposal._block_draft("\n".join(failed[proposal.id]))
                    pending.pop(proposal, None)
                continue
            except UserError as err:
                if len(pending) == 1:
                    next(iter(pending))._block_draft(str(err.args[0]))
                    break
                # no way to tell which one: draft them one by one
                for proposal in list(pending):
                    proposal._draft_rfqs()
                return
            for proposal in pending:
                proposal.state = "drafted"
            break
        drafted = self.filtered(lambda p: p.state == "drafted")
        for order in drafted.purchase_line_ids.order_id:
            order._ai_after_draft(drafted.filtered(lambda p, o=order: p.purchase_order_id == o))

    def _procurement(self):
        self.ensure_one()
        orderpoint = self.orderpoint_id
        values = orderpoint._prepare_procurement_values()
        values.update(supplierinfo_id=self.seller_id, ai_proposal_id=self.id)
        return self.env["procurement.group"].Procurement(
            self.product_id,
            self.quantity,
            self.product_id.uom_id,
            orderpoint.location_id,
            orderpoint.name,
            _("AI replenishment"),
            self.company_id,
            values,
        )

    def _block_draft(self, text):
        self.ensure_one()
        self.write({"state": "blocked", "block_reason": _("Odoo could not draft it: %s", text)})
        self._notify_blocked()

    def action_accept(self):
        """Buyer accepts suggestions: draft their RFQs now."""
        proposals = self.filtered(lambda p: p.state == "suggested")
        if not proposals:
            raise UserError(_("Only suggested proposals can be accepted."))
        for proposal in proposals:
            self.env["pos.ai.audit.log"]._log(
                "proposal_accepted",
                proposal,
                inputs=proposal._snapshot(),
                result=_("accepted by %s", self.env.user.name),
            )
        proposals.sudo()._draft_rfqs()
        return True

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "pos.proposal.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_ids": self.ids, "active_model": self._name},
        }

    def _reject(self, reason, note):
        proposals = self.filtered(lambda p: p.state in OPEN_STATES)
        if not proposals:
            raise UserError(_("Only open proposals can be rejected."))
        # buyers read proposals; only these actions change them
        proposals.sudo().write({"state": "rejected", "reject_reason": reason, "reject_note": note})
        Override = self.env["pos.ai.override"]
        for proposal in proposals:
            Override.sudo().create(
                {
                    "proposal_id": proposal.id,
                    "kind": "rejected",
                    "reason": reason,
                    "note": note,
                    "old_value": f"{proposal.quantity:g}",
                }
            )
            self.env["pos.ai.audit.log"]._log(
                "proposal_rejected",
                proposal,
                inputs=proposal._snapshot(),
                reasoning=note or "",
                result=dict(REJECT_REASONS)[reason],
            )
        proposals.sudo().activity_unlink(["mail.mail_activity_data_todo"])

    def action_view_rfq(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "purchase.order",
            "res_id": self.purchase_order_id.id,
            "view_mode": "form",
        }
