# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import secrets
from collections import namedtuple
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get

INTAKE_ROUTE = "/pos_ai_replenishment/intake/"

IntakeCredentials = namedtuple("IntakeCredentials", "id company_id secret tz kind")
# fields that _intake_credentials reads (a change of any other field keeps the cache)
INTAKE_FIELDS = {"code", "active", "company_id", "signing_secret", "tz", "kind"}

# Demo seasonality per category: (day of year of the peak, seasonal swing).
DEMO_SEASONS = {
    "categ_beverages": (190, 0.35),
    "categ_snacks": (300, 0.15),
    "categ_outdoor": (180, 0.8),
    "categ_gifts": (350, 0.9),
    "categ_household": (1, 0.1),
}
DEMO_STORE_SCALE = {"downtown": 1.0, "harbor": 0.7}


class PosSource(models.Model):
    """One connected store system (a Shopify shop, a Lightspeed account, a
    script posting the unified schema...). Connector addons extend ``kind``."""

    _name = "pos.source"
    _description = "POS Source"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        copy=False,
        help="Identifier used in the intake URL; letters, digits, dash and underscore.",
    )
    kind = fields.Selection(
        [("generic", "Generic (unified JSON)")],
        required=True,
        default="generic",
        tracking=True,
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of prices when an event names none.",
    )
    signing_secret = fields.Char(
        copy=False,
        groups="pos_ai_replenishment.group_replenishment_manager",
        help="Key of the HMAC-SHA256 signature every intake request must carry.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        required=True,
        default=lambda self: self.env.user.tz or "UTC",
        help="Store time zone: sales are counted on the store-local business date.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Default Warehouse",
        check_company=True,
        help="Warehouse for events whose POS location has no mapping below.",
    )
    location_map_ids = fields.One2many(
        "pos.source.location", "source_id", string="Location Mapping", copy=True
    )
    intake_url = fields.Char(compute="_compute_intake_url")
    event_count = fields.Integer(compute="_compute_event_stats")
    failed_event_count = fields.Integer(compute="_compute_event_stats")
    unmatched_signal_count = fields.Integer(compute="_compute_event_stats")
    last_event_at = fields.Datetime(compute="_compute_event_stats")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The source code must be unique."),
    ]

    @api.constrains("code")
    def _check_code(self):
        for source in self:
            if not source.code.replace("-", "").replace("_", "").isalnum():
                raise UserError(_("The code may hold only letters, digits, '-' and '_'."))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _intake_credentials
        return super().create(vals_list)

    def write(self, vals):
        if INTAKE_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache("code")
    def _intake_credentials(self, code):
        """:class:`IntakeCredentials` of the active source with this code, or
        None; cached per worker, cleared on any change of a source."""
        source = self.sudo().search([("code", "=", code), ("active", "=", True)], limit=1)
        if not source:
            return None
        return IntakeCredentials(
            source.id, source.company_id.id, source.signing_secret or "", source.tz, source.kind
        )

    def _compute_intake_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.intake_url = f"{base_url}{INTAKE_ROUTE}{source.code or ''}"

    def _compute_event_stats(self):
        events = self.env["pos.inbox.event"]
        by_source = {
            source.id: (count, last)
            for source, count, last in events._read_group(
                [("source_id", "in", self.ids)],
                ["source_id"],
                ["__count", "received_at:max"],
            )
        }
        failed = dict(
            events._read_group(
                [("source_id", "in", self.ids), ("state", "=", "failed")],
                ["source_id"],
                ["__count"],
            )
        )
        unmatched = dict(
            self.env["pos.demand.signal"]._read_group(
                [("source_id", "in", self.ids), ("match_state", "=", "unmatched")],
                ["source_id"],
                ["__count"],
            )
        )
        for source in self:
            count, last = by_source.get(source.id, (0, False))
            source.event_count = count
            source.last_event_at = last
            source.failed_event_count = failed.get(source, 0)
            source.unmatched_signal_count = unmatched.get(source, 0)

    def action_generate_secret(self):
        """Issue a fresh random signing secret (the old one stops working)."""
        for source in self:
            source.sudo().signing_secret = secrets.token_urlsafe(32)
            source.message_post(body=_("A new signing secret was generated."))
        return True

    def _warehouse_for_location(self, location):
        """Warehouse of a POS location id, else the default warehouse."""
        self.ensure_one()
        if location:
            mapped = self.location_map_ids.filtered(lambda m: m.external_location == location)
            if mapped:
                return mapped[0].warehouse_id
        return self.warehouse_id

    def _open_related(self, model, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
        }

    def action_view_events(self):
        self.ensure_one()
        return self._open_related("pos.inbox.event", _("Inbox"), [("source_id", "=", self.id)])

    def action_view_unmatched(self):
        self.ensure_one()
        return self._open_related(
            "pos.demand.signal",
            _("Unmatched signals"),
            [("source_id", "=", self.id), ("match_state", "=", "unmatched")],
        )

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    def _load_demo_history(self, days=365):
        """Post a year of seasonal daily sales and returns per demo store as
        unified events and process them through the real inbox path."""
        import pandas as pd  # noqa: PLC0415 - demo only

        from ..demand_engine.demo_history import seasonal_daily_sales  # noqa: PLC0415

        self.ensure_one()
        products = self.env["product.product"]
        profile_of, price_of = {}, {}
        for xmlid, (peak, amplitude) in DEMO_SEASONS.items():
            categ = self.env.ref(f"pos_ai_replenishment.{xmlid}", raise_if_not_found=False)
            for product in products.search([("categ_id", "=", categ.id)]) if categ else []:
                base = min(max(30.0 / max(product.list_price, 0.5), 0.3), 12.0)
                profile_of[product.default_code] = (base, peak, amplitude)
                price_of[product.default_code] = product.list_price
        start = fields.Date.context_today(self) - timedelta(days=days)
        events = []
        for seed, mapping in enumerate(self.location_map_ids):
            scale = DEMO_STORE_SCALE.get(mapping.external_location, 1.0)
            series = pd.DataFrame(
                [
                    {
                        "unique_id": sku,
                        "base_rate": base * scale,
                        "peak_day": peak,
                        "amplitude": amplitude,
                        "trend": 0.08,
                    }
                    for sku, (base, peak, amplitude) in profile_of.items()
                ]
            )
            history = seasonal_daily_sales(series, start, days, seed=seed + 1)
            history = history[history["y"] > 0]
            for day, rows in history.groupby("ds"):
                events += self._demo_day_events(
                    mapping.external_location, day.date(), rows, price_of
                )
        inbox = self.env["pos.inbox.event"].sudo()
        inbox.create(events)
        while inbox._process_batch(500):
            pass
        return True

    def _demo_day_events(self, location, day, rows, price_of):
        """One closing-time sale event and, if any, one refund event."""
        occurred = f"{day.isoformat()}T19:30:00"
        stamp = f"{location}-{day.isoformat()}"
        events = []
        for kind, column in (("sale", "y"), ("refund", "returns")):
            lines = [
                {
                    "line_id": f"{stamp}-{kind}-{sku}",
                    "sku": sku,
                    "quantity": int(qty),
                    "unit_price": price_of[sku],
                }
                for sku, qty in zip(rows["unique_id"], rows[column], strict=True)
                if qty
            ]
            if not lines:
                continue
            body = {
                "event_id": f"demo-{stamp}-{kind}",
                "type": kind,
                "occurred_at": occurred,
                "location": location,
                "lines": lines,
            }
            events.append(
                {
                    "source_id": self.id,
                    "external_id": body["event_id"],
                    "topic": kind,
                    "body": json.dumps(body),
                }
            )
        return events
