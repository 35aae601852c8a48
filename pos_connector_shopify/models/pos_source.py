# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..shopify_engine.admin_api import (
    DEFAULT_API_VERSION,
    MAX_PAGE_LIMIT,
    ShopifyAdminClient,
    ShopifyAPIError,
)
from ..shopify_engine.translate import locations as shopify_locations

_logger = logging.getLogger(__name__)

WEBHOOK_ROUTE = "/pos_connector_shopify/webhook/"
DEFAULT_TOPICS = (
    "orders/create,orders/paid,orders/updated,orders/cancelled,refunds/create,"
    "inventory_levels/update,products/update"
)
# Orders updated this long before the last sync started are fetched again, so
# an order updated during a sync is never missed (dedupe makes repeats free).
SYNC_OVERLAP = timedelta(minutes=10)


class PosSource(models.Model):
    _inherit = "pos.source"

    kind = fields.Selection(
        selection_add=[("shopify", "Shopify")], ondelete={"shopify": "set default"}
    )
    shopify_shop_domain = fields.Char(
        string="Shop Domain", help="e.g. my-store.myshopify.com", tracking=True
    )
    shopify_access_token = fields.Char(
        string="Admin API Access Token",
        copy=False,
        groups="pos_ai_replenishment.group_replenishment_manager",
    )
    shopify_api_version = fields.Char(string="API Version", default=DEFAULT_API_VERSION)
    shopify_api_url = fields.Char(
        string="Admin API URL",
        help="Leave empty for https://<shop domain>/admin/api/<version>/ "
        "(set it only for a proxy or a test server).",
    )
    shopify_topics = fields.Char(string="Webhook Topics", default=DEFAULT_TOPICS)
    shopify_webhook_url = fields.Char(compute="_compute_shopify_webhook_url")
    shopify_webhook_state = fields.Text(string="Webhook Subscriptions", readonly=True)
    shopify_order_cursor = fields.Char(
        string="Backfill Cursor", copy=False, help="Shopify page_info to resume the order import."
    )
    shopify_orders_synced_until = fields.Datetime(
        string="Orders Synced Until",
        copy=False,
        help="Orders updated since then are imported by the next sync.",
    )
    shopify_last_sync = fields.Datetime(copy=False, readonly=True)
    shopify_last_error = fields.Text(copy=False, readonly=True)
    shopify_topic_counts = fields.Text(compute="_compute_shopify_topic_counts")

    def _compute_shopify_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.shopify_webhook_url = f"{base_url}{WEBHOOK_ROUTE}{source.code or ''}"

    def _compute_shopify_topic_counts(self):
        groups = self.env["pos.inbox.event"]._read_group(
            [("source_id", "in", self.ids)], ["source_id", "topic", "state"], ["__count"]
        )
        lines = {}
        for source, topic, state, count in groups:
            lines.setdefault(source.id, []).append(f"{topic or '-'}: {count} {state}")
        for source in self:
            source.shopify_topic_counts = "\n".join(sorted(lines.get(source.id, [])))

    # ------------------------------------------------------------------
    # Admin API
    # ------------------------------------------------------------------
    def _shopify_client(self):
        self.ensure_one()
        if self.kind != "shopify":
            raise UserError(_("%s is not a Shopify source.", self.display_name))
        secret_fields = self.sudo()
        if not self.shopify_shop_domain and not self.shopify_api_url:
            raise UserError(_("Set the shop domain of %s first.", self.display_name))
        return ShopifyAdminClient(
            self.shopify_shop_domain or "",
            secret_fields.shopify_access_token or "",
            api_version=self.shopify_api_version or DEFAULT_API_VERSION,
            base_url=self.shopify_api_url or None,
        )

    def _shopify_fail(self, err):
        message = str(err)
        self.sudo().write({"shopify_last_error": message})
        self.message_post(body=_("Shopify: %s", message))
        _logger.warning("Shopify source %s: %s", self.display_name, message)
        return message

    def action_shopify_test_connection(self):
        self.ensure_one()
        try:
            found = shopify_locations(self._shopify_client().list_locations())
        except ShopifyAPIError as err:
            raise UserError(self._shopify_fail(err)) from err
        self.sudo().shopify_last_error = False
        return self._notify(
            _(
                "Connected to %(shop)s: %(n)s locations.",
                shop=self.shopify_shop_domain,
                n=len(found),
            )
        )

    def action_shopify_import_locations(self):
        """Add every Shopify location to the mapping, on the default warehouse
        until someone maps it elsewhere."""
        self.ensure_one()
        try:
            found = shopify_locations(self._shopify_client().list_locations())
        except ShopifyAPIError as err:
            raise UserError(self._shopify_fail(err)) from err
        warehouse = self.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        known = set(self.location_map_ids.mapped("external_location"))
        new = [loc for loc in found if loc.location_id not in known]
        self.location_map_ids = [
            (
                0,
                0,
                {
                    "external_location": loc.location_id,
                    "name": loc.name,
                    "warehouse_id": warehouse.id,
                },
            )
            for loc in new
        ]
        return self._notify(_("%s locations imported.", len(new)))

    def action_shopify_register_webhooks(self):
        self.ensure_one()
        topics = [t.strip() for t in (self.shopify_topics or "").split(",") if t.strip()]
        try:
            result = self._shopify_client().register_webhooks(self.shopify_webhook_url, topics)
        except ShopifyAPIError as err:
            raise UserError(self._shopify_fail(err)) from err
        state = [
            f"{w.get('topic')}: subscribed (id {w.get('id')})"
            for w in result.created + result.existing
        ]
        self.sudo().write(
            {"shopify_webhook_state": "\n".join(sorted(state)), "shopify_last_error": False}
        )
        return self._notify(
            _(
                "%(new)s webhook subscriptions created, %(old)s already there.",
                new=len(result.created),
                old=len(result.existing),
            )
        )

    def action_shopify_sync_now(self):
        for source in self:
            source._shopify_sync_orders()
            source._shopify_sync_inventory()
        return True

    def _notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Backfill and reconciliation
    # ------------------------------------------------------------------
    @api.model
    def _cron_shopify_sync(self):
        for source in self.search([("kind", "=", "shopify")]):
            source._shopify_sync_orders()
            source._shopify_sync_inventory()
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _shopify_sync_orders(self, max_pages=None):
        """Import orders updated since the last sync, page by page, into the
        inbox (dedupe makes webhook overlap free). The cursor is saved after
        every page, so an interrupted import resumes where it stopped.
        Returns the number of orders stored."""
        self.ensure_one()
        inbox = self.env["pos.inbox.event"].sudo()
        started = fields.Datetime.now()
        since = self.shopify_orders_synced_until
        since_iso = (since - SYNC_OVERLAP).isoformat() + "Z" if since else None
        stored = pages = 0
        try:
            for page in self._shopify_client().iter_orders(
                since=since_iso,
                page_info=self.shopify_order_cursor or None,
                limit=self.env.context.get("shopify_page_limit", MAX_PAGE_LIMIT),
            ):
                for order in page.items:
                    _event, created = inbox._store_incoming(
                        self,
                        f"order:{order['id']}:{order.get('updated_at') or ''}",
                        "orders/backfill",
                        json.dumps(order),
                        {},
                    )
                    stored += created
                self.sudo().shopify_order_cursor = page.next_page_info or False
                pages += 1
                if max_pages and pages >= max_pages and page.next_page_info:
                    return stored
        except ShopifyAPIError as err:
            self._shopify_fail(err)
            return stored
        self.sudo().write(
            {
                "shopify_order_cursor": False,
                "shopify_orders_synced_until": started,
                "shopify_last_sync": started,
                "shopify_last_error": False,
            }
        )
        return stored

    def _shopify_sync_inventory(self):
        """Inventory levels at every mapped location, as one inventory event
        per location and sync (a snapshot, so it restarts rather than resumes)."""
        self.ensure_one()
        location_ids = self.location_map_ids.mapped("external_location")
        if not location_ids:
            return 0
        levels = []
        try:
            for page in self._shopify_client().inventory_levels(location_ids):
                levels.extend(page.items)
        except ShopifyAPIError as err:
            self._shopify_fail(err)
            return 0
        stamp = fields.Datetime.now().isoformat()
        _event, created = (
            self.env["pos.inbox.event"]
            .sudo()
            ._store_incoming(
                self,
                f"inventory-sync:{stamp}",
                "inventory_levels/sync",
                json.dumps({"inventory_levels": levels}),
                {},
            )
        )
        return int(created)
