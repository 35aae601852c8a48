# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import UTC, datetime, time

from odoo import api, fields, models


class VendorShipmentTracking(models.Model):
    """A carrier tracking number for a purchase order, from the vendor's reply
    or a carrier webhook; its ETA moves the receipt's scheduled date."""

    _name = "vendor.shipment.tracking"
    _description = "Vendor Shipment Tracking"
    _order = "id desc"
    _rec_name = "tracking_number"

    order_id = fields.Many2one("purchase.order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Vendor")
    carrier = fields.Char(required=True)
    tracking_number = fields.Char(required=True, index=True)
    status = fields.Char(default="announced")
    eta = fields.Date(string="Carrier ETA")
    last_event_at = fields.Datetime()
    origin = fields.Selection(
        [("reply", "Vendor reply"), ("webhook", "Carrier webhook")], default="reply"
    )

    _sql_constraints = [
        ("number_unique", "unique(order_id, tracking_number)", "A tracking number once per order."),
    ]

    @api.model
    def _from_reply(self, order, ref):
        number = ref.number.upper().replace(" ", "")
        found = self.search([("order_id", "=", order.id), ("tracking_number", "=", number)])
        return found or self.create(
            {"order_id": order.id, "carrier": ref.carrier, "tracking_number": number}
        )

    @api.model
    def _apply_update(self, update):
        """A carrier event: status and ETA on every order with that number; the
        ETA becomes the open receipts' scheduled date. Returns the records."""
        number = update.tracking_number.upper().replace(" ", "")
        trackings = self.sudo().search([("tracking_number", "=", number)])
        for tracking in trackings:
            vals = {"status": update.status or tracking.status, "origin": "webhook"}
            if update.event_time:
                when = update.event_time
                if when.tzinfo:
                    when = when.astimezone(UTC).replace(tzinfo=None)
                vals["last_event_at"] = when
            if update.estimated_delivery:
                vals["eta"] = update.estimated_delivery
            tracking.write(vals)
            order = tracking.order_id
            if update.estimated_delivery:
                when = datetime.combine(update.estimated_delivery, time(12, 0))
                order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).write(
                    {"scheduled_date": when}
                )
            order.message_post(
                body=self.env._(
                    "Carrier %(carrier)s: %(number)s is %(status)s%(eta)s.",
                    carrier=update.carrier or tracking.carrier,
                    number=number,
                    status=tracking.status,
                    eta=self.env._(", delivery expected %s", update.estimated_delivery)
                    if update.estimated_delivery
                    else "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        return trackings
