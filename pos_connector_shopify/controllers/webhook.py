# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify webhook endpoint: verify the HMAC of the raw body with the app's
client secret, dedupe on what the delivery is about (topic, resource id and
version; the header ids where the body does not say), store the raw delivery
in the inbox and answer at once (Shopify waits 5 s at most)."""

import logging

from odoo import http
from odoo.http import request

from odoo.addons.pos_ai_replenishment.controllers.intake import (
    IntakeRefused,
    PosIntakeController,
)

from ..shopify_engine.signature import (
    HMAC_HEADER,
    ShopifySignatureError,
    delivery_headers,
    verify_webhook,
)
from ..shopify_engine.translate import ShopifyPayloadError, delivery_identity, load_json

_logger = logging.getLogger(__name__)

KEPT_HEADERS = (
    HMAC_HEADER,
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Event-Id",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-API-Version",
)


class ShopifyWebhookController(PosIntakeController):
    @http.route(
        "/pos_connector_shopify/webhook/<string:source_code>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        readonly=False,
        save_session=False,
        max_content_length=PosIntakeController.HARD_MAX_CONTENT_LENGTH,
    )
    def shopify_webhook(self, source_code, **_kwargs):
        return self._answer(self._shopify_webhook, source_code)

    def _shopify_webhook(self, source_code):
        credentials, body = self._source_and_body(source_code, "shopify")
        headers = request.httprequest.headers
        meta = delivery_headers(headers)
        try:
            verify_webhook(credentials.secret, body, meta.hmac)
        except ShopifySignatureError as err:
            _logger.info("Shopify webhook %s: refused (%s)", source_code, err)
            raise IntakeRefused(401, str(err)) from err
        if not meta.dedupe_key or not meta.topic:
            raise IntakeRefused(400, "X-Shopify-Event-Id and X-Shopify-Topic are required")
        try:
            payload = load_json(body)
        except (ShopifyPayloadError, ValueError) as err:
            raise IntakeRefused(400, f"body is not valid JSON: {err}") from err
        key = delivery_identity(meta.topic, payload) or meta.dedupe_key
        kept = {name: headers.get(name) for name in KEPT_HEADERS if headers.get(name)}
        stored, created = self._store(credentials, key, meta.topic, body, kept)
        return self._reply(200, status="accepted" if created else "duplicate", inbox_id=stored.id)
