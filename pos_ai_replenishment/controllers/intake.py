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
    parse_unified_event,
)
from ..demand_engine.signing import (
    DEFAULT_TOLERANCE_SECONDS,
    SIGNATURE_HEADER,
    SignatureError,
    verify_signature,
)

_logger = logging.getLogger(__name__)


class IntakeRefused(Exception):
    """A request refused with an HTTP status; nothing was written."""

    def __init__(self, http_status, message):
        super().__init__(message)
        self.http_status = http_status


class PosIntakeController(http.Controller):
    # Hard cap applied by werkzeug before anything is read; the configurable
    # limit (ir.config_parameter pos_ai_replenishment.max_payload_kb) is below it.
    HARD_MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    @staticmethod
    def _reply(http_status, **data):
        return request.make_json_response(data, status=http_status)

    @staticmethod
    def _config_int(key, default):
        return request.env["pos.inbox.event"].sudo()._config_int(key, default)

    def _source_and_body(self, source_code, kind):
        """Credentials of the active source of this kind and the raw body,
        refused before reading when the declared length is over the limit."""
        credentials = request.env["pos.source"].sudo()._intake_credentials(source_code)
        if not credentials or credentials.kind != kind:
            raise IntakeRefused(404, "unknown source")
        max_kb = self._config_int(
            "pos_ai_replenishment.max_payload_kb", DEFAULT_MAX_PAYLOAD_BYTES // 1024
        )
        max_bytes = max_kb * 1024
        length = request.httprequest.content_length
        if length is not None and length > max_bytes:
            raise IntakeRefused(
                413, f"payload of {length} bytes is over the {max_bytes} byte limit"
            )
        body = request.httprequest.get_data(cache=True)
        if len(body) > max_bytes:
            raise IntakeRefused(413, f"payload is over the {max_bytes} byte limit")
        return credentials, body

    @staticmethod
    def _store(credentials, external_id, topic, body, headers):
        env = request.env(su=True)
        return env["pos.inbox.event"]._store_incoming(
            env["pos.source"].browse(credentials.id),
            external_id,
            topic,
            body.decode(),
            headers,
            company_id=credentials.company_id,
        )

    def _answer(self, handler, *args):
        """Run ``handler``; a refusal becomes its JSON error reply."""
        try:
            return handler(*args)
        except IntakeRefused as err:
            return self._reply(err.http_status, status="error", error=str(err))

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
        return self._answer(self._intake, source_code)

    def _intake(self, source_code):
        credentials, body = self._source_and_body(source_code, "generic")
        signature = request.httprequest.headers.get(SIGNATURE_HEADER)
        tolerance = self._config_int(
            "pos_ai_replenishment.signature_tolerance", DEFAULT_TOLERANCE_SECONDS
        )
        try:
            verify_signature(credentials.secret, signature, body, tolerance=tolerance)
        except SignatureError as err:
            _logger.info("POS intake %s: refused signature (%s)", source_code, err)
            raise IntakeRefused(401, str(err)) from err
        try:
            event = parse_unified_event(body, credentials.tz, len(body))
        except PayloadError as err:
            raise IntakeRefused(400, str(err)) from err
        stored, created = self._store(
            credentials, event.event_id, event.event_type, body, {SIGNATURE_HEADER: signature}
        )
        return self._reply(
            202 if created else 200,
            status="accepted" if created else "duplicate",
            event_id=event.event_id,
            inbox_id=stored.id,
        )
