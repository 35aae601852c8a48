# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import datetime, time, timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models

from odoo.addons.pos_ai_replenishment.models.config import config_value, first_person
from odoo.addons.pos_ai_replenishment.models.product_category import most_conservative

from ..vendor_engine.phone import normalize_phone
from ..vendor_engine.templates import PoContext, PoLine

_logger = logging.getLogger(__name__)

VENDOR_STATUS = [
    ("not_sent", "Not sent"),
    ("prepared", "Prepared for the buyer"),
    ("sent", "Sent to vendor"),
    ("confirmed", "Confirmed by vendor"),
    ("shipped", "Shipped"),
    ("declined", "Declined by vendor"),
    ("escalated", "Escalated to buyer"),
]
DEFAULTS = {
    "follow_up_days": 2,
    "shipping_check_days": 2,
    "max_follow_ups": 2,
}


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    vendor_status = fields.Selection(
        VENDOR_STATUS, default="not_sent", copy=False, tracking=True, readonly=True
    )
    vendor_cover_message = fields.Text(
        copy=False, help="The drafted cover message sent with the purchase order."
    )
    vendor_sent_at = fields.Datetime(copy=False, readonly=True)
    vendor_replied_at = fields.Datetime(copy=False, readonly=True)
    vendor_eta = fields.Date(string="Vendor ETA", copy=False, readonly=True, tracking=True)
    vendor_ship_date = fields.Date(copy=False, readonly=True)
    vendor_follow_up_count = fields.Integer(copy=False, readonly=True)
    vendor_last_follow_up_at = fields.Datetime(copy=False, readonly=True)
    vendor_phone_e164 = fields.Char(
        string="Vendor Phone (E.164)", compute="_compute_vendor_phone_e164"
    )
    vendor_tracking_ids = fields.One2many("vendor.shipment.tracking", "order_id", readonly=True)

    @api.depends("partner_id.phone", "partner_id.mobile", "partner_id.country_id")
    def _compute_vendor_phone_e164(self):
        for order in self:
            partner = order.partner_id
            raw = partner.phone or partner.mobile or partner.commercial_partner_id.phone
            result = normalize_phone(raw or "", partner.country_id.code or None)
            order.vendor_phone_e164 = result.e164 or (
                raw and self.env._("%s (not a valid number)", raw)
            )

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------
    def _vendor_param(self, key):
        return config_value(self.env, f"vendor_comms_ai.{key}", DEFAULTS[key])

    def _vendor_comms_enabled(self):
        """AI purchase orders always; any order when the setting says so."""
        every_po = config_value(self.env, "vendor_comms_ai.all_orders", False, bool)
        return self.filtered(lambda o: o.ai_generated or every_po)

    def _vendor_buyer(self):
        """Who acts on the vendor's side of this order: its buyer, else a purchase manager."""
        self.ensure_one()
        return first_person(
            self.env, (self.user_id,), "purchase.group_purchase_manager", self.company_id
        )

    def _vendor_phase(self):
        """Auto only when every AI line is in the automatic phase; else a buyer sends."""
        self.ensure_one()
        phases = self.order_line.ai_proposal_id.mapped("phase")
        return most_conservative(*phases) if phases else "draft"

    # ------------------------------------------------------------------
    # Sending the order
    # ------------------------------------------------------------------
    def button_approve(self, force=False):
        res = super().button_approve(force=force)
        for line in self.filtered(lambda o: o.state in ("purchase", "done")).order_line:
            if not line.vendor_promised_date and line.date_planned:
                line.vendor_promised_date = line.date_planned
        self.filtered(
            lambda o: o.state in ("purchase", "done") and o.vendor_status == "not_sent"
        )._vendor_comms_enabled()._vendor_on_confirmed()
        return res

    def _vendor_cover_context(self):
        """What a message about this order says, for templates and the model."""
        self.ensure_one()
        buyer = self.user_id or self.env.user
        phone = normalize_phone(
            buyer.phone or self.company_id.phone or "", self.company_id.country_id.code or None
        )
        lines = []
        for line in self.order_line.filtered(lambda ln: not ln.display_type):
            seller = line.product_id._select_seller(
                partner_id=self.partner_id, quantity=line.product_qty, uom_id=line.product_uom
            )
            lines.append(
                PoLine(
                    product=line.product_id.display_name,
                    quantity=line.product_qty,
                    uom=line.product_uom.name,
                    price_unit=line.price_unit,
                    vendor_code=seller.product_code or None,
                )
            )
        return PoContext(
            po_name=self.name,
            vendor_name=self.partner_id.name,
            company_name=self.company_id.name,
            buyer_name=buyer.name,
            buyer_email=buyer.email or self.company_id.email or None,
            buyer_phone=phone.e164,
            currency=self.currency_id.name,
            order_date=self.date_order.date() if self.date_order else None,
            requested_date=self.date_planned.date() if self.date_planned else None,
            eta=self.vendor_eta or None,
            lines=lines,
        )

    def _vendor_on_confirmed(self):
        """Draft the cover message; send it in the automatic phase, else prepare it
        for the buyer (an activity with the drafted text)."""
        Llm = self.env["vendor.comms.llm"]
        for order in self:
            text, source = Llm._draft("po_cover", order._vendor_cover_context(), order)
            order.vendor_cover_message = text
            if order._vendor_phase() == "auto":
                order._vendor_send(text, source)
                continue
            order.vendor_status = "prepared"
            order.message_post(
                body=Markup("<p>%s</p><pre>%s</pre>")
                % (self.env._("Cover message prepared for the vendor (%s):", source), text),
                subtype_xmlid="mail.mt_note",
            )
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(order.user_id or self.env.user).id,
                summary=self.env._("Send the order to %s", order.partner_id.name),
                note=self.env._("Check the prepared cover message, then use Send to Vendor."),
            )

    def action_vendor_send(self):
        """Buyer: send the order with its prepared cover message."""
        for order in self:
            order._vendor_send(order.vendor_cover_message or "", "prepared")
            order.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def _vendor_send(self, cover, source):
        """Odoo's purchase order email (template and PDF) with the cover message
        on top, through the standard composer: it lands in the mail queue."""
        self.ensure_one()
        template = self.env.ref("purchase.email_template_edi_purchase_done")
        composer = (
            self.env["mail.compose.message"]
            .with_context(
                default_model="purchase.order",
                default_res_ids=self.ids,
                default_template_id=template.id,
                default_composition_mode="comment",
                default_email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
                force_email=True,
                mail_notify_force_send=False,
            )
            .create({})
        )
        cover_html = Markup("<p>%s</p>") % escape(cover).replace("\n", Markup("<br/>"))
        composer.body = cover_html + Markup(composer.body or "")
        composer._action_send_mail()
        self.write(
            {
                "vendor_status": "sent",
                "vendor_sent_at": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._("Order emailed to %(vendor)s with a cover message drafted by %(via)s.",
                   vendor=self.partner_id.name, via=source),
            subtype_xmlid="mail.mt_note",
        )  # fmt: skip

    # ------------------------------------------------------------------
    # Follow-ups
    # ------------------------------------------------------------------
    @api.model
    def _cron_vendor_follow_up(self):
        """Ask for confirmation and ETA when none came, for shipping status as the
        expected date nears; after the last follow-up, escalate to the buyer."""
        now = fields.Datetime.now()
        wait = timedelta(days=self._vendor_param("follow_up_days"))
        near = fields.Date.context_today(self) + timedelta(
            days=self._vendor_param("shipping_check_days")
        )
        orders = self.search(
            [
                ("state", "in", ("purchase", "done")),
                ("vendor_status", "in", ("sent", "confirmed")),
            ]
        )
        for order in orders:
            last = order.vendor_last_follow_up_at or order.vendor_replied_at or order.vendor_sent_at
            if not last or now - last < wait:
                continue
            if order.vendor_status == "sent":
                kind = "confirmation"  # asks for the confirmation and the date
            elif (
                order.date_planned
                and order.date_planned.date() <= near
                and not order.vendor_tracking_ids
                and not order.vendor_ship_date
            ):
                kind = "shipping"
            elif not order.vendor_eta:
                kind = "eta"  # confirmed, but no delivery date given
            else:
                continue
            if order.vendor_follow_up_count >= order._vendor_param("max_follow_ups"):
                order._vendor_escalate(kind)
            else:
                order._vendor_follow_up(kind)

    def _vendor_follow_up(self, kind):
        self.ensure_one()
        text, source = self.env["vendor.comms.llm"]._draft(
            f"follow_up_{kind}",
            self._vendor_cover_context(),
            self,
            attempt=self.vendor_follow_up_count + 1,
        )
        self.with_context(mail_notify_force_send=False).message_post(
            body=Markup("<p>%s</p>") % escape(text).replace("\n", Markup("<br/>")),
            partner_ids=self.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )
        self.write(
            {
                "vendor_follow_up_count": self.vendor_follow_up_count + 1,
                "vendor_last_follow_up_at": fields.Datetime.now(),
            }
        )
        self.env["pos.ai.audit.log"]._log(
            "vendor_follow_up",
            self,
            inputs={"kind": kind, "attempt": self.vendor_follow_up_count},
            result=self.env._(
                "follow-up (%(kind)s) sent, drafted by %(via)s", kind=kind, via=source
            ),
        )

    def _vendor_escalate(self, kind):
        self.ensure_one()
        self.vendor_status = "escalated"
        phone = self.vendor_phone_e164 or self.env._("no phone on file")
        self.activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self._vendor_buyer().id,
            summary=self.env._(
                "Call %(vendor)s: %(phone)s", vendor=self.partner_id.name, phone=phone
            ),
            note=self.env._(
                "No answer after %(count)s follow-ups asking for %(kind)s. Call the vendor "
                "at %(phone)s.",
                count=self.vendor_follow_up_count,
                kind=kind,
                phone=phone,
            ),
        )
        self.env["pos.ai.audit.log"]._log(
            "vendor_escalated",
            self,
            inputs={"kind": kind, "follow_ups": self.vendor_follow_up_count, "phone": phone},
            result=self.env._("escalated to %s", self._vendor_buyer().name),
        )

    # ------------------------------------------------------------------
    # Replies
    # ------------------------------------------------------------------
    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if (
            message.message_type == "email"
            and message.author_id
            and message.author_id.commercial_partner_id == self.partner_id.commercial_partner_id
            and self.state in ("purchase", "done", "sent", "draft", "to approve")
        ):
            try:
                with self.env.cr.savepoint():
                    self._vendor_read_reply(message)
            except Exception:
                _logger.exception("Could not read vendor reply %s on %s", message.id, self.name)
                self.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=self._vendor_buyer().id,
                    summary=self.env._("Read the vendor's reply"),
                    note=self.env._("The reply could not be read automatically."),
                )
        return res

    def _vendor_read_reply(self, message):
        self.ensure_one()
        received = (message.date or fields.Datetime.now()).date()
        facts, source = self.env["vendor.comms.llm"]._read_reply(
            message.body or "",
            self,
            received_at=received,
            order_date=self.date_order.date() if self.date_order else None,
        )
        self.vendor_replied_at = fields.Datetime.now()
        notes, questions = self._vendor_apply_facts(facts)
        header = self.env._("Vendor reply read by %s.", source)
        if notes:
            self.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (header, Markup("").join(Markup("<li>%s</li>") % n for n in notes)),
                subtype_xmlid="mail.mt_note",
            )
        if facts.auto_reply and facts.nothing_useful:
            self.message_post(
                body=self.env._("%s An automatic reply (out of office): nothing to act on, the "
                       "follow-ups go on.", header),
                subtype_xmlid="mail.mt_note",
            )  # fmt: skip
            return
        if questions or not notes:
            if not questions:
                questions = [self.env._("The reply says nothing the system could act on.")]
            self.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    header + " " + self.env._("Needs a person:"),
                    Markup("").join(Markup("<li>%s</li>") % q for q in questions),
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self._vendor_buyer().id,
                summary=self.env._("Vendor reply needs a decision"),
                note="\n".join(questions),
            )

    def _vendor_apply_facts(self, facts):
        """Apply the unambiguous facts (dates, confirmation, tracking) with a note
        quoting their sentence; everything else is a question for the buyer."""
        notes, questions = [], list(facts.ambiguities)
        if facts.declined:
            self.vendor_status = "declined"
            questions.append(
                self.env._("The vendor declines: \u201c%s\u201d", facts.decline_sentence or "")
            )
        elif facts.confirmed and self.vendor_status in (
            "not_sent",
            "prepared",
            "sent",
            "escalated",
        ):
            self.vendor_status = "confirmed"
            notes.append(
                self.env._("Confirmed: \u201c%s\u201d", facts.confirmation_sentence)
                if facts.confirmation_sentence
                else self.env._("Confirmed by the vendor.")
            )
        eta = facts.eta
        if eta and not facts.ambiguities and not facts.eta_approximate:
            notes.append(self._vendor_set_eta(eta, facts.eta_sentence))
        elif eta:
            questions.append(
                self.env._(
                    "A delivery date %(date)s was read but is uncertain: \u201c%(sentence)s\u201d",
                    date=eta,
                    sentence=facts.eta_sentence,
                )
            )
        if facts.ship_date:
            self.vendor_ship_date = facts.ship_date
            notes.append(
                self.env._(
                    "Ships on %(date)s: \u201c%(sentence)s\u201d",
                    date=facts.ship_date,
                    sentence=facts.ship_date_sentence,
                )
            )
        for ref in facts.tracking:
            tracking = self.env["vendor.shipment.tracking"]._from_reply(self, ref)
            notes.append(
                self.env._(
                    "Tracking %(carrier)s %(number)s: \u201c%(sentence)s\u201d",
                    carrier=tracking.carrier,
                    number=tracking.tracking_number,
                    sentence=ref.sentence,
                )
            )
        if facts.tracking or facts.ship_date:
            self.vendor_status = "shipped"
        for line in facts.partial_lines:
            questions.append(self.env._("Partial delivery: \u201c%s\u201d", line.sentence))
        if facts.backorder and not facts.partial_lines:
            questions.append(
                self.env._("Backorder: \u201c%s\u201d", facts.backorder_sentence or "")
            )
        for change in facts.price_changes:
            questions.append(self.env._("Price change: \u201c%s\u201d", change.sentence))
        return notes, questions

    def _vendor_set_eta(self, eta, sentence):
        """New expected date on the order lines and the open receipts, then the
        delay check against stock cover."""
        previous = self.date_planned
        when = datetime.combine(eta, time(12, 0))
        lines = self.order_line.filtered(lambda ln: not ln.display_type)
        lines.write({"date_planned": when})
        self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).write(
            {"scheduled_date": when}
        )
        self.vendor_eta = eta
        if previous and eta > previous.date():
            self._vendor_check_delay(eta)
        return self.env._(
            "Expected date set to %(date)s: \u201c%(sentence)s\u201d", date=eta, sentence=sentence
        )

    def _vendor_check_delay(self, eta):
        """Stock runs out before the new ETA? Tell the warehouse with substitutions."""
        self.env["vendor.delay.alert"]._check(self, eta)
