# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json
import logging
import secrets
from datetime import UTC, datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lightspeed_engine import rseries, rseries_api, xseries, xseries_api
from ..lightspeed_engine.common import LightspeedPayloadError, text
from ..lightspeed_engine.transport import LightspeedAPIError, Tokens

_logger = logging.getLogger(__name__)

LS_KINDS = ("lightspeed_r", "lightspeed_x")
MANAGER = "pos_ai_replenishment.group_replenishment_manager"
WEBHOOK_ROUTE = "/pos_connector_lightspeed/webhook/"
CALLBACK_ROUTE = "/pos_connector_lightspeed/oauth/callback"
# placeholder access token of the client that trades an authorization code
NO_TOKEN_YET = "-"


def _stable_digest(value):
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


class PosSource(models.Model):
    _inherit = "pos.source"

    kind = fields.Selection(
        selection_add=[
            ("lightspeed_r", "Lightspeed R-Series"),
            ("lightspeed_x", "Lightspeed X-Series"),
        ],
        ondelete={"lightspeed_r": "set default", "lightspeed_x": "set default"},
    )
    # --- account -------------------------------------------------------
    ls_account_id = fields.Char(string="R-Series Account ID", tracking=True)
    ls_account_name = fields.Char(string="Lightspeed Account", readonly=True, copy=False)
    ls_domain_prefix = fields.Char(
        string="X-Series Domain Prefix",
        tracking=True,
        help="The store's prefix in <prefix>.retail.lightspeed.app (set by the OAuth callback).",
    )
    # --- OAuth (tokens readable by managers only) ----------------------
    ls_client_id = fields.Char(string="OAuth Client ID")
    ls_client_secret = fields.Char(
        string="OAuth Client Secret",
        copy=False,
        groups=MANAGER,
        help="The Lightspeed app's client secret; X-Series webhooks are verified with it.",
    )
    ls_access_token = fields.Char(copy=False, groups=MANAGER)
    ls_refresh_token = fields.Char(copy=False, groups=MANAGER)
    ls_token_expires_at = fields.Datetime(string="Access Token Expires", copy=False, readonly=True)
    ls_oauth_state = fields.Char(copy=False, groups=MANAGER)
    ls_scope = fields.Char(
        string="OAuth Scope",
        help="Leave empty for the default (R-Series: employee:register employee:inventory).",
    )
    ls_connected = fields.Boolean(compute="_compute_ls_connected", compute_sudo=True)
    ls_redirect_uri = fields.Char(string="OAuth Redirect URI", compute="_compute_ls_urls")
    ls_webhook_url = fields.Char(string="Webhook URL", compute="_compute_ls_urls")
    # --- endpoints (tests, proxies) ------------------------------------
    ls_api_url = fields.Char(
        string="API URL", help="Leave empty for Lightspeed's own (a proxy or test server only)."
    )
    ls_token_url = fields.Char(string="Token URL", help="Leave empty for Lightspeed's own.")
    ls_authorize_url = fields.Char(string="Authorize URL", help="Leave empty for Lightspeed's own.")
    ls_timeout = fields.Float(string="HTTP Timeout (s)", default=30.0)
    # --- webhooks ------------------------------------------------------
    ls_allow_unsigned = fields.Boolean(
        string="Accept Unsigned Webhooks",
        tracking=True,
        help="Only for webhooks created by hand without an OAuth app (they carry no "
        "X-Signature). A delivery with a wrong signature is refused either way.",
    )
    # --- sync state ----------------------------------------------------
    ls_sync_since = fields.Date(
        string="Import Sales Since", help="First sync only; empty imports the whole history."
    )
    ls_sale_cursor = fields.Char(
        string="Sales Cursor",
        copy=False,
        help="R-Series: last Sale timeStamp and ids read; X-Series: version. Saved after "
        "every page, so an interrupted sync resumes where it stopped.",
    )
    ls_inventory_cursor = fields.Char(string="Inventory Cursor", copy=False)
    ls_sync_suppliers = fields.Boolean(string="Import Vendors", default=True)
    ls_push_orders = fields.Boolean(
        string="Push Confirmed AI Orders",
        default=True,
        help="Create the Lightspeed purchase order (R-Series) or supplier consignment "
        "(X-Series) of every confirmed AI-drafted purchase order for a mapped warehouse.",
    )
    ls_last_sync = fields.Datetime(copy=False, readonly=True)
    ls_last_error = fields.Text(copy=False, readonly=True)
    ls_supplier_count = fields.Integer(compute="_compute_ls_supplier_count")

    def _compute_ls_connected(self):
        for source in self:
            source.ls_connected = bool(source.ls_access_token)

    def _compute_ls_urls(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.ls_redirect_uri = f"{base_url}{CALLBACK_ROUTE}"
            source.ls_webhook_url = f"{base_url}{WEBHOOK_ROUTE}{source.code or ''}"

    def _compute_ls_supplier_count(self):
        counts = dict(
            self.env["res.partner"]
            .with_context(active_test=False)
            ._read_group([("ls_source_id", "in", self.ids)], ["ls_source_id"], ["__count"])
        )
        for source in self:
            source.ls_supplier_count = counts.get(source, 0)

    # ------------------------------------------------------------------
    # Clients and tokens
    # ------------------------------------------------------------------
    def _ls_check(self):
        self.ensure_one()
        if self.kind not in LS_KINDS:
            raise UserError(_("%s is not a Lightspeed source.", self.display_name))

    def _ls_oauth(self):
        self._ls_check()
        secret_fields = self.sudo()
        client_id = secret_fields.ls_client_id or ""
        client_secret = secret_fields.ls_client_secret or ""
        if self.kind == "lightspeed_r":
            return rseries_api.oauth_app(
                client_id,
                client_secret,
                self.ls_redirect_uri,
                token_url=self.ls_token_url or rseries_api.TOKEN_URL,
                authorize_url=self.ls_authorize_url or rseries_api.AUTHORIZE_URL,
            )
        return xseries_api.oauth_app(
            self.ls_domain_prefix or "",
            client_id,
            client_secret,
            redirect_uri=self.ls_redirect_uri,
            token_url=self.ls_token_url or None,
            authorize_url=self.ls_authorize_url or xseries_api.AUTHORIZE_URL,
        )

    def _ls_tokens(self):
        secret_fields = self.sudo()
        expires = secret_fields.ls_token_expires_at
        return Tokens(
            secret_fields.ls_access_token or "",
            secret_fields.ls_refresh_token or None,
            expires.replace(tzinfo=UTC).timestamp() if expires else None,
        )

    def _ls_save_tokens(self, tokens):
        """Persist a token pair at once: Lightspeed rotates refresh tokens, so
        losing the new one would disconnect the account."""
        values = {
            "ls_access_token": tokens.access_token,
            "ls_refresh_token": tokens.refresh_token,
            "ls_token_expires_at": datetime.fromtimestamp(tokens.expires_at, UTC).replace(
                tzinfo=None
            )
            if tokens.expires_at
            else False,
        }
        domain_prefix = dict(tokens.extra).get("domain_prefix")
        if self.kind == "lightspeed_x" and domain_prefix and not self.ls_domain_prefix:
            values["ls_domain_prefix"] = domain_prefix
        self.sudo().write(values)
        self._ls_checkpoint()

    def _ls_checkpoint(self):
        """Commit in the crons (cursors, tokens and stored events survive a
        later failure); the caller's transaction otherwise."""
        if self.env.context.get("ls_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _ls_client(self, tokens=None):
        """The API client of this source (R-Series or X-Series)."""
        self._ls_check()
        tokens = tokens or self._ls_tokens()
        if not tokens.access_token:
            raise UserError(_("%s is not connected: use Connect first.", self.display_name))
        options = {"timeout": self.ls_timeout or 30.0}
        options.update(self.env.context.get("ls_client_options") or {})
        common = {
            "base_url": self.ls_api_url or None,
            "oauth": self._ls_oauth(),
            "on_tokens": self._ls_save_tokens,
            **options,
        }
        if self.kind == "lightspeed_r":
            if not self.ls_account_id:
                raise UserError(_("Set the R-Series account ID of %s first.", self.display_name))
            return rseries_api.RSeriesClient(self.ls_account_id, tokens, **common)
        if not (self.ls_domain_prefix or self.ls_api_url):
            raise UserError(_("Set the X-Series domain prefix of %s first.", self.display_name))
        return xseries_api.XSeriesClient(self.ls_domain_prefix or "", tokens, **common)

    def _ls_fail(self, err):
        message = str(err)
        self.sudo().write({"ls_last_error": message})
        self.message_post(body=_("Lightspeed: %s", message))
        _logger.warning("Lightspeed source %s: %s", self.display_name, message)
        return message

    def _notify(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # OAuth authorization code flow
    # ------------------------------------------------------------------
    def action_ls_authorize(self):
        """Send the manager to Lightspeed to approve the app; the callback
        (``/pos_connector_lightspeed/oauth/callback``) trades the code."""
        self._ls_check()
        if not self.sudo().ls_client_id:
            raise UserError(_("Set the OAuth client ID and secret of the Lightspeed app first."))
        state = f"{self.id}-{secrets.token_urlsafe(24)}"
        self.sudo().ls_oauth_state = state
        scope = self.ls_scope or (
            rseries_api.DEFAULT_SCOPE if self.kind == "lightspeed_r" else None
        )
        return {
            "type": "ir.actions.act_url",
            "url": self._ls_oauth().authorization_url(state, scope),
            "target": "self",
        }

    @api.model
    def _ls_source_of_state(self, state):
        if not state:
            return self.browse()
        return self.sudo().search(
            [("ls_oauth_state", "=", state), ("kind", "in", LS_KINDS)], limit=1
        )

    def _ls_exchange_code(self, code, domain_prefix=None):
        """Trade an authorization code for tokens (stored); the state is one-shot."""
        self._ls_check()
        self.sudo().ls_oauth_state = False
        if self.kind == "lightspeed_x" and domain_prefix:
            self.ls_domain_prefix = domain_prefix
        client_class = (
            rseries_api.RSeriesClient if self.kind == "lightspeed_r" else xseries_api.XSeriesClient
        )
        options = {"timeout": self.ls_timeout or 30.0}
        options.update(self.env.context.get("ls_client_options") or {})
        client = client_class(
            (self.ls_account_id if self.kind == "lightspeed_r" else self.ls_domain_prefix) or "-",
            Tokens(NO_TOKEN_YET),
            base_url=self.ls_api_url or None,
            oauth=self._ls_oauth(),
            on_tokens=self._ls_save_tokens,
            **options,
        )
        try:
            client.exchange_code(code)
        except LightspeedAPIError as err:
            raise UserError(self._ls_fail(err)) from err
        self.sudo().ls_last_error = False
        self.message_post(body=_("Connected to Lightspeed (authorization code exchanged)."))
        return True

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_ls_test_connection(self):
        """Read the account (R-Series) or the outlets (X-Series)."""
        self._ls_check()
        try:
            client = self._ls_client()
            if self.kind == "lightspeed_r":
                account = client.get_account()
                name = text(account.get("name")) or self.ls_account_id
                count = len(client.list_shops())
            else:
                name = self.ls_domain_prefix
                count = len(self._ls_x_outlets(client))
        except LightspeedAPIError as err:
            raise UserError(self._ls_fail(err)) from err
        self.sudo().write({"ls_account_name": name, "ls_last_error": False})
        return self._notify(_("Connected to %(name)s: %(n)s shops.", name=name, n=count))

    def _ls_x_outlets(self, client):
        return [row for page in client.pages("outlets") for row in page.items]

    def action_ls_import_shops(self):
        """Add every shop (R-Series) or outlet (X-Series) to the location
        mapping, on the default warehouse until someone maps it elsewhere."""
        self._ls_check()
        try:
            client = self._ls_client()
            if self.kind == "lightspeed_r":
                account = client.get_account()
                found = [
                    (shop["shop_id"], shop["name"])
                    for shop in rseries.shops(client.list_shops())
                    if not shop["archived"]
                ]
            else:
                account = {}
                found = [
                    (str(row["id"]), text(row.get("name")))
                    for row in self._ls_x_outlets(client)
                    if row.get("id") and not row.get("deleted_at")
                ]
        except LightspeedAPIError as err:
            raise UserError(self._ls_fail(err)) from err
        warehouse = self.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        known = set(self.location_map_ids.mapped("external_location"))
        new = [(ref, name) for ref, name in found if ref not in known]
        values = {
            "location_map_ids": [
                (0, 0, {"external_location": ref, "name": name, "warehouse_id": warehouse.id})
                for ref, name in new
            ],
            "ls_last_error": False,
        }
        if account.get("name"):
            values["ls_account_name"] = account["name"]
        self.sudo().write(values)
        return self._notify(_("%s shops imported.", len(new)))

    def action_ls_import_suppliers(self):
        self._ls_check()
        try:
            count = self._ls_import_suppliers(self._ls_client())
        except LightspeedAPIError as err:
            raise UserError(self._ls_fail(err)) from err
        return self._notify(_("%s vendors imported or updated.", count))

    def action_ls_sync_now(self):
        for source in self:
            source._ls_sync()
        return True

    def action_ls_view_suppliers(self):
        self.ensure_one()
        action = self._open_related(
            "res.partner", _("Lightspeed Vendors"), [("ls_source_id", "=", self.id)]
        )
        action["context"] = {"active_test": False}
        return action

    # ------------------------------------------------------------------
    # Sync (cron and Sync Now)
    # ------------------------------------------------------------------
    @api.model
    def _cron_ls_sync(self):
        for source in self.search([("kind", "in", LS_KINDS)]):
            if not source.sudo().ls_access_token:
                continue
            try:
                source.with_context(ls_commit=True)._ls_sync()
                self.env.cr.commit()  # pylint: disable=invalid-commit
            except Exception as err:  # noqa: BLE001 - one source never stops the others
                self.env.cr.rollback()
                _logger.exception("Lightspeed sync of %s failed", source.display_name)
                source._ls_fail(err)
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _ls_page_limit(self, default):
        return self.env.context.get("ls_page_limit", default)

    def _ls_sync(self, max_pages=None):
        """Sales (incremental, resumable), inventory and vendors into the
        inbox and the partners. Returns counts of what is new."""
        self._ls_check()
        counts = {}
        started = fields.Datetime.now()
        try:
            client = self._ls_client()
            if self.kind == "lightspeed_r":
                counts["sales"] = self._ls_r_sync_sales(client, max_pages)
            else:
                counts["sales"] = self._ls_x_sync_sales(client, max_pages)
            if max_pages:  # an interrupted run (tests): the cursor is where it stopped
                return counts
            if self.kind == "lightspeed_r":
                counts["inventory"] = self._ls_r_sync_items(client)
            else:
                counts["inventory"] = self._ls_x_sync_inventory(client)
            if self.ls_sync_suppliers:
                counts["suppliers"] = self._ls_import_suppliers(client)
        except (LightspeedAPIError, UserError) as err:
            self._ls_fail(err)
            return counts
        self.sudo().write({"ls_last_sync": started, "ls_last_error": False})
        return counts

    def _ls_store(self, external_id, topic, payload):
        _event, created = (
            self.env["pos.inbox.event"]
            .sudo()
            ._store_incoming(self, external_id, topic, json.dumps(payload), {})
        )
        return int(created)

    # --- R-Series ------------------------------------------------------
    def _ls_r_sync_sales(self, client, max_pages=None):
        """Sales changed since the cursor, with lines and items, one raw
        inbox event per Sale version (a later void is a new version)."""
        cursor = rseries_api.SaleCursor.from_json(self.ls_sale_cursor)
        since = None
        if not cursor and self.ls_sync_since:
            since = f"{self.ls_sync_since.isoformat()}T00:00:00+00:00"
        stored = pages = 0
        limit = self._ls_page_limit(rseries_api.MAX_LIMIT)
        for page in client.iter_sales(cursor, since=since, limit=limit):
            for sale in page.sales:
                sale_id = rseries.rs_id(sale.get("saleID"))
                stamp = text(sale.get("timeStamp")) or ""
                stored += self._ls_store(f"rs-sale-{sale_id}@{stamp}", "rseries/sale", sale)
            if page.cursor.time_stamp:
                self.sudo().ls_sale_cursor = page.cursor.to_json()
            self._ls_checkpoint()
            pages += 1
            if max_pages and pages >= max_pages:
                break
        return stored

    def _ls_r_sync_items(self, client):
        """Quantity on hand per shop of every Item (a snapshot: an unchanged
        Item gives the same inbox id and is stored once)."""
        stored = 0
        for page in client.iter_items(limit=self._ls_page_limit(rseries_api.MAX_LIMIT)):
            for item in page.items:
                item_id = rseries.rs_id(item.get("itemID"))
                digest = _stable_digest(item)
                stored += self._ls_store(f"rs-item-{item_id}:{digest}", "rseries/item", item)
            self._ls_checkpoint()
        return stored

    # --- X-Series ------------------------------------------------------
    def _ls_x_sync_sales(self, client, max_pages=None):
        after = int(self.ls_sale_cursor or 0)
        stored = pages = 0
        size = self._ls_page_limit(xseries_api.DEFAULT_PAGE_SIZE)
        for page in client.iter_sales(after, size):
            for sale in page.items:
                external_id = f"xs-sale-{sale.get('id')}@v{sale.get('version')}"
                stored += self._ls_store(external_id, "xseries/sale", sale)
            if page.version_max is not None:
                self.sudo().ls_sale_cursor = str(page.version_max)
            self._ls_checkpoint()
            pages += 1
            if max_pages and pages >= max_pages:
                break
        return stored

    def _ls_x_sync_inventory(self, client):
        after = int(self.ls_inventory_cursor or 0)
        stored = 0
        size = self._ls_page_limit(xseries_api.DEFAULT_PAGE_SIZE)
        for page in client.iter_inventory(after, size):
            for row in page.items:
                version = row.get("version")
                suffix = f"v{version}" if version not in (None, "") else _stable_digest(row)
                external_id = (
                    f"xs-inventory-{row.get('outlet_id')}-{row.get('product_id')}-{suffix}"
                )
                stored += self._ls_store(external_id, "xseries/inventory", row)
            if page.version_max is not None:
                self.sudo().ls_inventory_cursor = str(page.version_max)
            self._ls_checkpoint()
        return stored

    # --- Vendors / suppliers -------------------------------------------
    def _ls_import_suppliers(self, client):
        region = self.company_id.country_id.code or None
        try:
            if self.kind == "lightspeed_r":
                suppliers = rseries.vendors_to_suppliers(client.list_vendors(), region)
            else:
                suppliers = [
                    xseries.supplier_to_supplier(row, region) for row in client.list_suppliers()
                ]
        except LightspeedPayloadError as err:
            raise UserError(_("A Lightspeed vendor could not be read: %s", err)) from err
        return self.env["res.partner"].sudo()._ls_upsert_suppliers(self, suppliers)

    def _ls_register_outlets(self):
        """X-Series webhook sales name their register only: register -> outlet
        from the mapping rows (a register row maps to itself unless it names
        its outlet)."""
        self.ensure_one()
        return {
            row.external_location: row.ls_outlet_ref or row.external_location
            for row in self.location_map_ids
        }
