#!/usr/bin/env python3
"""Intake benchmark: signed unified events per second and p50/p99 latency of
the generic intake endpoint, beside Odoo's own /web/health in the same run,
against a real Odoo server with 2 workers. Then it waits for the cron to
drain the inbox and checks that nothing was lost and nothing counted twice.

Shopify webhook deliveries (pos_connector_shopify) are measured the same way,
in the same run.

By default it creates a fresh database, installs the addons and
starts ``odoo-bin --workers=2`` itself (needs an interpreter that imports
odoo: ODOO_PYTHON or ./.venv). ``--url`` targets a server you started.

    ODOO_PYTHON=/path/to/venv/bin/python bench/intake_bench.py --requests 4000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "pos_ai_replenishment"))
sys.path.insert(0, str(ROOT / "pos_connector_shopify"))

from demand_engine.signing import SIGNATURE_HEADER, signature_header  # noqa: E402
from shopify_engine.signature import HMAC_HEADER, webhook_hmac  # noqa: E402

SECRET = "bench-secret"
SOURCE_CODE = "bench"
SHOPIFY_CODE = "bench-shop"
ADDONS = "pos_ai_replenishment,pos_connector_shopify"


@dataclass
class Run:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<22} {len(self.latencies):>6} req  {self.rate:>8.1f} req/s  "
            f"p50 {self.pct(0.50):>7.1f} ms  p99 {self.pct(0.99):>7.1f} ms  "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def hammer(
    base_url: str, name: str, requests: list[tuple[str, str, bytes, dict]], concurrency: int
) -> Run:
    """Send ``requests`` over ``concurrency`` keep-alive connections."""
    parts = urlsplit(base_url)
    run = Run(name)
    lock = threading.Lock()
    chunks = [requests[i::concurrency] for i in range(concurrency)]

    def client(chunk):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        local_lat, local_status = [], {}
        for method, path, body, template in chunk:
            headers = template
            if template.get(SIGNATURE_HEADER) == "sign-now":
                headers = dict(template, **{SIGNATURE_HEADER: signature_header(SECRET, body)})
            elif template.get(HMAC_HEADER) == "sign-now":
                headers = dict(template, **{HMAC_HEADER: webhook_hmac(SECRET, body)})
            start = time.perf_counter()
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            local_lat.append(time.perf_counter() - start)
            local_status[response.status] = local_status.get(response.status, 0) + 1
        conn.close()
        with lock:
            run.latencies.extend(local_lat)
            for status, count in local_status.items():
                run.statuses[status] = run.statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def intake_requests(
    count: int, duplicate_share: float, prefix: str = "bench"
) -> tuple[list, int, int]:
    """Unique sale events (2 lines each) plus redeliveries of some of them."""
    bodies = []
    for i in range(count):
        body = {
            "event_id": f"{prefix}-{i}",
            "type": "sale",
            "occurred_at": f"2026-06-{1 + i % 28:02d}T12:00:00Z",
            "lines": [
                {
                    "line_id": f"{prefix}-{i}-a",
                    "sku": "BENCH-001",
                    "quantity": 1,
                    "unit_price": 2.0,
                },
                {
                    "line_id": f"{prefix}-{i}-b",
                    "sku": "BENCH-001",
                    "quantity": 2,
                    "unit_price": 2.0,
                },
            ],
        }
        bodies.append(json.dumps(body).encode())
    duplicates = bodies[: int(count * duplicate_share)]
    path = f"/pos_ai_replenishment/intake/{SOURCE_CODE}"
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: "sign-now"}
    reqs = [("POST", path, b, headers) for b in bodies + duplicates]
    return reqs, count, len(duplicates)


def shopify_requests(count: int) -> list:
    """orders/create deliveries of one-line POS orders, each with its own ids."""
    reqs = []
    for i in range(count):
        order = {
            "id": 9_000_000_000_000_000 + i,
            "created_at": f"2026-06-{1 + i % 28:02d}T12:00:00-04:00",
            "processed_at": f"2026-06-{1 + i % 28:02d}T12:00:00-04:00",
            "currency": "USD",
            "source_name": "pos",
            "location_id": None,
            "line_items": [
                {
                    "id": 8_000_000_000_000_000 + i,
                    "sku": "BENCH-001",
                    "variant_id": 7_000_000_000,
                    "quantity": 2,
                    "price": "2.00",
                }
            ],
            "refunds": [],
        }
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Event-Id": f"shop-evt-{i}",
            HMAC_HEADER: "sign-now",
        }
        reqs.append(
            (
                "POST",
                f"/pos_connector_shopify/webhook/{SHOPIFY_CODE}",
                json.dumps(order).encode(),
                headers,
            )
        )
    return reqs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_odoo_python() -> str:
    for candidate in (os.environ.get("ODOO_PYTHON"), str(ROOT / ".venv/bin/python"), "python3"):
        if (
            candidate
            and shutil.which(candidate)
            and subprocess.run(
                [candidate, "-c", "import odoo"], check=False, capture_output=True
            ).returncode
            == 0
        ):
            return candidate
    sys.exit("no interpreter imports odoo: set ODOO_PYTHON or pass --url")


def start_server(db: str, workers: int, cron_threads: int) -> tuple[subprocess.Popen, str, Path]:
    python = find_odoo_python()
    src = subprocess.check_output(
        [python, "-c", "import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))"],
        text=True,
    ).strip()
    addons = f"{src}/addons,{ROOT}" if Path(src, "addons").is_dir() else str(ROOT)
    odoo_bin = [python, f"{src}/odoo-bin"]
    common = ["-d", db, f"--addons-path={addons}", "--log-level=warn"]
    print(f"installing {ADDONS} into {db} ...", flush=True)
    subprocess.run(
        odoo_bin + common + ["-i", ADDONS, "--without-demo=all", "--stop-after-init"],
        check=True,
    )
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="intake_bench_", suffix=".log")[1])
    server = subprocess.Popen(
        odoo_bin
        + common
        + [
            f"--workers={workers}",
            f"--max-cron-threads={cron_threads}",
            f"--http-port={port}",
            "--http-interface=127.0.0.1",
            f"--logfile={log}",
        ]
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/web/health")
            break
        except OSError:
            time.sleep(0.5)
    time.sleep(2)
    return server, url, log


def setup_source(url: str, db: str, user: str, password: str):
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(db, user, password, {})
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kw):
        return models.execute_kw(db, uid, password, model, method, list(args), kw)

    warehouse = call("stock.warehouse", "search", [], limit=1)[0]
    product = call("product.product", "search", [("default_code", "=", "BENCH-001")])
    product = (
        product[0]
        if product
        else call("product.product", "create", {"name": "Bench item", "default_code": "BENCH-001"})
    )
    if not call("pos.source", "search", [("code", "=", SHOPIFY_CODE)]):
        call(
            "pos.source",
            "create",
            {
                "name": "Bench shop",
                "code": SHOPIFY_CODE,
                "kind": "shopify",
                "tz": "UTC",
                "warehouse_id": warehouse,
                "shopify_shop_domain": "bench.myshopify.com",
                "signing_secret": SECRET,
            },
        )
    if not call("pos.source", "search", [("code", "=", SOURCE_CODE)]):
        call(
            "pos.source",
            "create",
            {
                "name": "Bench",
                "code": SOURCE_CODE,
                "tz": "UTC",
                "warehouse_id": warehouse,
                "signing_secret": SECRET,
            },
        )
    return call, product, warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Odoo (else one is started)")
    parser.add_argument("--db", default=f"pos_bench_{int(time.time())}")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument(
        "--cron-threads",
        type=int,
        default=1,
        help="0 measures the endpoint alone (the inbox is then not drained)",
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    server = log = None
    url = args.url
    if not url:
        server, url, log = start_server(args.db, args.workers, args.cron_threads)
    try:
        call, product, warehouse = setup_source(url, args.db, args.user, args.password)
        # warm both paths (worker start, registry load) before measuring
        hammer(url, "warm-up", [("GET", "/web/health", b"", {})] * 50, args.concurrency)
        reqs, unique, dups = intake_requests(args.requests, args.duplicates)
        health = hammer(
            url, "/web/health", [("GET", "/web/health", b"", {})] * len(reqs), args.concurrency
        )
        intake = hammer(url, "signed intake", reqs, args.concurrency)
        call("ir.config_parameter", "set_param", "pos_ai_replenishment.async_commit", "True")
        fast_reqs, _fast_unique, _fast_dups = intake_requests(
            args.requests, args.duplicates, prefix="fast"
        )
        fast = hammer(url, "intake, fast commit", fast_reqs, args.concurrency)
        call("ir.config_parameter", "set_param", "pos_ai_replenishment.async_commit", "False")
        intake_end = time.time()
        rpc = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}).encode()
        db_floor = hammer(
            url,
            "db route floor",
            [("POST", "/web/webclient/version_info", rpc, {"Content-Type": "application/json"})]
            * len(reqs),
            args.concurrency,
        )
        shop_reqs = shopify_requests(unique)
        shop_reqs += shop_reqs[:dups]  # redeliveries: same X-Shopify-Event-Id
        shop = hammer(url, "shopify webhook", shop_reqs, args.concurrency)
        health_again = hammer(
            url,
            "/web/health (again)",
            [("GET", "/web/health", b"", {})] * len(reqs),
            args.concurrency,
        )

        deadline = time.time() + (600 if args.cron_threads else 0)
        while time.time() < deadline and call(
            "pos.inbox.event", "search_count", [("state", "=", "new")]
        ):
            time.sleep(1)
        drained_at = time.time()
        events = call("pos.inbox.event", "search_count", [("external_id", "=like", "bench-%")])
        done = call(
            "pos.inbox.event",
            "search_count",
            [("external_id", "=like", "bench-%"), ("state", "=", "done")],
        )
        signals = call(
            "pos.demand.signal", "search_count", [("source_line_id", "=like", "bench-%")]
        )
        fast_done = call(
            "pos.inbox.event",
            "search_count",
            [("external_id", "=like", "fast-%"), ("state", "=", "done")],
        )
        shop_events = call(
            "pos.inbox.event",
            "search_count",
            [("external_id", "=like", "shop-evt-%"), ("state", "=", "done")],
        )
        shop_signals = call(
            "pos.demand.signal", "search_count", [("source_line_id", "=like", "8000%")]
        )
        sold = sum(
            r["qty_sold"]
            for r in call(
                "pos.demand.daily", "search_read", [("product_id", "=", product)], ["qty_sold"]
            )
        )

        baseline = (health.rate + health_again.rate) / 2
        print()
        print(
            f"server {url}, {args.workers} workers, {args.concurrency} client connections, "
            f"{os.cpu_count()} cores"
        )
        for run in (health, intake, fast, shop, db_floor, health_again):
            print(run.line())
        print(
            f"intake / health rate  {intake.rate / baseline:.0%}   (target >= 60%); "
            f"Odoo's own smallest database route: {db_floor.rate / baseline:.0%}"
        )
        print(f"fast intake / health  {fast.rate / baseline:.0%}   (asynchronous commit, opt-in)")
        print(f"shopify / health rate {shop.rate / baseline:.0%}")
        print(f"intake p99            {intake.pct(0.99):.1f} ms   (target < 250 ms)")
        print(
            f"accepted {intake.statuses.get(202, 0)} (expected {unique}), "
            f"duplicates acknowledged {intake.statuses.get(200, 0)} (expected {dups})"
        )
        print(
            f"inbox rows {events} (expected {unique}), done {done}, signals {signals} "
            f"(expected {2 * unique}), daily units sold {sold:.0f} (expected {8 * unique})"
        )
        print(f"fast intake events done {fast_done} (expected {unique})")
        print(
            f"shopify deliveries done {shop_events} (expected {unique}), signals {shop_signals} "
            f"(expected {unique}), acknowledged {shop.statuses.get(200, 0)} of {len(shop_reqs)}"
        )
        ok = (
            intake.statuses.get(202, 0) == unique
            and intake.statuses.get(200, 0) == dups
            and events == done == unique
            and signals == 2 * unique
            and shop_events == shop_signals == unique
            and shop.statuses.get(200, 0) == len(shop_reqs)
            and fast.statuses.get(202, 0) == unique
            and fast_done == unique
            and sold == 8 * unique
        )
        print(
            f"nothing lost, nothing duplicated: {'yes' if ok else 'NO'} "
            f"(inbox drained {drained_at - intake_end:.0f}s after the intake load)"
        )
        sys.exit(0 if ok else 1)
    finally:
        if server:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
            if not args.keep_db:
                time.sleep(1)
                subprocess.run(["dropdb", "--if-exists", args.db], check=False)
            print(f"server log: {log}")


if __name__ == "__main__":
    main()
