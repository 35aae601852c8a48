# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "sequence",
    "logged_at",
    "actor",
    "user_id",
    "action",
    "res_model",
    "res_id",
    "inputs",
    "reasoning",
    "result",
)

CHAIN_QUERY = (
    "SELECT id, prev_hash, entry_hash, "
    + ", ".join(HASHED_FIELDS)
    + " FROM pos_ai_audit_log ORDER BY sequence"
)


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


class PosAiAuditLog(models.Model):
    """Append-only, hash-chained log of every AI step: what it saw, why, what it
    did and the result. Each entry's hash covers its content and the previous
    entry's hash, so any later change breaks the chain from that entry on."""

    _name = "pos.ai.audit.log"
    _description = "AI Audit Trail Entry"
    _order = "sequence desc"
    _rec_name = "action"

    sequence = fields.Integer(required=True, readonly=True, index=True)
    logged_at = fields.Datetime(required=True, readonly=True)
    actor = fields.Selection(
        [("cron", "Scheduled action"), ("user", "User")], required=True, readonly=True
    )
    user_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    action = fields.Char(required=True, readonly=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Integer(string="Record", readonly=True)
    inputs = fields.Text(readonly=True, help="Snapshot of the inputs, JSON.")
    reasoning = fields.Text(readonly=True)
    result = fields.Text(readonly=True)
    prev_hash = fields.Char(readonly=True)
    entry_hash = fields.Char(readonly=True, index=True)

    _sql_constraints = [
        ("sequence_unique", "unique(sequence)", "Audit entries are numbered once."),
    ]

    @api.model
    def _entry_digest(self, prev_hash, values):
        payload = {name: values.get(name) or "" for name in HASHED_FIELDS}
        payload["logged_at"] = fields.Datetime.to_string(values["logged_at"])
        payload["user_id"] = values.get("user_id") or 0
        payload["res_id"] = values.get("res_id") or 0
        return hashlib.sha256((prev_hash + _canonical(payload)).encode()).hexdigest()

    @api.model
    def _log(self, action, record=None, inputs=None, reasoning="", result=""):
        """Append one entry (serialised by a transaction lock so the chain
        never forks) and return it."""
        self.env.cr.execute("SELECT pg_advisory_xact_lock(hashtext('pos.ai.audit.log'))")
        self.env.cr.execute(
            "SELECT sequence, entry_hash FROM pos_ai_audit_log ORDER BY sequence DESC LIMIT 1"
        )
        last = self.env.cr.fetchone()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        values = {
            "sequence": sequence,
            "logged_at": fields.Datetime.now(),
            # scheduled actions run as the superuser, people never do
            "actor": "cron" if self.env.uid == SUPERUSER_ID else "user",
            "user_id": self.env.uid,
            "action": action,
            "res_model": record._name if record else False,
            "res_id": record.id if record else 0,
            "inputs": _canonical(inputs or {}),
            "reasoning": reasoning or "",
            "result": result or "",
        }
        values["prev_hash"] = prev_hash
        values["entry_hash"] = self._entry_digest(prev_hash, values)
        values["company_id"] = (
            record.company_id.id
            if record and "company_id" in record._fields
            else self.env.company.id
        )
        return self.sudo().with_context(pos_ai_audit_append=True).create(values)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("pos_ai_audit_append"):
            raise UserError(_("Audit entries are written by the AI steps themselves."))
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(_("The AI audit trail is append-only: entries cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("The AI audit trail is append-only: entries cannot be deleted."))

    @api.model
    def _first_broken_entry(self):
        """Walk the chain in order; the first entry whose stored hash or link
        does not match its content, or ``None`` when the chain holds."""
        self.flush_model()
        self.env.cr.execute(CHAIN_QUERY)
        prev_hash, expected_sequence = GENESIS_HASH, 1
        for row in self.env.cr.dictfetchall():
            values = dict(row)
            if (
                row["sequence"] != expected_sequence
                or row["prev_hash"] != prev_hash
                or self._entry_digest(prev_hash, values) != row["entry_hash"]
            ):
                return self.browse(row["id"])
            prev_hash, expected_sequence = row["entry_hash"], expected_sequence + 1
        return None

    @api.model
    def action_verify_chain(self):
        broken = self._first_broken_entry()
        if broken:
            message = _(
                "The audit trail is broken from entry #%(seq)s (%(action)s): it was changed "
                "or removed after it was written.",
                seq=broken.sequence,
                action=broken.action,
            )
            kind = "danger"
        else:
            message = _("The audit trail is intact: every entry matches its hash chain.")
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": bool(broken)},
        }
