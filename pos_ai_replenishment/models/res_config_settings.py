# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..demand_engine.payload import DEFAULT_MAX_PAYLOAD_BYTES
from ..demand_engine.signing import DEFAULT_TOLERANCE_SECONDS
from .pos_inbox_event import DEFAULT_BATCH_SIZE, DEFAULT_MAX_ATTEMPTS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pos_signature_tolerance = fields.Integer(
        string="Signature Tolerance (s)",
        config_parameter="pos_ai_replenishment.signature_tolerance",
        default=DEFAULT_TOLERANCE_SECONDS,
        help="Signed requests older or newer than this are refused as replays.",
    )
    pos_max_payload_kb = fields.Integer(
        string="Max Payload (KiB)",
        config_parameter="pos_ai_replenishment.max_payload_kb",
        default=DEFAULT_MAX_PAYLOAD_BYTES // 1024,
    )
    pos_batch_size = fields.Integer(
        string="Inbox Batch Size",
        config_parameter="pos_ai_replenishment.batch_size",
        default=DEFAULT_BATCH_SIZE,
    )
    pos_max_attempts = fields.Integer(
        string="Attempts Before Failed",
        config_parameter="pos_ai_replenishment.max_attempts",
        default=DEFAULT_MAX_ATTEMPTS,
    )
    pos_async_commit = fields.Boolean(
        string="Fast Intake (asynchronous commit)",
        config_parameter="pos_ai_replenishment.async_commit",
        help="Acknowledge an event before PostgreSQL has flushed it to disk: about 1.7x "
        "the intake rate, but a database server crash can lose the last fraction of a "
        "second of acknowledged events. Only for sources that redeliver or reconcile.",
    )
