# Copyright 2026 POS AI Replenishment contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "POS AI Replenishment",
    "summary": "POS sales become durable, idempotent demand signals and daily "
    "demand per product and warehouse, the base for AI replenishment.",
    "version": "18.0.1.1.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/pos-ai-replenishment/pos-ai-replenishment",
    "author": "POS AI Replenishment contributors",
    "license": "LGPL-3",
    "application": True,
    "depends": ["purchase_stock"],
    "external_dependencies": {"python": ["numpy", "pandas"]},
    "data": [
        "security/pos_ai_replenishment_security.xml",
        "security/ir.model.access.csv",
        "security/pos_ai_replenishment_rules.xml",
        "data/ir_cron.xml",
        "views/pos_source_views.xml",
        "views/pos_inbox_event_views.xml",
        "views/pos_demand_signal_views.xml",
        "views/pos_product_mapping_views.xml",
        "views/pos_unmatched_sku_views.xml",
        "views/pos_demand_daily_views.xml",
        "views/pos_demand_forecast_views.xml",
        "views/pos_demand_anomaly_views.xml",
        "views/product_category_views.xml",
        "views/stock_warehouse_orderpoint_views.xml",
        "views/pos_replenishment_proposal_views.xml",
        "views/pos_ai_governance_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "pos_ai_replenishment/static/src/forecast_chart/*",
        ],
        "web.assets_tests": [
            "pos_ai_replenishment/static/tests/tours/*",
        ],
    },
    "demo": [
        "demo/retail_catalogue.xml",
        "demo/pos_source_demo.xml",
    ],
}
