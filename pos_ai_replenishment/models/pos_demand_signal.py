# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models

from ..demand_engine.payload import PayloadError
from .pos_inbox_event import RetryLater

SIGNAL_KINDS = [
    ("sale", "Sale"),
    ("return", "Return / Refund"),
    ("void", "Void / Cancellation"),
    ("inventory", "Inventory Count"),
]


class PosDemandSignal(models.Model):
    """One normalized POS line: the unified demand signal every connector
    produces. Sales are positive, returns negative, a void is the negative of
    the line it cancels, an inventory count carries the counted quantity."""

    _name = "pos.demand.signal"
    _description = "POS Demand Signal"
    _order = "occurred_at desc, id desc"

    event_id = fields.Many2one(
        "pos.inbox.event", string="Inbox Event", required=True, index=True, ondelete="restrict"
    )
    source_id = fields.Many2one("pos.source", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="source_id.company_id", store=True, index=True)
    kind = fields.Selection(SIGNAL_KINDS, required=True, index=True)
    reverses_kind = fields.Selection(
        [("sale", "Sale"), ("return", "Return / Refund")],
        help="For a void: the kind of the line it cancels.",
    )
    reversed_signal_id = fields.Many2one(
        "pos.demand.signal", string="Cancels", index="btree_not_null", ondelete="restrict"
    )
    source_line_id = fields.Char(
        string="Source Line ID",
        required=True,
        help="Line id in the POS; with the source and kind it makes a signal unique.",
    )
    sku = fields.Char(string="SKU", index=True)
    barcode = fields.Char(index=True)
    variant_ref = fields.Char(string="POS Variant ID", index=True)
    location_ref = fields.Char(string="POS Location")
    product_id = fields.Many2one("product.product", index=True, ondelete="restrict")
    warehouse_id = fields.Many2one("stock.warehouse", index=True, ondelete="restrict")
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    unit_price = fields.Float(digits="Product Price")
    currency_id = fields.Many2one("res.currency", required=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_company = fields.Monetary(
        string="Amount", currency_field="company_currency_id",
        help="Quantity x unit price in the company currency.",
    )
    occurred_at = fields.Datetime(required=True, help="UTC time of the sale in the POS.")
    date_local = fields.Date(
        string="Business Date", required=True, index=True, help="Store-local date."
    )
    match_state = fields.Selection(
        [("matched", "Matched"), ("unmatched", "Unmatched")],
        required=True,
        default="unmatched",
        index=True,
    )
    match_reason = fields.Char(help="Why no product matched this line.")
    daily_applied = fields.Boolean(
        index=True, copy=False, help="Counted in the daily demand table."
    )

    _sql_constraints = [
        (
            "line_unique",
            "unique(source_id, kind, source_line_id)",
            "This POS line was already recorded.",
        ),
    ]

    # ------------------------------------------------------------------
    # Product matching: SKU -> default_code, then barcode, then mapping
    # ------------------------------------------------------------------
    @api.model
    def _match_products(self, source, keys):
        """``keys``: iterable of (sku, barcode, variant_ref). Returns
        ``{key: (product_id or False, reason or False)}``."""
        keys = set(keys)
        skus = {k[0] for k in keys if k[0]}
        barcodes = {k[1] for k in keys if k[1]}
        variants = {k[2] for k in keys if k[2]}
        company_domain = [("company_id", "in", (False, source.company_id.id))]
        products = self.env["product.product"].sudo()
        by_sku = defaultdict(list)
        if skus:
            for row in products.search_read(
                [("default_code", "in", list(skus))] + company_domain, ["default_code"]
            ):
                by_sku[row["default_code"]].append(row["id"])
        by_barcode = defaultdict(list)
        if barcodes:
            for row in products.search_read(
                [("barcode", "in", list(barcodes))] + company_domain, ["barcode"]
            ):
                by_barcode[row["barcode"]].append(row["id"])
        map_variant, map_sku = {}, {}
        if skus or variants:
            mappings = self.env["pos.product.mapping"].sudo().search(
                [
                    ("source_id", "=", source.id),
                    "|",
                    ("variant_ref", "in", list(variants)),
                    ("sku", "in", list(skus)),
                ]
            )
            for mapping in mappings:
                if mapping.variant_ref:
                    map_variant[mapping.variant_ref] = mapping.product_id.id
                if mapping.sku:
                    map_sku[mapping.sku] = mapping.product_id.id
        return {key: self._match_one(key, by_sku, by_barcode, map_variant, map_sku) for key in keys}

    @api.model
    def _match_one(self, key, by_sku, by_barcode, map_variant, map_sku):
        sku, barcode, variant = key
        if sku and len(by_sku.get(sku, ())) == 1:
            return by_sku[sku][0], False
        if barcode and len(by_barcode.get(barcode, ())) == 1:
            return by_barcode[barcode][0], False
        if variant and variant in map_variant:
            return map_variant[variant], False
        if sku and sku in map_sku:
            return map_sku[sku], False
        reasons = []
        if sku:
            found = len(by_sku.get(sku, ()))
            reasons.append(
                _("SKU %(sku)s matches %(n)s products", sku=sku, n=found)
                if found
                else _("no product with internal reference %s", sku)
            )
        if barcode:
            found = len(by_barcode.get(barcode, ()))
            reasons.append(
                _("barcode %(code)s matches %(n)s products", code=barcode, n=found)
                if found
                else _("no product with barcode %s", barcode)
            )
        if variant:
            reasons.append(_("no mapping for POS variant %s", variant))
        reason = "; ".join(reasons)
        return False, reason[:1].upper() + reason[1:]

    def _rematch(self, domain):
        """Try again to match unmatched signals within ``domain``; matched ones
        flow into daily demand at once."""
        unmatched = self.sudo().search([("match_state", "=", "unmatched")] + domain)
        matched = self.browse()
        for source, signals in unmatched.grouped("source_id").items():
            keys = {(s.sku, s.barcode, s.variant_ref) for s in signals}
            result = self._match_products(source, keys)
            by_product = defaultdict(list)
            for signal in signals:
                product_id, _reason = result[(signal.sku, signal.barcode, signal.variant_ref)]
                if product_id:
                    by_product[product_id].append(signal.id)
            for product_id, ids in by_product.items():
                batch = self.browse(ids)
                batch.write(
                    {"product_id": product_id, "match_state": "matched", "match_reason": False}
                )
                matched |= batch
        self.env["pos.demand.daily"]._apply_signals(matched)
        return matched

    def action_retry_matching(self):
        return self._rematch([("id", "in", self.ids)])

    # ------------------------------------------------------------------
    # From a normalized event to signals
    # ------------------------------------------------------------------
    @api.model
    def _create_from_event(self, event, unified):
        """Create the signals of one inbox event (skipping lines already
        recorded); returns the new signals."""
        if unified.event_type == "void":
            return self._create_reversals(event, unified)
        source = event.source_id
        warehouse = source._warehouse_for_location(unified.location)
        if not warehouse:
            raise RetryLater(
                _(
                    "POS location %(loc)s is not mapped to a warehouse and source "
                    "%(src)s has no default warehouse.",
                    loc=unified.location or "-",
                    src=source.display_name,
                )
            )
        currency = self._currency_for(source, unified.currency)
        existing = set(
            self.sudo()
            .search(
                [
                    ("source_id", "=", source.id),
                    ("source_line_id", "in", [line.line_id for line in unified.lines]),
                ]
            )
            .mapped(lambda s: (s.kind, s.source_line_id))
        )
        lines = [ln for ln in unified.lines if (ln.kind, ln.line_id) not in existing]
        if not lines:
            return self.browse()
        matches = self._match_products(
            source, [(ln.sku, ln.barcode, ln.variant_id) for ln in lines]
        )
        rate = self._rate_to_company(currency, source.company_id, unified.local_date)
        company_currency = source.company_id.currency_id
        vals_list = []
        for line in lines:
            product_id, reason = matches[(line.sku, line.barcode, line.variant_id)]
            vals_list.append(
                {
                    "event_id": event.id,
                    "source_id": source.id,
                    "kind": line.kind,
                    "source_line_id": line.line_id,
                    "sku": line.sku,
                    "barcode": line.barcode,
                    "variant_ref": line.variant_id,
                    "location_ref": unified.location,
                    "product_id": product_id,
                    "warehouse_id": warehouse.id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "currency_id": currency.id,
                    "amount_company": 0.0
                    if line.kind == "inventory"
                    else company_currency.round(line.quantity * line.unit_price * rate),
                    "occurred_at": unified.occurred_at,
                    "date_local": unified.local_date,
                    "match_state": "matched" if product_id else "unmatched",
                    "match_reason": reason,
                }
            )
        return self.sudo().create(vals_list)

    @api.model
    def _create_reversals(self, event, unified):
        """A void or cancellation: the negative of every line it cancels, on
        the cancelled line's business date, so that day's demand nets out."""
        original = self.env["pos.inbox.event"].sudo().search(
            [("source_id", "=", event.source_id.id), ("external_id", "=", unified.cancels)],
            limit=1,
        )
        if not original or original.state == "new":
            raise RetryLater(
                _("The cancelled event %s has not been received or processed yet.", unified.cancels)
            )
        targets = original.signal_ids.filtered(lambda s: s.kind in ("sale", "return"))
        if unified.cancel_line_ids:
            wanted = set(unified.cancel_line_ids)
            unknown = wanted - set(targets.mapped("source_line_id"))
            if unknown:
                raise PayloadError(
                    _("The void names lines the cancelled event lacks: %s", ", ".join(sorted(unknown)))
                )
            targets = targets.filtered(lambda s: s.source_line_id in wanted)
        already = set(
            self.sudo()
            .search([("kind", "=", "void"), ("reversed_signal_id", "in", targets.ids)])
            .mapped("reversed_signal_id")
            .ids
        )
        vals_list = [
            {
                "event_id": event.id,
                "source_id": target.source_id.id,
                "kind": "void",
                "reverses_kind": target.kind,
                "reversed_signal_id": target.id,
                "source_line_id": target.source_line_id,
                "sku": target.sku,
                "barcode": target.barcode,
                "variant_ref": target.variant_ref,
                "location_ref": target.location_ref,
                "product_id": target.product_id.id,
                "warehouse_id": target.warehouse_id.id,
                "quantity": -target.quantity,
                "unit_price": target.unit_price,
                "currency_id": target.currency_id.id,
                "amount_company": -target.amount_company,
                "occurred_at": unified.occurred_at,
                "date_local": target.date_local,
                "match_state": target.match_state,
                "match_reason": target.match_reason,
            }
            for target in targets
            if target.id not in already
        ]
        return self.sudo().create(vals_list)

    @api.model
    def _currency_for(self, source, code):
        if not code:
            return source.currency_id
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", code)], limit=1
        )
        if not currency:
            raise PayloadError(_("Unknown currency %s.", code))
        return currency

    @api.model
    def _rate_to_company(self, currency, company, day):
        if currency == company.currency_id:
            return 1.0
        return self.env["res.currency"]._get_conversion_rate(
            currency, company.currency_id, company, day
        )
