# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generic intake endpoint: any POS, event-bus bridge or script posts one
event in the unified JSON schema, signed with HMAC-SHA256 over timestamp and
raw body. Nothing is written for a rejected request."""

import logging

from odoo import http
from odoo.http import request

from ..demand_engine.payload import (
    DEFAULT_MAX_PAYLOAD_BYTES,
    PayloadError,
    PayloadTooLarge,
    parse_unified_event,
)
from ..demand_engine.signing import (
    DEFAULT_TOLERANCE_SECONDS,
    SIGNATURE_HEADER,
    SignatureError,
    verify_signature,
)

_logger = logging.getLogger(__name__)


class PosIntakeController(http.Controller):
    # Hard cap applied by werkzeug before anything is read; the configurable
    # limit (ir.config_parameter pos_ai_replenishment.max_payload_kb) is below it.
    HARD_MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    @staticmethod
    def _reply(http_status, **data):
        return request.make_json_response(data, status=http_status)

    @staticmethod
    def _limits():
        params = request.env["ir.config_parameter"].sudo()
        max_kb = params.get_param("pos_ai_replenishment.max_payload_kb")
        tolerance = params.get_param("pos_ai_replenishment.signature_tolerance")
        return (
            int(max_kb) * 1024 if max_kb else DEFAULT_MAX_PAYLOAD_BYTES,
            int(tolerance) if tolerance else DEFAULT_TOLERANCE_SECONDS,
        )

    def _read_body(self, max_bytes):
        """Raw body, refused before reading when the declared length is over."""
        length = request.httprequest.content_length
        if length is not None and length > max_bytes:
            raise PayloadTooLarge(f"payload of {length} bytes is over the {max_bytes} byte limit")
        body = request.httprequest.get_data(cache=True)
        if len(body) > max_bytes:
            raise PayloadTooLarge(f"payload is over the {max_bytes} byte limit")
        return body

    @http.route(
        "/pos_ai_replenishment/intake/<string:source_code>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        readonly=False,
        save_session=False,
        max_content_length=HARD_MAX_CONTENT_LENGTH,
    )
    def intake(self, source_code, **_kwargs):
        credentials = request.env["pos.source"].sudo()._intake_credentials(source_code)
        if not credentials or credentials.kind != "generic":
            return self._reply(404, status="error", error="unknown source")
        source_id, company_id, secret, tz, _kind = credentials
        max_bytes, tolerance = self._limits()
        try:
            body = self._read_body(max_bytes)
        except PayloadTooLarge as err:
            return self._reply(413, status="error", error=str(err))
        signature = request.httprequest.headers.get(SIGNATURE_HEADER)
        try:
            verify_signature(secret, signature, body, tolerance=tolerance)
        except SignatureError as err:
            _logger.info("POS intake %s: refused signature (%s)", source_code, err)
            return self._reply(401, status="error", error=str(err))
        try:
            event = parse_unified_event(body, tz, max_bytes)
        except PayloadError as err:
            return self._reply(400, status="error", error=str(err))
        env = request.env(su=True)
        stored, created = env["pos.inbox.event"]._store_incoming(
            env["pos.source"].browse(source_id),
            event.event_id,
            event.event_type,
            body.decode(),
            {SIGNATURE_HEADER: signature},
            company_id=company_id,
        )
        return self._reply(
            202 if created else 200,
            status="accepted" if created else "duplicate",
            event_id=event.event_id,
            inbox_id=stored.id,
        )
