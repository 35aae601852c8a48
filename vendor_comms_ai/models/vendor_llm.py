# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, models

from odoo.addons.pos_ai_replenishment.models.config import config_value

from ..vendor_engine import llm as engine_llm


class VendorCommsLlm(models.AbstractModel):
    """The optional language model behind vendor messages and reply reading:
    settings, fallbacks to templates and rules, and the audit trail."""

    _name = "vendor.comms.llm"
    _description = "Vendor Comms Language Model"

    @api.model
    def _client(self):
        """An engine client from the settings, or None when no model is set up."""
        params = self.env["ir.config_parameter"].sudo()
        base_url = params.get_param("vendor_comms_ai.llm_base_url")
        model = params.get_param("vendor_comms_ai.llm_model")
        if not base_url or not model:
            return None
        return engine_llm.LlmClient(
            base_url=base_url,
            model=model,
            api_key=params.get_param("vendor_comms_ai.llm_api_key") or "",
            timeout=config_value(self.env, "vendor_comms_ai.llm_timeout", 20.0, float),
        )

    @api.model
    def _log_trace(self, action, record, trace, result):
        if trace is None:
            return
        self.env["pos.ai.audit.log"]._log(
            action,
            record,
            inputs={"status": trace.status, "latency_ms": trace.latency_ms, "error": trace.error},
            reasoning="PROMPT:\n"
            + json.dumps(trace.prompt, indent=1, ensure_ascii=False)
            + f"\n\nANSWER:\n{trace.raw_answer or ''}",
            result=result,
        )

    @api.model
    def _draft(self, kind, po_context, record, attempt=1):
        """(text, source label): the model's draft when configured and valid, else
        the deterministic template; the label goes to the chatter."""
        client = self._client()
        text, source, trace = engine_llm.compose_message(kind, po_context, client, attempt)
        self._log_trace(f"llm_draft_{kind}", record, trace, f"{source}: {trace and trace.status}")
        if source == "llm":
            return text, self.env._("the language model (%s)", client.model)
        return text, self.env._("the standard template")

    @api.model
    def _read_reply(self, body, record, *, received_at, order_date=None):
        """(facts, source) for a vendor reply; the model's answer only when valid."""
        client = self._client()
        facts, source, trace = engine_llm.read_reply(
            body,
            received_at=received_at,
            order_date=order_date,
            currency=record.currency_id.name,
            locale_hint=record.partner_id.country_id.code or record.partner_id.lang,
            po_name=record.name,
            client=client,
        )
        self._log_trace("llm_read_reply", record, trace, f"{trace.status if trace else ''}")
        self.env["pos.ai.audit.log"]._log(
            "vendor_reply_read",
            record,
            inputs={"source": source, "facts": facts.to_dict()},
            result=self.env._("read by %s", source),
        )
        label = (
            self.env._("the language model (%s)", client.model)
            if source == "llm"
            else self.env._("rules")
        )
        return facts, label
