# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..vendor_engine.tracking import (
    SIGNATURE_HEADER,
    TrackingPayloadError,
    TrackingSignatureError,
    parse_tracking_webhook,
    verify_signature,
)

_logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


def _answer(status, **payload):
    return request.make_response(
        json.dumps(payload), status=status, headers=[("Content-Type", "application/json")]
    )


class CarrierTrackingController(http.Controller):
    @http.route(
        "/vendor_comms_ai/tracking",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def carrier_event(self):
        """Carrier or aggregator webhook: HMAC-SHA256 of the raw body with the
        shared secret from the settings, in the signature header."""
        body = request.httprequest.get_data(cache=True)
        if len(body) > MAX_BODY:
            return _answer(413, error="payload too large")
        env = request.env(user=SUPERUSER_ID, su=True)
        secret = env["ir.config_parameter"].get_param("vendor_comms_ai.tracking_secret")
        if not secret:
            return _answer(404, error="carrier tracking is not configured")
        try:
            verify_signature(secret, body, request.httprequest.headers.get(SIGNATURE_HEADER))
        except TrackingSignatureError as err:
            return _answer(401, error=str(err))
        try:
            update = parse_tracking_webhook(body)
        except TrackingPayloadError as err:
            return _answer(400, error=str(err))
        trackings = env["vendor.shipment.tracking"]._apply_update(update)
        if not trackings:
            return _answer(404, error=f"unknown tracking number {update.tracking_number}")
        return _answer(200, updated=len(trackings))
