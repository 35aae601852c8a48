# Copyright 2026 POS AI Replenishment contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Vendor Comms AI",
    "summary": "Purchase orders emailed to vendors with a drafted cover message, ETA "
    "follow-ups and escalation, vendor replies read into expected dates, delay alerts "
    "with substitutions, carrier tracking, and supplier scorecards.",
    "version": "18.0.1.0.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/pos-ai-replenishment/pos-ai-replenishment",
    "author": "POS AI Replenishment contributors",
    "license": "LGPL-3",
    "depends": ["pos_ai_replenishment", "purchase_stock", "mail"],
    "external_dependencies": {"python": ["phonenumbers", "requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/vendor_comms_ai_rules.xml",
        "data/ir_cron.xml",
        "views/purchase_order_views.xml",
        "views/vendor_shipment_tracking_views.xml",
        "views/vendor_scorecard_views.xml",
        "views/product_category_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
}
