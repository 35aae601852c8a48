/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

// Opened on any action: the view renders with records (no error dialog, which
// would fail the tour through the browser's console).
registry.category("web_tour.tours").add("pos_ai_replenishment_view_loads", {
    steps: () => [
        {
            trigger:
                ".o_view_controller:not(.o_view_sample_data) :is(.o_data_row, .o_kanban_record:not(.o_kanban_ghost), .o_pivot table, .o_graph_renderer canvas, .o_form_view .o_form_sheet)",
        },
    ],
});
