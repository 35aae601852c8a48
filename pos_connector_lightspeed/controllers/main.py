# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Lightspeed endpoints.

* X-Series webhooks: verify ``X-Signature`` (HMAC-SHA256 of the raw body under
  the app's client secret), store the raw delivery in the inbox and answer at
  once. Unsigned deliveries are refused unless the source allows them; a
  wrong signature is refused always. Nothing is written for a refusal.
* OAuth callback (R-Series and X-Series): trade the authorization code for
  tokens, for the source whose one-shot ``state`` the manager was sent with.
"""

import hashlib
import logging

from werkzeug.exceptions import BadRequest, Forbidden
from werkzeug.utils import redirect

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.pos_ai_replenishment.controllers.intake import (
    IntakeRefused,
    PosIntakeController,
)

from ..lightspeed_engine.common import LightspeedPayloadError, header
from ..lightspeed_engine.xseries import (
    SIGNATURE_HEADER,
    XSeriesSignatureError,
    delivery_from_request,
    xs_id,
)
from ..models.pos_source import CALLBACK_ROUTE, MANAGER

_logger = logging.getLogger(__name__)

KEPT_HEADERS = (SIGNATURE_HEADER, "Content-Type", "User-Agent")


class LightspeedController(PosIntakeController):
    @http.route(
        "/pos_connector_lightspeed/webhook/<string:source_code>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        readonly=False,
        save_session=False,
        max_content_length=PosIntakeController.HARD_MAX_CONTENT_LENGTH,
        ls_raw_body=True,
    )
    def lightspeed_webhook(self, source_code, **_kwargs):
        return self._answer(self._lightspeed_webhook, source_code)

    def _lightspeed_webhook(self, source_code):
        credentials, body = self._source_and_body(source_code, "lightspeed_x")
        source = request.env(su=True)["pos.source"].browse(credentials.id)
        headers = request.httprequest.headers
        secrets = [s for s in (source.ls_client_secret, credentials.secret) if s]
        try:
            delivery = delivery_from_request(
                secrets, body, headers, require_signature=not source.ls_allow_unsigned
            )
        except XSeriesSignatureError as err:
            _logger.info("Lightspeed webhook %s: refused (%s)", source_code, err)
            raise IntakeRefused(401, str(err)) from err
        except (LightspeedPayloadError, UnicodeDecodeError) as err:
            raise IntakeRefused(400, str(err)) from err
        topic = delivery.type or "webhook"
        # the same delivery sent again gets the same id; another state of the
        # same object another one (its lines are still counted once)
        digest = hashlib.sha256(delivery.raw_payload.encode()).hexdigest()[:24]
        external_id = f"{topic}:{xs_id(delivery.payload.get('id')) or '-'}:{digest}"
        kept = {name: value for name in KEPT_HEADERS if (value := header(headers, name))}
        stored, created = self._store(credentials, external_id, topic, body, kept)
        return self._reply(200, status="accepted" if created else "duplicate", inbox_id=stored.id)

    @http.route(CALLBACK_ROUTE, type="http", auth="user", methods=["GET"])
    def lightspeed_oauth_callback(self, state=None, code=None, error=None, **kwargs):
        if not request.env.user.has_group(MANAGER):
            raise Forbidden("Only a replenishment manager can connect a Lightspeed account.")
        source = request.env["pos.source"]._ls_source_of_state(state)
        if not source:
            raise BadRequest("Unknown or already used OAuth state: start again from the source.")
        source = source.sudo(False)
        if error or not code:
            source.sudo().ls_oauth_state = False
            source._ls_fail(f"authorization refused: {error or 'no code'}")
        else:
            try:
                source._ls_exchange_code(code, kwargs.get("domain_prefix"))
            except UserError as err:
                # recorded on the source (ls_last_error, chatter); the user lands there
                _logger.info("Lightspeed code exchange failed for %s: %s", source.code, err)
        return redirect(f"/odoo/action-pos_ai_replenishment.pos_source_action/{source.id}", 303)
