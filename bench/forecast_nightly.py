#!/usr/bin/env python3
"""Nightly forecast run inside a real Odoo: N product x warehouse pairs with two
years of daily demand, timed and its peak memory measured, beside two baselines
from the same run on the same data: the engine alone on the same frame, and
Odoo's own Replenishment report refresh over the same reordering rules.

Creates a fresh database with ``pos_ai_replenishment`` (no demo data) unless
``--keep`` finds it, seeds products, vendors and daily demand, then runs
``pos.forecast.run._cron_run_forecasts()`` twice (first run creates rules, the
second updates them in place). Needs an interpreter that imports odoo.

    ODOO_PYTHON=/path/to/venv/bin/python bench/forecast_nightly.py --pairs 2000
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _odoo_bin() -> list[str]:
    import odoo  # noqa: PLC0415

    return [sys.executable, str(Path(odoo.__file__).resolve().parent.parent / "odoo-bin")]


def _addons_path() -> str:
    import odoo  # noqa: PLC0415

    return f"{Path(odoo.__file__).resolve().parent.parent / 'addons'},{ROOT}"


def create_database(db: str) -> None:
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(
        [
            *_odoo_bin(),
            "-d",
            db,
            f"--addons-path={_addons_path()}",
            "-i",
            "pos_ai_replenishment",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed(env, pairs: int, days: int, seed_value: int = 11) -> None:
    """``pairs // 2`` products in one enabled category, two warehouses, three
    vendors, ``days`` of daily demand ending yesterday (written with COPY)."""
    rng = np.random.default_rng(seed_value)
    categ = env["product.category"].create(
        {"name": "Bench Retail", "replenishment_rollout": "suggest"}
    )
    warehouses = env["stock.warehouse"].search([], limit=1) | env["stock.warehouse"].create(
        {"name": "Bench Store 2", "code": "BS2"}
    )
    vendors = env["res.partner"].create([{"name": f"Bench Vendor {i}"} for i in range(3)])
    n_products = pairs // len(warehouses)
    products = env["product.product"].create(
        [
            {
                "name": f"Bench SKU {i:05d}",
                "default_code": f"BENCH-{i:05d}",
                "is_storable": True,
                "categ_id": categ.id,
                "list_price": float(rng.uniform(1, 40)),
                "seller_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": vendors[i % 3].id,
                            "delay": int(rng.integers(2, 15)),
                            "min_qty": float(rng.choice([0, 6, 12, 24])),
                            "price": 1.0,
                        },
                    )
                ],
            }
            for i in range(n_products)
        ]
    )
    end = date.today() - timedelta(days=1)
    day_list = [end - timedelta(days=days - 1 - k) for k in range(days)]
    weekday = np.array([d.weekday() for d in day_list])
    yearly = np.sin(2 * np.pi * np.arange(days) / 365.25)
    buf = io.StringIO()
    company_id = env.company.id
    for product in products:
        base = float(rng.lognormal(0.5, 1.0))
        weekly = np.where(weekday >= 5, 1.4, 0.9)
        for warehouse in warehouses:
            rate = base * weekly * (1 + 0.3 * yearly) * float(rng.uniform(0.6, 1.4))
            units = rng.poisson(rate)
            for day, qty in zip(day_list, units.tolist(), strict=True):
                if qty:
                    buf.write(
                        f"{product.id}\t{categ.id}\t{warehouse.id}\t{company_id}\t{day}\t"
                        f"{qty}\t0\t{qty}\t{qty * product.list_price:.2f}\t{qty}\tf\n"
                    )
    env.flush_all()
    buf.seek(0)
    env.cr._obj.copy_expert(
        "COPY pos_demand_daily (product_id, product_categ_id, warehouse_id, company_id, date,"
        " qty_sold, qty_returned, qty_net, revenue, transactions, stockout) FROM STDIN",
        buf,
    )
    env.cr.commit()


def engine_only(env) -> float:
    """The same frame through the engine alone (no Odoo reads or writes)."""
    from odoo.addons.pos_ai_replenishment.demand_engine.forecasting.run import (  # noqa: PLC0415
        forecast_frame,
    )

    Run = env["pos.forecast.run"]
    run = Run.new({"company_id": env.company.id})
    end = date.today() - timedelta(days=1)
    daily = run._load_daily(env.company, end)
    frame, _lengths = run._demand_frame(daily, end)
    lead = frame[["unique_id"]].drop_duplicates().assign(lead_time=7.0)
    started = time.perf_counter()
    forecast_frame(frame, 28, lead)
    return time.perf_counter() - started


def proposals_and_drafting(env) -> list[tuple[str, float, int]]:
    """Draft phase: proposals and RFQs through the procurement buy rule for every
    AI rule below its min, beside Odoo's own "Order once" on the same rules.
    Both are rolled back so the database can be reused."""
    categ = env["product.category"].search([("name", "=", "Bench Retail")])
    rules = env["stock.warehouse.orderpoint"].search([("ai_forecast_id", "!=", False)])
    rules.mapped("qty_forecast")  # the same stock reads warm for both
    env.cr.commit()
    out = []
    categ.replenishment_rollout = "draft"
    started = time.perf_counter()
    proposals = env["pos.replenishment.proposal"]._generate()
    seconds = time.perf_counter() - started
    lines = env["purchase.order.line"].search_count([("ai_proposal_id", "!=", False)])
    orders = env["purchase.order"].search_count([("ai_generated", "=", True)])
    out.append(
        (
            f"AI proposals + RFQ drafting ({len(proposals)} proposals, {lines} lines, "
            f"{orders} RFQs)",
            seconds,
            len(proposals),
        )
    )
    env.cr.rollback()
    env.invalidate_all()
    rules = env["stock.warehouse.orderpoint"].search([("ai_forecast_id", "!=", False)])
    last_line = env["purchase.order.line"].search([], order="id desc", limit=1).id or 0
    started = time.perf_counter()
    rules.action_replenish()
    seconds = time.perf_counter() - started
    lines = env["purchase.order.line"].search_count([("id", ">", last_line)])
    out.append(
        (f"Odoo's own Order once on the same rules (baseline, {lines} lines)", seconds, len(rules))
    )
    env.cr.rollback()
    env.invalidate_all()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_forecast_nightly")
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--keep", action="store_true", help="reuse a seeded database")
    args = parser.parse_args()

    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    seeded_marker = args.keep and subprocess.run(  # noqa: PLW1510 - a failure means "not seeded"
        ["psql", "-Atqd", args.db, "-c", "SELECT count(*) FROM pos_demand_daily"],
        capture_output=True,
        text=True,
    )
    if not (
        seeded_marker and seeded_marker.returncode == 0 and seeded_marker.stdout.strip() != "0"
    ):
        print(f"creating database {args.db} and seeding {args.pairs} pairs x {args.days} days")
        create_database(args.db)
        fresh = True
    else:
        fresh = False
    config.parse_config([f"--addons-path={_addons_path()}", "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if fresh:
            started = time.perf_counter()
            seed(env, args.pairs, args.days)
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            # measure in a fresh process so seeding does not count in peak memory
            cr.close()
            os.execv(sys.executable, [sys.executable, __file__, "--db", args.db, "--keep"])
        cr.execute(
            "SELECT count(*), count(DISTINCT (product_id, warehouse_id)) FROM pos_demand_daily"
        )
        rows, pairs = cr.fetchone()
        print(f"daily demand rows: {rows}, pairs: {pairs}, cores: {os.cpu_count()}")

        figures = []
        rss_before = current_rss_mb()
        for label in ("nightly run (creates rules)", "nightly run (updates rules)"):
            started = time.perf_counter()
            env["pos.forecast.run"]._cron_run_forecasts()
            seconds = time.perf_counter() - started
            run = env["pos.forecast.run"].search([], limit=1)
            assert run.state == "done", run.error_log
            cr.commit()
            figures.append(
                (
                    label,
                    seconds,
                    {
                        "series": run.series_count,
                        "models": run.model_summary,
                        "created": run.orderpoints_created,
                        "updated": run.orderpoints_updated,
                        "anomalies": run.anomaly_count,
                    },
                )
            )
        peak_self = maxrss_mb(resource.RUSAGE_SELF)
        peak_child = maxrss_mb(resource.RUSAGE_CHILDREN)

        proposal_figures = proposals_and_drafting(env)
        engine_seconds = engine_only(env)
        started = time.perf_counter()
        env["stock.warehouse.orderpoint"].with_context(
            search_default_filter_to_reorder=True
        )._get_orderpoint_action()
        report_seconds = time.perf_counter() - started
        cr.rollback()

    print()
    print("| step | seconds | per pair (ms) |")
    print("|---|---|---|")
    for label, seconds, _run in figures:
        print(f"| {label} | {seconds:.1f} | {1000 * seconds / pairs:.2f} |")
    print(
        f"| engine alone, same frame | {engine_seconds:.1f} | {1000 * engine_seconds / pairs:.2f} |"
    )
    print(
        f"| Odoo Replenishment report refresh (baseline) | {report_seconds:.1f} | "
        f"{1000 * report_seconds / pairs:.2f} |"
    )
    for label, seconds, count in proposal_figures:
        print(f"| {label} | {seconds:.1f} | {1000 * seconds / max(count, 1):.2f} |")
    last = figures[-1][2]
    print()
    print(
        f"last run: {last['series']} series, models {last['models']}; "
        f"rules created {figures[0][2]['created']}, updated {last['updated']}; "
        f"anomalies {figures[0][2]['anomalies']} + {last['anomalies']}"
    )
    print(
        f"memory: RSS before runs {rss_before:.0f} MB, peak of this process "
        f"{peak_self:.0f} MB, peak of the largest forecast worker process {peak_child:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
