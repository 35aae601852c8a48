# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .purchase_order import DEFAULTS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    vendor_all_orders = fields.Boolean(
        string="Vendor Comms for Every Order",
        config_parameter="vendor_comms_ai.all_orders",
        help="Prepare the vendor email and follow up on every confirmed purchase order, "
        "not only those drafted by AI replenishment.",
    )
    vendor_follow_up_days = fields.Integer(
        string="Follow Up After (days)",
        config_parameter="vendor_comms_ai.follow_up_days",
        default=DEFAULTS["follow_up_days"],
    )
    vendor_shipping_check_days = fields.Integer(
        string="Ask for Shipping Status (days before)",
        config_parameter="vendor_comms_ai.shipping_check_days",
        default=DEFAULTS["shipping_check_days"],
    )
    vendor_max_follow_ups = fields.Integer(
        string="Follow-ups Before Escalation",
        config_parameter="vendor_comms_ai.max_follow_ups",
        default=DEFAULTS["max_follow_ups"],
    )
    vendor_delay_user_id = fields.Many2one(
        "res.users",
        string="Delay Alerts To",
        config_parameter="vendor_comms_ai.delay_user_id",
        help="Store or warehouse manager told when a vendor delay makes stock run out; "
        "empty: the product's responsible.",
    )
    vendor_llm_base_url = fields.Char(
        string="Language Model URL",
        config_parameter="vendor_comms_ai.llm_base_url",
        help="OpenAI-compatible API base URL, e.g. https://api.openai.com/v1 or a local "
        "server. Empty: deterministic templates and rule-based reading only.",
    )
    vendor_llm_model = fields.Char(
        string="Language Model", config_parameter="vendor_comms_ai.llm_model"
    )
    vendor_llm_api_key = fields.Char(
        string="Language Model API Key", config_parameter="vendor_comms_ai.llm_api_key"
    )
    vendor_llm_timeout = fields.Integer(
        string="Language Model Timeout (s)",
        config_parameter="vendor_comms_ai.llm_timeout",
        default=20,
    )
    vendor_tracking_secret = fields.Char(
        string="Carrier Webhook Secret",
        config_parameter="vendor_comms_ai.tracking_secret",
        help="Shared secret carriers or aggregators sign tracking webhooks with "
        "(HMAC-SHA256 of the raw body) at /vendor_comms_ai/tracking.",
    )
    vendor_risk_threshold = fields.Integer(
        config_parameter="vendor_comms_ai.risk_threshold",
        default=40,
        help="Vendors whose risk score (0-100) reaches this are flagged at risk.",
    )
