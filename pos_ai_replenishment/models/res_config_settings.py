# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..demand_engine.payload import DEFAULT_MAX_PAYLOAD_BYTES
from ..demand_engine.signing import DEFAULT_TOLERANCE_SECONDS
from .pos_forecast_run import DEFAULTS as FORECAST_DEFAULTS
from .pos_inbox_event import DEFAULT_BATCH_SIZE, DEFAULT_MAX_ATTEMPTS
from .pos_replenishment_proposal import DEFAULT_GUARDRAILS


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
    pos_forecast_horizon = fields.Integer(
        string="Forecast Horizon (days)",
        config_parameter="pos_ai_replenishment.horizon_days",
        default=FORECAST_DEFAULTS["horizon_days"],
        help="Days forecast ahead; the daily demand used for reorder points is their mean.",
    )
    pos_forecast_history = fields.Integer(
        string="History Used (days)",
        config_parameter="pos_ai_replenishment.history_days",
        default=FORECAST_DEFAULTS["history_days"],
        help="Days of daily demand each run reads.",
    )
    pos_forecast_min_history = fields.Integer(
        string="Minimum History (days)",
        config_parameter="pos_ai_replenishment.min_history_days",
        default=FORECAST_DEFAULTS["min_history_days"],
        help="Below this, a forecast is shown but reorder rules are left unchanged.",
    )
    pos_forecast_review_period = fields.Integer(
        string="Review Period (days)",
        config_parameter="pos_ai_replenishment.review_period_days",
        default=FORECAST_DEFAULTS["review_period_days"],
        help="Days between orders; order-up-to = reorder point + this many days of demand.",
    )
    pos_forecast_default_lead_time = fields.Integer(
        string="Default Lead Time (days)",
        config_parameter="pos_ai_replenishment.default_lead_time_days",
        default=FORECAST_DEFAULTS["default_lead_time_days"],
        help="Used for products without a vendor.",
    )
    pos_forecast_workers = fields.Integer(
        string="Forecast Processes",
        config_parameter="pos_ai_replenishment.forecast_workers",
        default=FORECAST_DEFAULTS["forecast_workers"],
        help="Processes a run uses (0: every core of the server).",
    )
    pos_anomaly_recent_days = fields.Integer(
        string="Anomaly Window (days)",
        config_parameter="pos_ai_replenishment.anomaly_recent_days",
        default=FORECAST_DEFAULTS["anomaly_recent_days"],
        help="Recent days checked for spikes, drops and zero sales with stock.",
    )
    pos_anomaly_max_per_run = fields.Integer(
        string="Anomalies per Run",
        config_parameter="pos_ai_replenishment.anomaly_max_per_run",
        default=FORECAST_DEFAULTS["anomaly_max_per_run"],
        help="At most this many new anomalies (strongest first) get an activity per run.",
    )
    pos_ai_auto_max_amount = fields.Float(
        string="Automatic Confirmation Limit",
        config_parameter="pos_ai_replenishment.ai_auto_max_amount",
        default=DEFAULT_GUARDRAILS["ai_auto_max_amount"],
        help="In the automatic phase, AI RFQs above this amount (company currency) stay drafts.",
    )
    pos_ai_auto_min_confidence = fields.Float(
        string="Automatic Confirmation Confidence",
        config_parameter="pos_ai_replenishment.ai_auto_min_confidence",
        default=DEFAULT_GUARDRAILS["ai_auto_min_confidence"],
        help="In the automatic phase, an AI RFQ with a line below this confidence (0-1) "
        "stays a draft.",
    )
    pos_ai_manager_approval_amount = fields.Float(
        string="AI Manager Approval Above",
        config_parameter="pos_ai_replenishment.ai_manager_approval_amount",
        default=DEFAULT_GUARDRAILS["ai_manager_approval_amount"],
        help="AI RFQs above this amount (company currency), or for a vendor never ordered "
        "from, always need a purchase manager's approval, in every phase.",
    )
    pos_forecast_prophet = fields.Boolean(
        string="Try Prophet",
        config_parameter="pos_ai_replenishment.forecast_prophet",
        help="Also fit Prophet (weekly and yearly seasonality, holidays of the company's "
        "country) on series with two years of smooth, high-volume demand, and keep it where "
        "it wins the holdout. About 0.3-0.5 s of CPU per such series.",
    )
