/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

function pointCount(svg, selector) {
    const node = svg.querySelector(selector);
    return node ? node.getAttribute("points").trim().split(/\s+/).length : 0;
}

registry.category("web_tour.tours").add("pos_ai_replenishment_forecast_chart", {
    steps: () => [
        {
            trigger: ".o_form_view .o_pos_forecast_chart svg",
            run() {
                const svg = document.querySelector(".o_pos_forecast_chart svg");
                const found = {
                    history: pointCount(svg, "polyline.o_forecast_history"),
                    forecast: pointCount(svg, "polyline.o_forecast_mean"),
                    band: pointCount(svg, "polygon.o_forecast_band"),
                    stockoutDots: svg.querySelectorAll("circle.o_forecast_stockout").length,
                };
                const expected = { history: 91, forecast: 28, band: 56, stockoutDots: 1 };
                if (JSON.stringify(found) !== JSON.stringify(expected)) {
                    throw new Error(`chart ${JSON.stringify(found)} != ${JSON.stringify(expected)}`);
                }
            },
        },
        { trigger: ".o_form_view button[name='action_view_orderpoint']", run: "click" },
        { trigger: ".o_list_view .o_data_row" },
    ],
});
