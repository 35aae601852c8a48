"""The R-Series and X-Series clients against a real local HTTP server."""

import copy
from email.utils import formatdate

import pytest
from demand_engine.payload import parse_unified_event
from fake_lightspeed import FakeClock, FakeLightspeed
from lightspeed_engine import rseries, xseries
from lightspeed_engine.rseries_api import (
    LeakyBucket,
    OrderLineSpec,
    RSeriesClient,
    SaleCursor,
    oauth_app,
)
from lightspeed_engine.transport import LightspeedAuthError, Tokens
from lightspeed_engine.xseries_api import ConsignmentLine, XSeriesClient
from lightspeed_engine.xseries_api import oauth_app as x_oauth_app
from ls_fixtures import fixture_json

SALE_COUNT = 23


def make_sales(count: int = SALE_COUNT) -> list[dict]:
    """Sales from the recorded Sale, some sharing a time stamp (pairs)."""
    template = fixture_json("rseries_sale_put_response_with_salelines.json")["Sale"]
    sales = []
    for index in range(count):
        sale = copy.deepcopy(template)
        sale_id = str(500 + index)
        sale["saleID"] = sale_id
        sale["completed"] = "true"
        sale["voided"] = "true" if index == 5 else "false"
        minute = index // 2  # two sales per time stamp
        sale["timeStamp"] = f"2026-11-27T10:{minute:02d}:00+00:00"
        for number, line in enumerate(sale["SaleLines"]["SaleLine"]):
            line["saleID"] = sale_id
            line["saleLineID"] = f"{sale_id}{number:02d}"
        sales.append(sale)
    return sales


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fake(clock):
    item = fixture_json("rseries_item_show_with_itemshops.json")["Item"]
    with FakeLightspeed(
        sales=make_sales(),
        items=[item],
        vendors=[fixture_json("rseries_vendor_show.json")["Vendor"]],
        shops=[fixture_json("rseries_shop_show.json")["Shop"]],
        x_sales=fixture_json("xseries_rest_sales_list.json")["data"],
        x_inventory=fixture_json("xseries_rest_inventory_list.json")["data"],
        x_suppliers=[
            {**row, "version": 10 + n}
            for n, row in enumerate(fixture_json("xseries_rest_suppliers_list.json")["data"])
        ],
        clock=clock,
    ) as server:
        yield server


def r_client(fake, clock, saved=None, **kwargs):
    tokens = Tokens(fake.access_token, fake.refresh_token)
    return RSeriesClient(
        fake.account_id,
        tokens,
        base_url=fake.r_base_url,
        oauth=oauth_app("client-id", "client-secret", token_url=fake.r_token_url),
        on_tokens=(saved.append if saved is not None else None),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )


def x_client(fake, clock, **kwargs):
    return XSeriesClient(
        "shop",
        Tokens(fake.access_token, fake.refresh_token),
        base_url=fake.x_base_url,
        oauth=x_oauth_app("shop", "cid", "secret", token_url=fake.x_token_url),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )


# ----------------------------------------------------------------------
# R-Series: OAuth
# ----------------------------------------------------------------------
def test_authorization_url_and_code_exchange(fake, clock):
    app = oauth_app("client-id", "s3cret", "https://odoo.example/cb", token_url=fake.r_token_url)
    url = app.authorization_url("state-1", "employee:register employee:inventory")
    assert url.startswith("https://cloud.lightspeedapp.com/auth/oauth/authorize?")
    assert "response_type=code" in url and "scope=employee%3Aregister+employee%3Ainventory" in url
    saved = []
    client = r_client(fake, clock, saved)
    tokens = client.exchange_code("good-code")
    assert saved == [tokens] and tokens.access_token == fake.access_token
    assert fake.token_requests[-1]["grant_type"] == "authorization_code"


def test_expired_token_refreshes_once_and_retries(fake, clock):
    saved = []
    client = r_client(fake, clock, saved)
    fake.expire_token()
    shops = client.list_shops()
    assert [shop["shopID"] for shop in rseries.as_list(shops)] == ["1"]
    assert len(saved) == 1 and saved[0].refresh_token == fake.refresh_token
    assert fake.token_requests[0]["grant_type"] == "refresh_token"
    assert fake.token_requests[0]["refresh_token"] == "refresh-1"
    assert [r.method for r in fake.requests if r.path.endswith("Shop.json")] == ["GET", "GET"]


def test_second_401_after_refresh_raises(fake, clock):
    client = r_client(fake, clock, [])
    fake.expire_token()
    original = fake._token

    def refresh_but_stay_expired(body):
        answer = original(body)
        fake.expire_token()
        return answer

    fake._token = refresh_but_stay_expired
    with pytest.raises(LightspeedAuthError, match="Invalid username/password"):
        client.list_shops()
    assert len(fake.token_requests) == 1  # exactly one refresh


