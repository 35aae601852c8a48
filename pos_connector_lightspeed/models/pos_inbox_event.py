# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.pos_ai_replenishment.demand_engine.payload import (
    PayloadError,
    parse_unified_event,
)

from ..lightspeed_engine import rseries, xseries
from ..lightspeed_engine.common import LightspeedPayloadError, load_json
from .pos_source import LS_KINDS


class PosInboxEvent(models.Model):
    _inherit = "pos.inbox.event"

    def _parse_events(self):
        """A Lightspeed Sale, Item, REST row or webhook delivery to unified
        events. Event ids come from Lightspeed's own ids (sale, line, shop,
        item, version), so polls, webhooks, redeliveries and backfills agree
        and nothing is counted twice."""
        if self.source_id.kind not in LS_KINDS:
            return super()._parse_events()
        try:
            translation = self._ls_translate()
        except (LightspeedPayloadError, ValueError, TypeError, KeyError) as err:
            raise PayloadError(f"{err.__class__.__name__}: {err}") from err
        if translation.products:
            self.env["pos.product.mapping"].sudo()._ls_map_products(
                self.source_id, translation.products
            )
        tz = self.source_id.tz
        return [parse_unified_event(event, tz) for event in translation.events]

    def _ls_received_iso(self):
        return fields.Datetime.to_datetime(self.received_at).isoformat() + "+00:00"

    def _ls_translate(self):
        source = self.source_id
        currency = source.currency_id.name
        topic = self.topic or ""
        if topic == "rseries/sale":
            return rseries.sale_to_events(load_json(self.body), currency)
        if topic == "rseries/item":
            item = load_json(self.body)
            translation = rseries.item_inventory_events(item)
            translation.products.append(rseries.item_mapping(item))
            return translation
        outlets = source._ls_register_outlets()
        if topic == "xseries/sale":
            return self._ls_x_sale(load_json(self.body), currency, outlets)
        if topic == "xseries/inventory":
            return xseries.inventory_to_event(load_json(self.body), self._ls_received_iso())
        # a webhook delivery, stored as received (form-encoded, JSON in payload)
        delivery = xseries.parse_webhook(self.body, topic)
        if (delivery.type or "").lower() == "sale.update":
            return self._ls_x_sale(delivery.payload, currency, outlets)
        return xseries.translate_webhook(delivery, currency, outlets, self._ls_received_iso())

    def _ls_x_sale(self, sale, currency, outlets):
        """A voided X-Series sale counts as its sale and the void together, so
        it nets to zero whether or not its closed version was seen before (a
        sale closed and voided between two backfills, a webhook out of order);
        lines already recorded are never recorded twice."""
        sale = sale.get("data") if isinstance(sale.get("data"), dict) else sale
        status = str(sale.get("status") or "").upper()
        if status not in xseries.VOID_STATUSES:
            return xseries.sale_to_events(sale, currency, outlets)
        translation = xseries.sale_to_events(dict(sale, status="CLOSED"), currency, outlets)
        translation.events = [e for e in translation.events if e["type"] == "sale"]
        return translation.extend(xseries.sale_to_events(sale, currency, outlets))
