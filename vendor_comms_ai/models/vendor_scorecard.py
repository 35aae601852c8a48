# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

import pandas as pd

from odoo import api, fields, models

from odoo.addons.pos_ai_replenishment.models.config import config_value

from ..vendor_engine import scorecard as engine

RECEIPT_COLUMNS = [
    "vendor_id",
    "category_id",
    "po_line_id",
    "ordered_qty",
    "received_qty",
    "promised_date",
    "received_date",
    "order_date",
    "eta_given",
    "price_paid",
    "list_price",
]
QUALITY_COLUMNS = ["vendor_id", "category_id", "returned_qty", "defect_returns"]
DEFECT_REASONS = ("defect", "defective", "damaged", "faulty", "broken")


class VendorScorecard(models.Model):
    """How a vendor delivers, overall (no category) and per product category,
    from receipts against purchase order dates, prices and returns."""

    _name = "vendor.scorecard"
    _description = "Supplier Scorecard"
    _order = "risk_score desc, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Vendor", required=True, index=True)
    categ_id = fields.Many2one("product.category", string="Category", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    receipt_count = fields.Integer(string="Lines Received")
    on_time_rate = fields.Float(string="On Time", digits=(16, 3), aggregator="avg")
    fill_rate = fields.Float(digits=(16, 3), aggregator="avg")
    lead_time_mean = fields.Float(string="Lead Time (days)", digits=(16, 1))
    lead_time_std = fields.Float(string="Lead Time Sigma (days)", digits=(16, 1))
    eta_accuracy = fields.Float(string="ETA Error (days)", digits=(16, 1))
    price_variance = fields.Float(string="Price vs Pricelist", digits=(16, 3))
    quality_rate = fields.Float(string="Quality", digits=(16, 3))
    risk_score = fields.Float(digits=(16, 1), aggregator="max")
    at_risk = fields.Boolean(index=True)
    low_data = fields.Boolean(help="Fewer receipts than needed for a stable figure.")
    explanation = fields.Text()
    observed_delay = fields.Float(string="Observed Lead Time (days)", digits=(16, 1))
    computed_at = fields.Datetime()
    alternate_ids = fields.Many2many(
        "res.partner", compute="_compute_alternate_ids", string="Alternate Vendors"
    )

    _sql_constraints = [
        (
            "card_unique",
            "unique(partner_id, categ_id, company_id)",
            "One scorecard per vendor and category.",
        ),
    ]

    @api.depends("partner_id", "categ_id")
    def _compute_alternate_ids(self):
        for card in self:
            domain = [("partner_id", "!=", card.partner_id.id)]
            if card.categ_id:
                domain.append(("product_tmpl_id.categ_id", "=", card.categ_id.id))
            else:
                mine = self.env["product.supplierinfo"].search(
                    [("partner_id", "=", card.partner_id.id)]
                )
                domain.append(("product_tmpl_id", "in", mine.product_tmpl_id.ids))
            card.alternate_ids = self.env["product.supplierinfo"].search(domain).partner_id

    # ------------------------------------------------------------------
    @api.model
    def _cron_compute(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company)._compute_company(company)

    @api.model
    def action_compute_now(self):
        self._compute_company(self.env.company)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "vendor_comms_ai.vendor_scorecard_action"
        )

    @api.model
    def _receipts_frame(self, company):
        """One row per purchase line with done receipts."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT o.partner_id, t.categ_id, l.id, l.product_qty, l.qty_received,
                   COALESCE(l.vendor_promised_date, l.date_planned)::date,
                   MAX(m.date)::date, COALESCE(o.date_approve, o.date_order)::date,
                   o.vendor_eta, l.price_unit, l.product_id, l.product_uom,
                   o.currency_id
              FROM purchase_order_line l
              JOIN purchase_order o ON o.id = l.order_id
              JOIN stock_move m ON m.purchase_line_id = l.id AND m.state = 'done'
              JOIN stock_location dest ON dest.id = m.location_dest_id
                                      AND dest.usage = 'internal'
              JOIN product_product p ON p.id = l.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
             WHERE o.company_id = %s AND o.state IN ('purchase', 'done')
             GROUP BY o.id, l.id, t.categ_id
            """,
            [company.id],
        )
        rows = self.env.cr.fetchall()
        records = []
        for row in rows:
            partner = self.env["res.partner"].browse(row[0])
            product = self.env["product.product"].browse(row[10])
            seller = product.with_company(company)._select_seller(
                partner_id=partner, quantity=row[3], date=row[7], uom_id=product.uom_po_id
            )
            records.append(
                (
                    partner.commercial_partner_id.id,
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    seller.price if seller else float("nan"),
                )
            )
        frame = pd.DataFrame(records, columns=RECEIPT_COLUMNS)
        for column in ("promised_date", "received_date", "order_date", "eta_given"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    @api.model
    def _quality_frame(self, company):
        """Per vendor and category: units returned to the vendor, and POS returns
        with a defect reason (counted against the product's main vendor; voided
        returns left out)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT o.partner_id, t.categ_id, SUM(m.quantity), 0
              FROM stock_move m
              JOIN stock_location dest ON dest.id = m.location_dest_id
                                      AND dest.usage = 'supplier'
              JOIN stock_move orig ON orig.id = m.origin_returned_move_id
              JOIN purchase_order_line l ON l.id = orig.purchase_line_id
              JOIN purchase_order o ON o.id = l.order_id
              JOIN product_product p ON p.id = m.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
             WHERE m.state = 'done' AND o.company_id = %(company)s
             GROUP BY o.partner_id, t.categ_id
            UNION ALL
            SELECT seller.partner_id, t.categ_id, 0, SUM(-s.quantity)
              FROM pos_demand_signal s
              JOIN product_product p ON p.id = s.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
              JOIN LATERAL (
                   SELECT si.partner_id FROM product_supplierinfo si
                    WHERE si.product_tmpl_id = t.id
                      AND (si.company_id IS NULL OR si.company_id = %(company)s)
                    ORDER BY si.sequence, si.id LIMIT 1) seller ON TRUE
             WHERE s.kind = 'return' AND s.company_id = %(company)s
               AND s.return_reason = ANY(%(defects)s)
               AND NOT EXISTS (SELECT 1 FROM pos_demand_signal v
                                WHERE v.reversed_signal_id = s.id AND v.kind = 'void')
             GROUP BY seller.partner_id, t.categ_id
            """,
            {"company": company.id, "defects": list(DEFECT_REASONS)},
        )
        rows = [
            (self.env["res.partner"].browse(partner).commercial_partner_id.id, *rest)
            for partner, *rest in self.env.cr.fetchall()
        ]
        frame = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
        return frame.groupby(["vendor_id", "category_id"], as_index=False).sum()

    @api.model
    def _compute_company(self, company):
        receipts = self._receipts_frame(company)
        if receipts.empty:
            return self.browse()
        quality = self._quality_frame(company)
        threshold = config_value(
            self.env, "vendor_comms_ai.risk_threshold", engine.DEFAULT_THRESHOLD, float
        )
        result = engine.build_scorecards(receipts, quality, threshold=threshold)
        delays = engine.observed_delay_days(receipts, by=("vendor_id", "category_id"))
        delay_of = {
            (int(r["vendor_id"]), int(r["category_id"])): float(r["delay_days"])
            for r in delays.to_dict("records")
        }
        existing = {
            (c.partner_id.id, c.categ_id.id or False): c
            for c in self.search([("company_id", "=", company.id)])
        }
        now = fields.Datetime.now()
        cards = self.browse()
        for frame, by_category in ((result.by_vendor, False), (result.by_vendor_category, True)):
            for row in frame.to_dict("records"):
                key = (int(row["vendor_id"]), int(row["category_id"]) if by_category else False)
                vals = {
                    "partner_id": key[0],
                    "categ_id": key[1],
                    "company_id": company.id,
                    "receipt_count": int(row["n_lines"]),
                    "on_time_rate": _num(row["on_time_rate"]),
                    "fill_rate": _num(row["fill_rate"]),
                    "lead_time_mean": _num(row["lead_time_mean"]),
                    "lead_time_std": _num(row["lead_time_std"]),
                    "eta_accuracy": _num(row["eta_accuracy"]),
                    "price_variance": _num(row["price_variance"]),
                    "quality_rate": _num(row["quality_rate"], 1.0),
                    "risk_score": _num(row["risk_score"]),
                    "at_risk": bool(row["at_risk"]),
                    "low_data": bool(row["low_data"]),
                    "explanation": row["explanation"],
                    "observed_delay": delay_of.get(key, 0.0) if by_category else 0.0,
                    "computed_at": now,
                }
                card = existing.get(key)
                if card:
                    card.write(vals)
                else:
                    card = self.create(vals)
                cards |= card
        self._learn_lead_times(cards.filtered("categ_id"))
        return cards

    @api.model
    def _learn_lead_times(self, cards):
        """Behind the category flag: vendor delay = observed lead time."""
        for card in cards.filtered(
            lambda c: c.categ_id.vendor_learn_lead_times and not c.low_data and c.observed_delay
        ):
            sellers = self.env["product.supplierinfo"].search(
                [
                    ("partner_id", "child_of", card.partner_id.id),
                    ("product_tmpl_id.categ_id", "=", card.categ_id.id),
                ]
            )
            delay = int(math.ceil(card.observed_delay))
            changed = sellers.filtered(lambda s, d=delay: s.delay != d)
            if not changed:
                continue
            changed.write({"delay": delay})
            self.env["pos.ai.audit.log"]._log(
                "vendor_lead_time_learned",
                card,
                inputs={"observed_delay": card.observed_delay, "receipts": card.receipt_count},
                result=self.env._(
                    "%(count)s vendor price lines of %(vendor)s in %(categ)s now %(delay)s days",
                    count=len(changed),
                    vendor=card.partner_id.name,
                    categ=card.categ_id.display_name,
                    delay=delay,
                ),
            )


def _num(value, default=0.0):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default
