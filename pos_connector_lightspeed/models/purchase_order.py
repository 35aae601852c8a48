# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""On-order push-back: a confirmed AI-drafted purchase order becomes a
Lightspeed purchase Order (R-Series) or supplier consignment (X-Series), so
the POS shows the quantity on order.

Never inside the user's transaction: confirmation only marks the order
``to_push`` and triggers the push cron. The cron creates the document with
the order's name as reference; the engine looks it up by that reference
before creating anything (and again after a timeout), so a retry after a
timeout or a crash finds the first document instead of creating a second.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lightspeed_engine.rseries_api import OrderLineSpec
from ..lightspeed_engine.transport import LightspeedAPIError
from ..lightspeed_engine.xseries_api import ConsignmentLine
from .pos_source import LS_KINDS

_logger = logging.getLogger(__name__)

PUSH_CRON = "pos_connector_lightspeed.ir_cron_ls_push_orders"
MAX_PUSH_ATTEMPTS = 5
PUSH_BATCH = 50


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    ls_push_state = fields.Selection(
        [("to_push", "To Push"), ("pushed", "Pushed"), ("failed", "Failed")],
        string="Lightspeed Push",
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
    )
    ls_source_id = fields.Many2one(
        "pos.source", string="Lightspeed Source", copy=False, readonly=True
    )
    ls_order_ref = fields.Char(
        string="Lightspeed Order",
        copy=False,
        readonly=True,
        help="The Lightspeed purchase order id (R-Series) or consignment id (X-Series).",
    )
    ls_push_error = fields.Text(string="Lightspeed Push Error", copy=False, readonly=True)
    ls_push_attempts = fields.Integer(copy=False, readonly=True)
    ls_next_push_at = fields.Datetime(copy=False, readonly=True)

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in ("purchase", "done"):
            self._ls_queue_push()
        return res

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------
    def _ls_target(self):
        """(source, POS location row) the order's warehouse is mapped to, or
        (empty, empty): the first active Lightspeed source that pushes."""
        self.ensure_one()
        warehouse = self.picking_type_id.warehouse_id
        if not warehouse:
            return self.env["pos.source"], self.env["pos.source.location"]
        row = (
            self.env["pos.source.location"]
            .sudo()
            .search(
                [
                    ("warehouse_id", "=", warehouse.id),
                    ("ls_outlet_ref", "=", False),
                    ("source_id.kind", "in", LS_KINDS),
                    ("source_id.active", "=", True),
                    ("source_id.ls_push_orders", "=", True),
                ],
                order="id",
                limit=1,
            )
        )
        return row.source_id, row

    def _ls_queue_push(self):
        """Mark confirmed AI orders of a Lightspeed warehouse for the push
        cron and wake it (after commit): nothing is sent from here."""
        queued = self.browse()
        for order in self.filtered(lambda o: o.ai_generated and not o.ls_push_state):
            source, _row = order._ls_target()
            if source:
                queued |= order
                order.sudo().write(
                    {"ls_push_state": "to_push", "ls_source_id": source.id, "ls_push_attempts": 0}
                )
        if queued:
            self.env.ref(PUSH_CRON).sudo()._trigger()
        return queued

    def action_ls_push_retry(self):
        """Queue a failed push again (after fixing the vendor or mapping)."""
        orders = self.filtered(lambda o: o.ls_push_state == "failed")
        orders.sudo().write(
            {"ls_push_state": "to_push", "ls_push_attempts": 0, "ls_next_push_at": False}
        )
        if orders:
            self.env.ref(PUSH_CRON).sudo()._trigger()
        return True

    @api.model
    def _cron_ls_push_orders(self, limit=PUSH_BATCH):
        now = fields.Datetime.now()
        orders = self.sudo().search(
            [
                ("ls_push_state", "=", "to_push"),
                "|",
                ("ls_next_push_at", "=", False),
                ("ls_next_push_at", "<=", now),
            ],
            limit=limit,
            order="id",
        )
        for order in orders:
            order._ls_push()
            if self.env.context.get("ls_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(orders)

    # ------------------------------------------------------------------
    # Push
    # ------------------------------------------------------------------
    def _ls_lock(self):
        """Lock the order row (skip it when another worker holds it)."""
        self.env.cr.execute(
            "SELECT id FROM purchase_order WHERE id = %s FOR UPDATE SKIP LOCKED", [self.id]
        )
        return bool(self.env.cr.fetchone())

    def _ls_lines(self, source):
        """{Lightspeed item/product id: (quantity, unit price)}; an Odoo product
        with no Lightspeed id (pos.product.mapping) is an error."""
        mappings = (
            self.env["pos.product.mapping"]
            .sudo()
            .search(
                [
                    ("source_id", "=", source.id),
                    ("product_id", "in", self.order_line.product_id.ids),
                    ("variant_ref", "!=", False),
                ],
                order="id",
            )
        )
        ref_of = {}
        for mapping in mappings:
            ref_of.setdefault(mapping.product_id.id, mapping.variant_ref)
        missing = self.order_line.product_id.filtered(lambda p: p.id not in ref_of)
        if missing:
            raise UserError(
                _(
                    "No Lightspeed item is mapped to %s (POS Supply Chain > Product Mapping).",
                    ", ".join(missing.mapped("display_name")),
                )
            )
        quantities, amounts = defaultdict(float), defaultdict(float)
        for line in self.order_line.filtered(lambda ln: ln.product_id and ln.product_uom_qty > 0):
            ref = ref_of[line.product_id.id]
            quantities[ref] += line.product_uom_qty
            amounts[ref] += line.price_subtotal
        return {
            ref: (qty, round(amounts[ref] / qty, 4) if qty else None)
            for ref, qty in quantities.items()
        }

    def _ls_vendor_ref(self, source):
        partner = self.partner_id.commercial_partner_id
        if partner.ls_source_id != source or not partner.ls_supplier_ref:
            raise UserError(
                _(
                    "%(vendor)s is not a vendor imported from %(src)s: import the "
                    "vendors (or link this partner) first.",
                    vendor=partner.display_name,
                    src=source.display_name,
                )
            )
        return partner.ls_supplier_ref

    def _ls_push(self):
        """Create (or find) the Lightspeed document of this order; a failure
        is recorded and retried with back-off, a configuration error at once
        marked failed."""
        self.ensure_one()
        if self.ls_push_state != "to_push" or not self._ls_lock():
            return False
        source = self.ls_source_id
        _source, row = self._ls_target()
        attempts = self.ls_push_attempts + 1
        try:
            if not source or source.kind not in LS_KINDS:
                raise UserError(_("The order's Lightspeed source is gone."))
            if not row or row.source_id != source:
                raise UserError(
                    _(
                        "Warehouse %s is not mapped to a shop of this source.",
                        self.picking_type_id.warehouse_id.display_name,
                    )
                )
            vendor = self._ls_vendor_ref(source)
            lines = self._ls_lines(source)
            client = source._ls_client()
            note = _("Odoo purchase order %s (AI replenishment)", self.name)
            if source.kind == "lightspeed_r":
                result = client.create_purchase_order(
                    self.name,
                    vendor,
                    row.external_location,
                    [OrderLineSpec(ref, qty, price) for ref, (qty, price) in lines.items()],
                    note=note,
                )
                ref, created = result.order_id, result.created
            else:
                result = client.create_supplier_consignment(
                    self.name,
                    row.external_location,
                    vendor,
                    [ConsignmentLine(ref, qty, price) for ref, (qty, price) in lines.items()],
                    name=self.name,
                    due_at=self.date_planned.isoformat() if self.date_planned else None,
                )
                ref, created = result.consignment_id, result.created
        except UserError as err:
            self._ls_push_failed(str(err), attempts, permanent=True)
            return False
        except LightspeedAPIError as err:
            self._ls_push_failed(str(err), attempts, permanent=False)
            return False
        self.sudo().write(
            {
                "ls_push_state": "pushed",
                "ls_order_ref": ref,
                "ls_push_error": False,
                "ls_push_attempts": attempts,
                "ls_next_push_at": False,
            }
        )
        what = _("purchase order") if source.kind == "lightspeed_r" else _("supplier consignment")
        summary = _(
            "Lightspeed %(what)s %(ref)s %(how)s in %(src)s (%(n)s lines).",
            what=what,
            ref=ref,
            how=_("created") if created else _("found (created by an earlier attempt)"),
            src=source.display_name,
            n=len(lines),
        )
        self.message_post(body=summary, subtype_xmlid="mail.mt_note")
        for proposal in self.ai_proposal_ids:
            self.env["pos.ai.audit.log"].sudo()._log(
                "lightspeed_push",
                proposal,
                inputs={"order": self.name, "lines": {k: v[0] for k, v in lines.items()}},
                reasoning=_("Confirmed AI order: the POS shows the quantity on order."),
                result=summary,
            )
        return True

    def _ls_push_failed(self, message, attempts, permanent):
        values = {"ls_push_error": message, "ls_push_attempts": attempts}
        if permanent or attempts >= MAX_PUSH_ATTEMPTS:
            values.update({"ls_push_state": "failed", "ls_next_push_at": False})
            self.message_post(
                body=_("Lightspeed push failed: %s", message), subtype_xmlid="mail.mt_note"
            )
        else:
            next_at = fields.Datetime.now() + timedelta(minutes=2**attempts)
            values["ls_next_push_at"] = next_at
            self.env.ref(PUSH_CRON).sudo()._trigger(next_at)
        _logger.warning("Lightspeed push of %s (attempt %s): %s", self.name, attempts, message)
        self.sudo().write(values)