def test_no_refresh_token_means_auth_error(fake, clock):
    client = RSeriesClient(
        fake.account_id, "wrong-token", base_url=fake.r_base_url, sleep=clock.sleep, clock=clock
    )
    with pytest.raises(LightspeedAuthError):
        client.list_shops()
    assert fake.token_requests == []


# ----------------------------------------------------------------------
# R-Series: leaky bucket and 429
# ----------------------------------------------------------------------
def test_bucket_headers_make_the_client_wait_instead_of_overflowing(fake, clock):
    fake.bucket_size, fake.drip_rate = 20.0, 2.0
    client = r_client(fake, clock)
    for _ in range(30):
        client.list_shops()
    assert not [r for r in fake.requests if r.path.endswith("Shop.json")][30:]  # no retries
    assert client.bucket.size == 20.0 and client.bucket.drip_rate == 2.0
    assert any(w.reason.startswith("bucket") for w in client.waits)
    assert not [w for w in client.waits if w.reason.startswith("429")]


def test_write_waits_for_ten_units(clock):
    bucket = LeakyBucket(size=60, used=55, drip_rate=1, seen_at=clock())
    assert bucket.wait_for(1, clock()) == 0
    assert bucket.wait_for(10, clock()) == pytest.approx(5.0)
    assert bucket.wait_for(10, clock() + 5) == 0
    assert bucket.update("76.47055864334/90", None, clock()) and bucket.size == 90
    assert not bucket.update(None, None, clock())


def test_429_waits_retry_after_then_succeeds(fake, clock):
    client = r_client(fake, clock)
    shop_path = f"/API/V3/Account/{fake.account_id}/Shop.json"
    fake.add_fault("GET", shop_path, 1, 429, headers={"Retry-After": "4"})
    client.list_shops()
    assert [w.seconds for w in client.waits if w.reason == "429 Retry-After"] == [4.0]


def test_5xx_backs_off_and_retries(fake, clock):
    client = r_client(fake, clock, backoff_base=0.5)
    shop_path = f"/API/V3/Account/{fake.account_id}/Shop.json"
    fake.add_fault("GET", shop_path, 1, 503)
    fake.add_fault("GET", shop_path, 2, 502)
    client.list_shops()
    assert [w.seconds for w in client.waits if "back-off" in w.reason] == [0.5, 1.0]


# ----------------------------------------------------------------------
# R-Series: incremental sales
# ----------------------------------------------------------------------
def sync(client, cursor, stop_after=None):
    """Translate pages until done (or ``stop_after`` pages); the cursor after."""
    events, pages = [], 0
    for page in client.iter_sales(cursor, limit=5):
        for sale in page.sales:
            events.extend(rseries.sale_to_events(sale, "USD").events)
        cursor = page.cursor
        pages += 1
        if stop_after and pages == stop_after:
            break
    return events, cursor


def test_sales_sync_pages_with_next_and_parses(fake, clock):
    client = r_client(fake, clock)
    events, cursor = sync(client, SaleCursor("2026-11-27T00:00:00+00:00"))
    sale_ids = [e["event_id"] for e in events if e["type"] == "sale"]
    assert sale_ids == [f"rs-sale-{500 + i}" for i in range(SALE_COUNT)]
    assert [e["cancels"] for e in events if e["type"] == "void"] == ["rs-sale-505"]
    for event in events:
        parse_unified_event(event)
    sale_requests = fake.requests_to(f"/API/V3/Account/{fake.account_id}/Sale.json")
    first = sale_requests[0].params
    assert first["timeStamp"] == ">=,2026-11-27T00:00:00+00:00"
    assert first["load_relations"] == '["SaleLines","SaleLines.Item"]'
    assert all("after" in r.params for r in sale_requests[1:])
    assert cursor.time_stamp == "2026-11-27T10:11:00+00:00" and cursor.sale_ids == ("522",)


def test_interrupted_sync_resumes_without_loss_or_double_count(fake, clock):
    client = r_client(fake, clock)
    start = SaleCursor.from_json(SaleCursor("2026-11-27T00:00:00+00:00").to_json())
    first, cursor = sync(client, start, stop_after=1)  # 5 sales: the 5th shares a stamp
    assert cursor.time_stamp == "2026-11-27T10:02:00+00:00" and cursor.sale_ids == ("504",)
    stored = cursor.to_json()
    rest, _ = sync(client, SaleCursor.from_json(stored))
    ids = [e["event_id"] for e in first + rest]
    assert len(ids) == len(set(ids)) == SALE_COUNT + 1  # every sale once, plus the void
    resumed = fake.requests_to(f"/API/V3/Account/{fake.account_id}/Sale.json")
    assert [r.params.get("timeStamp") for r in resumed if "timeStamp" in r.params][-1] == (
        ">=,2026-11-27T10:02:00+00:00"
    )


def test_repoll_after_the_end_yields_nothing_new(fake, clock):
    client = r_client(fake, clock)
    _, cursor = sync(client, None)
    again, same = sync(client, cursor)
    assert again == [] and same == cursor


