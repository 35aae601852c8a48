"""Plain-Python engine of the Shopify connector: webhook signatures, Shopify
JSON to unified intake events, and an Admin API client (REST + GraphQL).

Nothing here imports odoo or ``demand_engine``: the connector's Odoo layer feeds
the event dicts produced by :mod:`shopify_engine.translate` into
``demand_engine.payload.parse_unified_event``.

Wiring a webhook delivery (the Odoo side)::

    from shopify_engine.signature import delivery_headers, verify_webhook
    from shopify_engine.translate import translate_webhook

    meta = delivery_headers(request.headers)
    verify_webhook(client_secret, raw_body, meta.hmac)  # ShopifySignatureError -> 401
    result = translate_webhook(meta.topic, raw_body, meta.dedupe_key)
    for event in result.events:  # one inbox event each, external id = event["event_id"]
        ...  # an existing event id is a duplicate: acknowledge it, store nothing
    # result.notes / result.skipped: why something gave no event (no_restock...)
    # result.variants (products/update): refresh the variant / inventory item mapping

Backfill: ``ShopifyAdminClient.iter_orders`` pages through
``order_snapshot_to_events``; persist ``page.next_page_info`` after each page.
"""
