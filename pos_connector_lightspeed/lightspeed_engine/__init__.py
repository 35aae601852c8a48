"""Plain-Python engine of the Lightspeed Retail connector (R-Series polling,
X-Series webhooks and REST 2.0, purchase-order push-back). Never imports odoo.

R-Series (polling)::

    from lightspeed_engine.rseries_api import RSeriesClient, SaleCursor, oauth_app
    from lightspeed_engine.rseries import sale_to_events

    client = RSeriesClient(account_id, tokens, oauth=oauth_app(cid, secret), on_tokens=save)
    for page in client.iter_sales(SaleCursor.from_json(stored)):
        for sale in page.sales:
            for event in sale_to_events(sale, currency).events:
                ...  # one inbox event each, external id = event["event_id"]
        stored = page.cursor.to_json()  # persist after each page

X-Series (webhooks)::

    from lightspeed_engine.xseries import delivery_from_request, translate_webhook

    delivery = delivery_from_request(client_secret, raw_body, request.headers)
    result = translate_webhook(delivery, currency, register_outlets)
    # result.events -> inbox; result.products -> mapping table; result.notes: why nothing

Events follow the unified schema of ``demand_engine.payload``; the extra
``lightspeed`` and ``channel`` keys are provenance, ignored by the parser.
"""
