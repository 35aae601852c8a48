# Copyright 2026 POS AI Replenishment contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "POS Connector: Shopify",
    "summary": "Shopify POS and online orders, refunds, cancellations and inventory "
    "levels as demand signals: verified webhooks, Admin API backfill and reconciliation.",
    "version": "18.0.1.0.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/pos-ai-replenishment/pos-ai-replenishment",
    "author": "POS AI Replenishment contributors",
    "license": "LGPL-3",
    "depends": ["pos_ai_replenishment"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "data/ir_cron.xml",
        "views/pos_source_views.xml",
    ],
}
