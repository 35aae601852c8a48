/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const WIDTH = 1000;
const HEIGHT = 260;
const PAD = { left: 44, right: 12, top: 14, bottom: 28 };

/**
 * Demand history, forecast and its interval band as an SVG line chart, from the
 * JSON a forecast run stores: {history: [[day, units, stockout]],
 * forecast: [[day, mean, low, high]]}. Daily units only: the reorder point is a
 * stock level, not a daily rate, so it is shown beside the chart, not on it.
 */
export class ForecastChartField extends Component {
    static template = "pos_ai_replenishment.ForecastChartField";
    static props = { ...standardFieldProps };

    get data() {
        return this.props.record.data[this.props.name] || {};
    }

    get chart() {
        const history = this.data.history || [];
        const forecast = this.data.forecast || [];
        const count = history.length + forecast.length;
        if (!count) {
            return null;
        }
        const values = [...history.map((h) => h[1]), ...forecast.map((f) => f[3])];
        const top = Math.max(1, ...values) * 1.1;
        const span = Math.max(count - 1, 1);
        const x = (i) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / span;
        const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
        const line = (points) => points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
        const offset = history.length;
        const upper = forecast.map((f, i) => [x(offset + i), y(f[3])]);
        const lower = forecast.map((f, i) => [x(offset + i), y(f[2])]).reverse();
        const ticks = [0, top / 2, top].map((v) => ({ y: y(v), label: v >= 10 ? v.toFixed(0) : v.toFixed(1) }));
        const days = [...history.map((h) => h[0]), ...forecast.map((f) => f[0])];
        const labelAt = [0, offset, count - 1].filter((i, k, all) => all.indexOf(i) === k && i < count);
        return {
            width: WIDTH,
            height: HEIGHT,
            history: line(history.map((h, i) => [x(i), y(h[1])])),
            forecast: line(forecast.map((f, i) => [x(offset + i), y(f[1])])),
            band: line([...upper, ...lower]),
            stockouts: history
                .map((h, i) => ({ x: x(i), y: y(h[1]), on: h[2] }))
                .filter((p) => p.on),
            today: forecast.length && offset ? x(offset) : null,
            ticks,
            labels: labelAt.map((i) => ({
                x: x(i),
                label: days[i],
                anchor: i === 0 ? "start" : i === count - 1 ? "end" : "middle",
            })),
            axisY: HEIGHT - PAD.bottom,
            left: PAD.left,
            right: WIDTH - PAD.right,
            top: PAD.top,
        };
    }
}

export const forecastChartField = {
    component: ForecastChartField,
    supportedTypes: ["json"],
};

registry.category("fields").add("pos_forecast_chart", forecastChartField);
