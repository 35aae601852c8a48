# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..demand_engine.payload import PayloadError

SIGNAL_KINDS = [
    ("sale", "Sale"),
    ("return", "Return / Refund"),
    ("void", "Void / Cancellation"),
    ("inventory", "Inventory Count"),
]


class RetryLater(UserError):
    """Processing cannot finish yet (a void before its sale, a location not
    mapped yet...): the event stays pending and is retried with back-off."""


class SignalBatch:
    """Lookups shared by the events of one inbox batch: which POS lines are
    already recorded, product matches and currency rates, each fetched once
    per batch instead of once per event."""

    def __init__(self, signal_model, events_lines):
        """``events_lines``: {source record: [line ids of the batch]}"""
        self.model = signal_model
        self.recorded_keys = set()
        for source, line_ids in events_lines.items():
            for row in signal_model.search_read(
                [("source_id", "=", source.id), ("source_line_id", "in", list(set(line_ids)))],
                ["kind", "source_line_id"],
            ):
                self.recorded_keys.add((source.id, row["kind"], row["source_line_id"]))
        self.matches = {}
        self.rates = {}
        self.settled_event_ids = set()  # events of this batch whose lines exist now

    def recorded(self, source, kind, line_id):
        return (source.id, kind, line_id) in self.recorded_keys

    def remember(self, vals_list):
        """Lines about to be created count as recorded for later events."""
        self.recorded_keys.update(
            (v["source_id"], v["kind"], v["source_line_id"]) for v in vals_list
        )

    def match(self, source, keys):
        known = self.matches.setdefault(source.id, {})
        missing = {key for key in keys if key not in known}
        if missing:
            known.update(self.model._match_products(source, missing))
        return known

    def rate(self, currency, company, day):
        key = (currency.id, company.id, day)
        if key not in self.rates:
            self.rates[key] = self.model._rate_to_company(currency, company, day)
        return self.rates[key]


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
    return_reason = fields.Char(
        help="Why the customer returned it, as the POS says (e.g. defect); returns only."
    )
    location_ref = fields.Char(string="POS Location")
    product_id = fields.Many2one("product.product", index=True, ondelete="restrict")
    warehouse_id = fields.Many2one("stock.warehouse", index=True, ondelete="restrict")
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    unit_price = fields.Float(digits="Product Price")
    currency_id = fields.Many2one("res.currency", required=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_company = fields.Monetary(
        string="Amount",
        currency_field="company_currency_id",
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
            mappings = (
                self.env["pos.product.mapping"]
                .sudo()
                .search(
                    [
                        ("source_id", "=", source.id),
                        "|",
                        ("variant_ref", "in", list(variants)),
                        ("sku", "in", list(skus)),
                    ]
                )
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
    # From normalized events to signal values (no writes: the inbox batch
    # creates them all at once)
    # ------------------------------------------------------------------
    @api.model
    def _prepare_from_event(self, event, unified, batch):
        """Values of the new signals of one unified event, skipping lines this
        source already recorded (in the database or earlier in ``batch``)."""
        if unified.event_type == "void":
            return self._prepare_reversals(event, unified, batch)
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
        lines = [ln for ln in unified.lines if not batch.recorded(source, ln.kind, ln.line_id)]
        if not lines:
            return []
        matches = batch.match(source, [(ln.sku, ln.barcode, ln.variant_id) for ln in lines])
        rate = batch.rate(currency, source.company_id, unified.local_date)
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
                    "return_reason": line.reason,
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
        return vals_list

    @api.model
    def _prepare_reversals(self, event, unified, batch):
        """A void or cancellation: the negative of every line it cancels, on
        the cancelled line's business date, so that day's demand nets out."""
        source = event.source_id
        original = (
            self.env["pos.inbox.event"]
            .sudo()
            .search([("source_id", "=", source.id), ("external_id", "=", unified.cancels)], limit=1)
        )
        if not original and unified.cancel_line_ids:
            # a connector whose inbox rows are whole deliveries names the lines
            targets = self._recorded_lines(source, unified.cancel_line_ids)
            if len(set(targets.mapped("source_line_id"))) < len(set(unified.cancel_line_ids)):
                raise RetryLater(
                    _(
                        "Lines %s cancelled by this void have not been received yet.",
                        ", ".join(unified.cancel_line_ids),
                    )
                )
            return self._reversal_vals(event, unified, targets, batch)
        if not original or (original.state == "new" and original.id not in batch.settled_event_ids):
            raise RetryLater(
                _("The cancelled event %s has not been received or processed yet.", unified.cancels)
            )
        targets = self.sudo().search(
            [("event_id", "=", original.id), ("kind", "in", ("sale", "return"))]
        )
        if unified.cancel_line_ids:
            wanted = set(unified.cancel_line_ids)
            unknown = wanted - set(targets.mapped("source_line_id"))
            if unknown:
                raise PayloadError(
                    _(
                        "The void names lines the cancelled event lacks: %s",
                        ", ".join(sorted(unknown)),
                    )
                )
            targets = targets.filtered(lambda s: s.source_line_id in wanted)
        return self._reversal_vals(event, unified, targets, batch)

    @api.model
    def _reversal_vals(self, event, unified, targets, batch):
        source = event.source_id
        already = set(
            self.sudo()
            .search([("kind", "=", "void"), ("reversed_signal_id", "in", targets.ids)])
            .mapped("reversed_signal_id")
            .ids
        )
        return [
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
            and not batch.recorded(source, "void", target.source_line_id)
        ]

    @api.model
    def _recorded_lines(self, source, line_ids):
        return self.sudo().search(
            [
                ("source_id", "=", source.id),
                ("source_line_id", "in", list(line_ids)),
                ("kind", "in", ("sale", "return")),
            ]
        )

    @api.model
    def _currency_for(self, source, code):
        if not code:
            return source.currency_id
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
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