def test_items_vendors_and_account(fake, clock):
    client = r_client(fake, clock)
    (page,) = list(client.iter_items())
    result = rseries.items_to_inventory_events(page.items)
    assert [e["location"] for e in result.events] == ["1"]
    item_request = fake.requests_to(f"/API/V3/Account/{fake.account_id}/Item.json")[0]
    assert item_request.params["load_relations"] == '["ItemShops"]'
    assert client.get_account()["accountID"] == fake.account_id
    pytest.importorskip("phonenumbers")
    (supplier,) = rseries.vendors_to_suppliers(client.list_vendors())
    assert supplier.name == "Byron Fuels"


# ----------------------------------------------------------------------
# R-Series: idempotent purchase orders
# ----------------------------------------------------------------------
LINES = [OrderLineSpec("177", 12), OrderLineSpec("13", 2, price=4.5)]


def test_purchase_order_created_with_lines_and_not_twice(fake, clock):
    client = r_client(fake, clock)
    result = client.create_purchase_order("PO00042", "73", "1", LINES)
    assert result.created and result.lines_created == ["177", "13"]
    assert fake.orders[0]["Note"]["note"] == "odoo-ref:PO00042"
    again = client.create_purchase_order("PO00042", "73", "1", LINES)
    assert not again.created and again.order_id == result.order_id
    assert again.lines_existing == ["177", "13"]
    assert len(fake.orders) == 1 and len(fake.orders[0]["OrderLines"]["OrderLine"]) == 2
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 3  # one order, two lines


def test_order_post_timeout_after_apply_finds_the_order_instead_of_a_second(fake, clock):
    client = r_client(fake, clock, timeout=0.3)
    order_path = f"/API/V3/Account/{fake.account_id}/Order.json"
    line_path = f"/API/V3/Account/{fake.account_id}/OrderLine.json"
    fake.add_fault("POST", order_path, 1, delay=1.0)  # applied, answered too late
    fake.add_fault("POST", line_path, 1, delay=1.0)
    result = client.create_purchase_order("PO00043", "73", "1", LINES)
    assert len(fake.orders) == 1
    assert len(fake.requests_to(order_path, "POST")) == 1
    lines = fake.orders[0]["OrderLines"]["OrderLine"]
    assert sorted(line["itemID"] for line in lines) == ["13", "177"]  # no duplicate line
    assert result.order_id == fake.orders[0]["orderID"]


# ----------------------------------------------------------------------
# X-Series REST 2.0
# ----------------------------------------------------------------------
def test_x_sales_pages_by_version_cursor(fake, clock):
    client = x_client(fake, clock)
    pages = list(client.iter_sales(after=0, page_size=1))
    assert [p.version_max for p in pages] == [413, 29316, None]
    items = [row for page in pages for row in page.items]
    result = xseries.sales_to_events(items, "NZD")
    assert len(result.events) == 2
    afters = [int(r.params["after"]) for r in fake.requests_to("/api/2.0/sales")]
    assert afters[0] == 0 and afters[1:] == [p.version_max for p in pages[:-1]]


def test_x_inventory_and_suppliers(fake, clock):
    client = x_client(fake, clock)
    rows = [row for page in client.iter_inventory() for row in page.items]
    result = xseries.inventory_list_to_events(rows, "2026-11-27T10:00:00Z")
    assert [e["lines"][0]["quantity"] for e in result.events] == [0, 0, -10]
    assert [s["name"] for s in client.list_suppliers()][0] == "Supplier post new test"


def test_x_429_with_http_date_retry_after(fake, clock):
    wall = 1_700_000_000.0
    client = x_client(fake, clock, wall_clock=lambda: wall)
    retry_at = formatdate(wall + 12, usegmt=True)
    fake.add_fault("GET", "/api/2.0/suppliers", 1, 429, headers={"Retry-After": retry_at})
    client.list_suppliers()
    assert [w.seconds for w in client.waits if w.reason == "429 Retry-After"] == [12.0]


def test_x_expired_token_refreshes_with_rotation(fake, clock):
    saved = []
    client = x_client(fake, clock, on_tokens=saved.append)
    fake.expire_token()
    client.list_suppliers()
    assert saved[0].refresh_token == fake.refresh_token != "refresh-1"


def test_x_consignment_is_idempotent_across_a_timeout(fake, clock):
    client = x_client(fake, clock, timeout=0.3)
    fake.add_fault("POST", "/api/2.0/consignments", 1, delay=1.0)
    lines = [ConsignmentLine("prod-1", 5, 2.5), ConsignmentLine("prod-2", 1)]
    result = client.create_supplier_consignment("PO00044", "outlet-1", "sup-1", lines)
    assert len(fake.consignments) == 1 and result.consignment_id == fake.consignments[0]["id"]
    assert result.products_created == ["prod-1", "prod-2"]
    again = client.create_supplier_consignment("PO00044", "outlet-1", "sup-1", lines)
    assert not again.created and again.products_existing == ["prod-1", "prod-2"]
    assert len(fake.consignments) == 1
    assert len(fake.consignment_products[result.consignment_id]) == 2
