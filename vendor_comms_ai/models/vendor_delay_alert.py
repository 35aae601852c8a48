# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.pos_ai_replenishment.models.config import config_value, first_person


class VendorDelayAlert(models.AbstractModel):
    """When a vendor's new ETA comes after the day stock runs out (on hand over
    the forecast demand), tell the warehouse and suggest what else to do."""

    _name = "vendor.delay.alert"
    _description = "Vendor Delay Alert"

    @api.model
    def _check(self, order, eta):
        warehouse = order.picking_type_id.warehouse_id
        today = fields.Date.context_today(self)
        at_risk = []
        for line in order.order_line.filtered(lambda ln: ln.product_id and not ln.display_type):
            product = line.product_id
            forecast = self.env["pos.demand.forecast"].search(
                [("product_id", "=", product.id), ("warehouse_id", "=", warehouse.id)], limit=1
            )
            demand = forecast.demand_mean
            if demand <= 0:
                continue
            on_hand = product.with_context(warehouse_id=warehouse.id).qty_available
            runs_out = today + timedelta(days=int(max(on_hand, 0) / demand))
            if runs_out < eta:
                at_risk.append((line, on_hand, demand, runs_out))
        if not at_risk:
            return False
        manager = self._manager(warehouse, at_risk[0][0].product_id)
        body = self._body(order, eta, at_risk)
        order.message_post(body=body, subtype_xmlid="mail.mt_note")
        order.activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=manager.id,
            summary=self.env._("Stockout before %(vendor)s delivers", vendor=order.partner_id.name),
            note=body,
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._(
                    "%(order)s: %(count)s product(s) run out before the new ETA %(eta)s",
                    order=order.name,
                    count=len(at_risk),
                    eta=eta,
                ),
                "body_html": body,
                "email_to": manager.email_formatted or manager.partner_id.email_formatted,
                "model": "purchase.order",
                "res_id": order.id,
                "auto_delete": False,
            }
        )
        self.env["pos.ai.audit.log"]._log(
            "vendor_delay_alert",
            order,
            inputs={
                "eta": str(eta),
                "products": [
                    {
                        "product": line.product_id.display_name,
                        "on_hand": on_hand,
                        "demand_per_day": demand,
                        "runs_out": str(runs_out),
                    }
                    for line, on_hand, demand, runs_out in at_risk
                ],
            },  # fmt: skip
            result=self.env._("alert sent to %s", manager.name),
        )
        return True

    @api.model
    def _manager(self, warehouse, product):
        """The configured store manager, else the product's responsible, else admin."""
        user_id = config_value(self.env, "vendor_comms_ai.delay_user_id", 0)
        configured = self.env["res.users"].browse(user_id).exists()
        return first_person(self.env, (configured, product.responsible_id))

    @api.model
    def _substitutes(self, product, warehouse, demand):
        """Products of the same category with stock and similar sales (within half)."""
        forecasts = self.env["pos.demand.forecast"].search(
            [
                ("warehouse_id", "=", warehouse.id),
                ("categ_id", "=", product.categ_id.id),
                ("product_id", "!=", product.id),
                ("demand_mean", ">=", demand * 0.5),
                ("demand_mean", "<=", demand * 1.5),
            ]
        )
        out = []
        for forecast in forecasts:
            stock = forecast.product_id.with_context(warehouse_id=warehouse.id).qty_available
            if stock > 0:
                out.append((forecast.product_id, stock, forecast.demand_mean))
        return sorted(out, key=lambda item: -item[1])[:3]

    @api.model
    def _body(self, order, eta, at_risk):
        warehouse = order.picking_type_id.warehouse_id
        items = []
        for line, on_hand, demand, runs_out in at_risk:
            product = line.product_id
            sellers = product.seller_ids.filtered(
                lambda s, o=order: (
                    s.partner_id != o.partner_id
                    and (not s.company_id or s.company_id == o.company_id)
                )
            )
            vendors = Markup("").join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(vendor)s: %(delay)s days, %(price)s %(currency)s",
                    vendor=s.partner_id.name,
                    delay=s.delay,
                    price=s.price,
                    currency=s.currency_id.name,
                )
                for s in sellers
            ) or Markup("<li>%s</li>") % self.env._("no other vendor on file")
            substitutes = Markup("").join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(product)s: %(stock)g in stock, sells %(demand).1f/day",
                    product=p.display_name,
                    stock=stock,
                    demand=d,
                )
                for p, stock, d in self._substitutes(product, warehouse, demand)
            ) or Markup("<li>%s</li>") % self.env._("no substitute with stock")
            items.append(
                Markup("<li><b>%s</b>: %s<br/>%s<ul>%s</ul>%s<ul>%s</ul></li>")
                % (
                    product.display_name,
                    self.env._(
                        "%(on_hand)g on hand at %(demand).1f/day runs out on %(date)s, "
                        "before the new ETA %(eta)s.",
                        on_hand=on_hand,
                        demand=demand,
                        date=runs_out,
                        eta=eta,
                    ),
                    self.env._("Other vendors:"),
                    vendors,
                    self.env._("Substitutes in stock:"),
                    substitutes,
                )
            )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "%(vendor)s now expects to deliver %(order)s on %(eta)s.",
                vendor=order.partner_id.name,
                order=order.name,
                eta=eta,
            ),
            Markup("").join(items),
        )
