# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter, defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_round, split_every


class PosDemandDaily(models.Model):
    """Demand per product x warehouse x store-local date, kept up to date
    incrementally as signals arrive (one upsert per batch), never rebuilt
    from scratch on the hot path."""

    _name = "pos.demand.daily"
    _description = "POS Daily Demand"
    _order = "date desc, product_id, warehouse_id"
    _rec_name = "product_id"

    product_id = fields.Many2one("product.product", required=True, index=True, readonly=True)
    product_categ_id = fields.Many2one(
        related="product_id.categ_id", store=True, string="Product Category"
    )
    warehouse_id = fields.Many2one("stock.warehouse", required=True, index=True, readonly=True)
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, index=True, readonly=True)
    qty_sold = fields.Float(digits="Product Unit of Measure", readonly=True, aggregator="sum")
    qty_returned = fields.Float(digits="Product Unit of Measure", readonly=True, aggregator="sum")
    qty_net = fields.Float(
        string="Net Demand", digits="Product Unit of Measure", readonly=True, aggregator="sum"
    )
    revenue = fields.Monetary(readonly=True, aggregator="sum")
    transactions = fields.Integer(
        readonly=True, aggregator="sum", help="POS tickets with this product."
    )
    stockout = fields.Boolean(
        readonly=True, help="An inventory count of zero or less was reported that day."
    )
    last_count_qty = fields.Float(
        string="Last Counted Qty", digits="Product Unit of Measure", readonly=True, aggregator="max"
    )

    _sql_constraints = [
        (
            "day_unique",
            "unique(product_id, warehouse_id, date)",
            "One daily demand row per product, warehouse and date.",
        ),
    ]

    # ------------------------------------------------------------------
    # Incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    def _apply_signals(self, signals):
        """Add matched, not yet applied signals to the daily table."""
        signals = signals.sudo().filtered(
            lambda s: not s.daily_applied and s.product_id and s.warehouse_id
        )
        if not signals:
            return
        rows = defaultdict(
            lambda: {"sold": 0.0, "returned": 0.0, "revenue": 0.0, "count": None, "stockout": False}
        )
        for signal in signals.sorted("occurred_at"):
            row = rows[self._key(signal)]
            effective = signal.reverses_kind if signal.kind == "void" else signal.kind
            if effective == "sale":
                row["sold"] += signal.quantity
            elif effective == "return":
                row["returned"] -= signal.quantity
            if signal.kind == "inventory":
                row["count"] = signal.quantity
                row["stockout"] = row["stockout"] or signal.quantity <= 0
            else:
                row["revenue"] += signal.amount_company
        transactions = self._transaction_delta(signals)
        company_of = {w.id: w.company_id for w in signals.warehouse_id}
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        values = []
        for key in set(rows) | set(transactions):
            row = rows[key]
            company = company_of[key[1]]
            # sums of rounded amounts: round away the float noise
            sold = float_round(row["sold"], precision_digits=digits)
            returned = float_round(row["returned"], precision_digits=digits)
            values.append(
                (
                    key[0],
                    key[1],
                    company.id,
                    key[2],
                    sold,
                    returned,
                    sold - returned,
                    company.currency_id.round(row["revenue"]),
                    transactions.get(key, 0),
                    row["stockout"],
                    row["count"],
                )
            )
        self._upsert(values)
        signals.write({"daily_applied": True})

    @api.model
    def _key(self, signal):
        return (signal.product_id.id, signal.warehouse_id.id, signal.date_local)

    @api.model
    def _transaction_delta(self, signals):
        """Change in tickets per key: a ticket counts for a product while it
        has at least one applied sale line for it that no applied void cancels."""
        sales = signals.filtered(lambda s: s.kind == "sale")
        voids = signals.filtered(lambda s: s.kind == "void" and s.reverses_kind == "sale")
        events = sales.event_id | voids.reversed_signal_id.event_id
        if not events:
            return {}
        Signal = self.env["pos.demand.signal"].sudo()
        candidates = Signal.search([("event_id", "in", events.ids), ("kind", "=", "sale")])
        reversals = Signal.search(
            [("reversed_signal_id", "in", candidates.ids), ("kind", "=", "void")]
        )
        batch_ids = set(signals.ids)
        applied_before = {r.reversed_signal_id.id for r in reversals if r.daily_applied}
        applied_after = applied_before | {
            r.reversed_signal_id.id for r in reversals if r.id in batch_ids
        }
        before, after = set(), set()
        for sale in candidates:
            if not (sale.product_id and sale.warehouse_id):
                continue
            ticket = (sale.event_id.id, self._key(sale))
            if sale.daily_applied and sale.id not in applied_before:
                before.add(ticket)
            if (sale.daily_applied or sale.id in batch_ids) and sale.id not in applied_after:
                after.add(ticket)
        delta = Counter(key for _event, key in after)
        delta.subtract(key for _event, key in before)
        return {key: n for key, n in delta.items() if n}

    @api.model
    def _upsert(self, values):
        """One INSERT .. ON CONFLICT DO UPDATE for the whole batch: atomic
        under concurrent workers, and quantities only ever add up."""
        for chunk in split_every(1000, values, list):
            self._upsert_chunk(chunk)
        self.invalidate_model()

    @api.model
    def _upsert_chunk(self, values):
        """One statement: new rows take their category and audit columns from
        the same INSERT; existing rows add the increments."""
        placeholders = ", ".join(
            ["(%s, %s, %s, %s::date, %s, %s, %s, %s, %s, %s, %s)"] * len(values)
        )
        self.env.cr.execute(
            f"""
            INSERT INTO pos_demand_daily AS d (
                product_id, product_categ_id, warehouse_id, company_id, date, qty_sold,
                qty_returned, qty_net, revenue, transactions, stockout, last_count_qty,
                create_uid, write_uid, create_date, write_date)
            SELECT v.product_id, t.categ_id, v.warehouse_id, v.company_id, v.day, v.sold,
                   v.returned, v.net, v.revenue, v.tickets, v.stockout, v.last_count::float8,
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM (VALUES {placeholders}) AS v(product_id, warehouse_id, company_id, day, sold,
                                                 returned, net, revenue, tickets, stockout,
                                                 last_count)
              JOIN product_product p ON p.id = v.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
            ON CONFLICT (product_id, warehouse_id, date) DO UPDATE SET
                qty_sold = d.qty_sold + EXCLUDED.qty_sold,
                qty_returned = d.qty_returned + EXCLUDED.qty_returned,
                qty_net = d.qty_net + EXCLUDED.qty_net,
                revenue = d.revenue + EXCLUDED.revenue,
                transactions = d.transactions + EXCLUDED.transactions,
                stockout = d.stockout OR EXCLUDED.stockout,
                last_count_qty = COALESCE(EXCLUDED.last_count_qty, d.last_count_qty),
                write_uid = EXCLUDED.write_uid,
                write_date = EXCLUDED.write_date
            """,
            [self.env.uid, self.env.uid] + [item for row in values for item in row],
        )

    # ------------------------------------------------------------------
    # From-scratch recomputation (admin action, and the tests' reference)
    # ------------------------------------------------------------------
    @api.model
    def _recompute_from_signals(self):
        """Aggregate every matched signal from scratch; returns
        ``{(product_id, warehouse_id, date): (sold, returned, revenue, tickets, stockout)}``."""
        self.env["pos.demand.signal"].flush_model()
        # a void counts against the kind it cancels: COALESCE(reverses_kind, kind)
        self.env.cr.execute(
            """
            SELECT s.product_id, s.warehouse_id, s.date_local,
                   COALESCE(SUM(s.quantity)
                            FILTER (WHERE COALESCE(s.reverses_kind, s.kind) = 'sale'), 0),
                   COALESCE(-SUM(s.quantity)
                            FILTER (WHERE COALESCE(s.reverses_kind, s.kind) = 'return'), 0),
                   COALESCE(SUM(s.amount_company) FILTER (WHERE s.kind <> 'inventory'), 0),
                   COUNT(DISTINCT s.event_id) FILTER (
                       WHERE s.kind = 'sale' AND NOT EXISTS (
                           SELECT 1 FROM pos_demand_signal v
                            WHERE v.reversed_signal_id = s.id AND v.kind = 'void'
                              AND v.product_id IS NOT NULL)),
                   COALESCE(BOOL_OR(s.quantity <= 0) FILTER (WHERE s.kind = 'inventory'), false)
              FROM pos_demand_signal s
             WHERE s.product_id IS NOT NULL AND s.warehouse_id IS NOT NULL
             GROUP BY s.product_id, s.warehouse_id, s.date_local
            """
        )
        return {(r[0], r[1], r[2]): r[3:] for r in self.env.cr.fetchall()}

    @api.model
    def action_rebuild(self):
        """Replace the whole table with a from-scratch aggregation (repair tool)."""
        totals = self._recompute_from_signals()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (product_id, warehouse_id, date_local)
                   product_id, warehouse_id, date_local, quantity
              FROM pos_demand_signal
             WHERE kind = 'inventory' AND product_id IS NOT NULL AND warehouse_id IS NOT NULL
             ORDER BY product_id, warehouse_id, date_local, occurred_at DESC, id DESC
            """
        )
        last_counts = {(r[0], r[1], r[2]): r[3] for r in self.env.cr.fetchall()}
        warehouses = self.env["stock.warehouse"].sudo().browse({key[1] for key in totals})
        company_of = {w.id: w.company_id.id for w in warehouses}
        self.env.cr.execute("DELETE FROM pos_demand_daily")
        self._upsert(
            [
                (
                    key[0],
                    key[1],
                    company_of[key[1]],
                    key[2],
                    sold,
                    returned,
                    sold - returned,
                    revenue,
                    tickets,
                    stockout,
                    last_counts.get(key),
                )
                for key, (sold, returned, revenue, tickets, stockout) in totals.items()
            ]
        )
        self.env.cr.execute(
            """
            UPDATE pos_demand_signal SET daily_applied = (product_id IS NOT NULL
                                                          AND warehouse_id IS NOT NULL)
            """
        )
        self.env["pos.demand.signal"].invalidate_model(["daily_applied"])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _("Daily demand rebuilt: %s rows.", len(totals)),
                "type": "success",
            },
        }
