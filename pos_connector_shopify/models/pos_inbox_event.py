# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from odoo.addons.pos_ai_replenishment.demand_engine.payload import (
    PayloadError,
    parse_unified_event,
)

from ..shopify_engine.translate import (
    ShopifyPayloadError,
    inventory_levels_to_events,
    load_json,
    order_snapshot_to_events,
    translate_webhook,
)


class PosInboxEvent(models.Model):
    _inherit = "pos.inbox.event"

    def _parse_events(self):
        """A Shopify delivery (or backfill page row) to unified events: one per
        order line, refund or count, with ids taken from Shopify's own
        resources, so webhooks, redeliveries and backfills agree."""
        if self.source_id.kind != "shopify":
            return super()._parse_events()
        try:
            translation = self._shopify_translate()
        except (ShopifyPayloadError, ValueError) as err:
            raise PayloadError(str(err)) from err
        if translation.variants:
            self.env["pos.product.mapping"].sudo()._shopify_map_variants(
                self.source_id, translation.variants
            )
        tz = self.source_id.tz
        return [parse_unified_event(event, tz) for event in translation.events]

    def _shopify_translate(self):
        if self.topic == "orders/backfill":
            return order_snapshot_to_events(load_json(self.body), "orders/updated")
        if self.topic == "inventory_levels/sync":
            return inventory_levels_to_events(load_json(self.body))
        return translate_webhook(self.topic, self.body, self.external_id)

    def _record_outcome(self, parsed, new_count, failures, max_attempts):
        """Shopify's test data ends ignored like any event without demand, and
        says why: it is kept and shown, never counted."""
        res = super()._record_outcome(parsed, new_count, failures, max_attempts)
        tests = self.browse(
            event.id
            for event, unified in parsed.items()
            if event not in failures
            and not unified
            and event.source_id.kind == "shopify"
            and event._shopify_translate().test
        )
        tests.write(
            {"error": _("Shopify test data (test: true): stored and shown, never counted.")}
        )
        return res
