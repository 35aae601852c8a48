"""Plain-Python engine of ``vendor_comms_ai``: reading vendor replies, drafting
messages (an optional OpenAI-compatible model with deterministic fallbacks),
supplier scorecards, phone normalisation and carrier tracking webhooks.

Nothing here imports odoo. The Odoo layer calls, per module:

* :mod:`vendor_engine.extract`: ``reply_text(body)`` then ``extract_reply(...)``
  for the rule-based :class:`~vendor_engine.extract.ReplyFacts` of a reply.
* :mod:`vendor_engine.llm`: ``read_reply(text, ..., client=None)`` (model when
  configured and valid, else rules) and ``compose_message(kind, context, client)``;
  every model call leaves an :class:`~vendor_engine.llm.LlmTrace` for the audit.
* :mod:`vendor_engine.templates`: the deterministic PO cover and follow-ups.
* :mod:`vendor_engine.scorecard`: ``build_scorecards(receipts, quality)`` and
  ``observed_delay_days(receipts)``.
* :mod:`vendor_engine.phone`: ``normalize_phone(raw, region)``.
* :mod:`vendor_engine.tracking`: ``verify_signature`` and ``parse_tracking_webhook``.
"""
