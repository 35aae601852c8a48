# Copyright 2026 POS AI Replenishment contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "POS Connector: Lightspeed Retail",
    "summary": "Lightspeed Retail R-Series (OAuth, incremental polling) and X-Series "
    "(signed webhooks, REST 2.0 backfill) as demand signals; vendors as suppliers; "
    "confirmed AI purchase orders pushed back as Lightspeed orders.",
    "version": "18.0.1.0.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/pos-ai-replenishment/pos-ai-replenishment",
    "author": "POS AI Replenishment contributors",
    "license": "LGPL-3",
    "depends": ["pos_ai_replenishment"],
    "external_dependencies": {"python": ["requests", "phonenumbers"]},
    "data": [
        "data/ir_cron.xml",
        "views/pos_source_views.xml",
        "views/res_partner_views.xml",
        "views/purchase_order_views.xml",
    ],
}
