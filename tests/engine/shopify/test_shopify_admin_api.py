"""The Admin API client against a real local HTTP server (fake_admin_api)."""

import socket
from collections import Counter

import pytest
import requests
from demand_engine.payload import parse_unified_event
from fake_admin_api import INVALID_TOKEN_BODY, FakeClock, FakeShopify
from shopify_engine.admin_api import (
    ShopifyAdminClient,
    ShopifyAPIError,
    ShopifyAuthError,
    ThrottleStatus,
    Wait,
    page_info_from_url,
    parse_link_header,
    retry_after_seconds,
)
from shopify_engine.translate import inventory_levels_to_events, order_snapshot_to_events
from shopify_fixtures import fixture_json, make_orders

TOKEN = "shpat_valid_token"
ORDER_COUNT = 23
PAGE = 5


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def shop(clock):
    with FakeShopify(
        orders=make_orders(ORDER_COUNT, cancel_every=7),
        locations=fixture_json("rest2024-04_locations_list.json")["locations"],
        inventory_levels=fixture_json("sdkfixture_inventory_levels.json")["inventory_levels"],
        graphql_data=fixture_json("graphql_response_with_cost_extension.json")["data"],
        token=TOKEN,
        clock=clock,
    ) as fake:
        yield fake


def make_client(shop, clock, token=TOKEN, **kwargs):
    return ShopifyAdminClient(
        "fake-shop.myshopify.com",
        token,
        base_url=shop.base_url,
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )


def all_ids(shop):
    return [str(order["id"]) for order in shop.orders]


def cursor_requests(shop):
    return [r for r in shop.requests_to("orders.json") if "page_info" in r.params]


# ----------------------------------------------------------------------
# Backfill
# ----------------------------------------------------------------------
def test_backfill_with_a_429_and_a_503_imports_every_order_once(shop, clock):
    # Requests to orders.json: 1 ok, 2 -> 429, 3 ok (retry), 4 -> 503, 5 ok (retry)...
    shop.add_fault(
        "GET",
        "orders.json",
        2,
        429,
        headers={"Retry-After": "2.5"},
        body={"errors": "Exceeded 2 calls per second for api client."},
    )
    shop.add_fault("GET", "orders.json", 4, 503, body={"errors": "Service Unavailable"})
    client = make_client(shop, clock)
    pages = list(client.iter_orders(since="2026-01-01T00:00:00-05:00", limit=PAGE))

    ids = [str(order["id"]) for page in pages for order in page.items]
    assert Counter(ids) == Counter(all_ids(shop))  # every order exactly once
    assert len(pages) == 5 and pages[-1].is_last and pages[0].page_info is None
    assert all(int(i) > 2**53 for i in ids)  # exact through HTTP + JSON
    assert client.waits == [Wait("429 Retry-After", 2.5), Wait("503 back-off", 1.0)]
    assert clock.sleeps == [2.5, 1.0]

    first = shop.requests_to("orders.json")[0]
    assert first.params == {
        "status": "any",
        "updated_at_min": "2026-01-01T00:00:00-05:00",
        "limit": "5",
    }
    assert first.headers["x-shopify-access-token"] == TOKEN
    # Every cursor sent back is one the server issued, unchanged, with only limit.
    for recorded in cursor_requests(shop):
        assert set(recorded.params) == {"limit", "page_info"}
        assert recorded.params["page_info"] in shop.issued_cursors
    sent = [r.params["page_info"] for r in cursor_requests(shop)]
    # Pages 2 and 3 were each asked twice (the 429 and the 503 retried them).
    assert sent[0] == sent[1] == pages[1].page_info
    assert sent[2] == sent[3] == pages[2].page_info
    assert [p.page_info for p in pages[1:]] == [p.next_page_info for p in pages[:-1]]


def test_backfilled_orders_translate_to_valid_unique_events(shop, clock):
    client = make_client(shop, clock)
    events = [
        event
        for page in client.iter_orders(limit=PAGE)
        for order in page.items
        for event in order_snapshot_to_events(order, "backfill").events
    ]
    ids = [event["event_id"] for event in events]
    assert len(ids) == len(set(ids))
    kinds = Counter(event["type"] for event in events)
    # 3 sales + 1 refund per order; cancelled orders void their one unrefunded line.
    assert kinds == {"sale": 3 * ORDER_COUNT, "refund": ORDER_COUNT, "void": 3}
    assert Counter(event["channel"] for event in events if event["type"] == "sale") == {
        "pos": 3 * 8,
        "online": 3 * 15,
    }
    for event in events:
        parse_unified_event(event, "America/New_York")


def test_interrupted_backfill_resumes_from_the_stored_cursor(shop, clock):
    client = make_client(shop, clock)
    seen, stored = [], None
    for number, page in enumerate(client.iter_orders(limit=PAGE), start=1):
        seen += [str(order["id"]) for order in page.items]
        stored = page.next_page_info  # what a cron would persist after each page
        if number == 2:
            break  # the worker dies here
    assert len(seen) == 2 * PAGE and stored in shop.issued_cursors

    resumed_client = make_client(shop, clock)  # a new process, same token
    before = len(shop.requests)
    resumed = [
        str(order["id"])
        for page in resumed_client.iter_orders(
            since="ignored-with-a-cursor", page_info=stored, limit=PAGE
        )
        for order in page.items
    ]
    assert Counter(seen + resumed) == Counter(all_ids(shop))
    first_resumed = shop.requests[before]
    assert first_resumed.params == {"limit": str(PAGE), "page_info": stored}


def test_fake_server_refuses_a_cursor_with_other_parameters_or_a_changed_one(shop, clock):
    client = make_client(shop, clock)
    cursor = next(iter(client.iter_orders(limit=PAGE))).next_page_info
    headers = {"X-Shopify-Access-Token": TOKEN}
    url = shop.base_url + "orders.json"
    mixed = requests.get(
        url, params={"page_info": cursor, "status": "any"}, headers=headers, timeout=5
    )
    assert mixed.status_code == 400 and "page_info" in mixed.json()["errors"]
    changed = requests.get(url, params={"page_info": cursor[:-1] + "x"}, headers=headers, timeout=5)
    assert changed.status_code == 400


# ----------------------------------------------------------------------
# Auth and retries
# ----------------------------------------------------------------------
def test_wrong_or_expired_token_raises_auth_error_without_retry(shop, clock):
    client = make_client(shop, clock, token="shpat_expired")
    with pytest.raises(ShopifyAuthError) as caught:
        next(iter(client.iter_orders(limit=PAGE)))
    assert caught.value.status == 401
    assert caught.value.body == INVALID_TOKEN_BODY
    assert "Invalid API key or access token" in str(caught.value)
    assert "reconnect" in str(caught.value)
    assert len(shop.requests) == 1 and client.waits == []


def test_token_revoked_mid_backfill_then_resume_with_a_new_token(shop, clock):
    client = make_client(shop, clock)
    pages = client.iter_orders(limit=PAGE)
    first = next(pages)
    shop.revoke_token()  # the merchant uninstalled / the token expired
    with pytest.raises(ShopifyAuthError):
        next(pages)
    shop.token = "shpat_new_token"
    fresh = make_client(shop, clock, token="shpat_new_token")
    rest = [
        o
        for page in fresh.iter_orders(page_info=first.next_page_info, limit=PAGE)
        for o in page.items
    ]
    ids = [str(o["id"]) for o in first.items + rest]
    assert Counter(ids) == Counter(all_ids(shop))


def test_5xx_retries_are_bounded_with_exponential_back_off(shop, clock):
    for nth in range(1, 6):
        shop.add_fault("GET", "locations.json", nth, 502)
    client = make_client(shop, clock, max_attempts=5)
    with pytest.raises(ShopifyAPIError) as caught:
        client.list_locations()
    assert caught.value.status == 502
    assert [w.seconds for w in client.waits] == [1.0, 2.0, 4.0, 8.0]
    assert len(shop.requests_to("locations.json")) == 5


def test_429_without_retry_after_waits_the_default(shop, clock):
    shop.add_fault("GET", "locations.json", 1, 429)
    client = make_client(shop, clock, default_retry_after=1.5)
    assert len(client.list_locations()) == 5
    assert client.waits == [Wait("429 Retry-After", 1.5)]


def test_call_limit_header_slows_down_near_the_top(shop, clock):
    shop.bucket_used = 37  # the request makes it 38/40: 2 calls left, headroom 3
    client = make_client(shop, clock, rest_headroom=3, rest_leak_rate=2.0)
    client.list_locations()
    assert client.call_limit.used == 38 and client.call_limit.maximum == 40
    assert client.waits == [Wait("call limit 38/40", 0.5)]


def test_full_bucket_gets_a_429_and_the_retry_after_is_honoured(shop, clock):
    shop.bucket_used = 40
    client = make_client(shop, clock, rest_headroom=0)
    assert len(client.list_locations()) == 5
    assert client.waits == [Wait("429 Retry-After", 0.5)]
    assert clock.now == 1000.5


def test_network_errors_are_retried_then_reported():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    client = ShopifyAdminClient(
        "x.myshopify.com",
        TOKEN,
        base_url=f"http://127.0.0.1:{port}/admin/api/2024-04/",
        sleep=clock.sleep,
        clock=clock,
        max_attempts=3,
        timeout=2,
    )
    with pytest.raises(ShopifyAPIError, match="unreachable after 3 attempts"):
        client.list_locations()
    assert clock.sleeps == [1.0, 2.0]


# ----------------------------------------------------------------------
# Locations, inventory, webhooks
# ----------------------------------------------------------------------
def test_locations_and_inventory_levels(shop, clock):
    client = make_client(shop, clock)
    rows = client.list_locations()
    assert [row["id"] for row in rows][:2] == [655441491, 24826418]
    ids = [487838322, 905684977] + list(range(1, 59))  # 60 ids: two queries of <= 50
    pages = list(client.inventory_levels(ids, limit=1))
    levels = [level for page in pages for level in page.items]
    assert len(levels) == 4 and len(pages) == 5  # 4 pages of 1, then the second query
    assert pages[-1].items == [] and pages[-1].is_last
    queries = [r.params for r in shop.requests_to("inventory_levels.json")]
    first_query_ids = queries[0]["location_ids"].split(",")
    assert len(first_query_ids) == 50 and first_query_ids[:2] == ["487838322", "905684977"]
    assert len(queries[-1]["location_ids"].split(",")) == 10
    translation = inventory_levels_to_events(levels)
    assert len(translation.events) == 4
    for event in translation.events:
        parse_unified_event(event, "America/New_York")


def test_register_webhooks_is_idempotent(shop, clock):
    client = make_client(shop, clock)
    address = "https://odoo.example.com/pos_connector_shopify/webhook/1"
    topics = ["orders/create", "orders/paid", "refunds/create", "inventory_levels/update"]
    first = client.register_webhooks(address, topics)
    assert [w["topic"] for w in first.created] == topics and first.existing == []
    assert first.created[0]["id"] == 2**53 + 1  # exact through JSON
    posts = shop.requests_to("webhooks.json", "POST")
    assert len(posts) == 4 and b'"format": "json"' in posts[0].body
    again = client.register_webhooks(address, topics + ["orders/cancelled"])
    assert [w["topic"] for w in again.created] == ["orders/cancelled"]
    assert [w["topic"] for w in again.existing] == topics
    assert len(shop.requests_to("webhooks.json", "POST")) == 5
    assert len(client.list_webhooks()) == 5


def test_register_webhooks_race_duplicate_counts_as_existing(shop, clock):
    client = make_client(shop, clock)
    shop.webhooks.append({"id": 1, "topic": "orders/paid", "address": "https://a/b"})
    client.list_webhooks = lambda: []  # another worker registered it meanwhile
    result = client.register_webhooks("https://a/b", ["orders/paid"])
    assert result.created == [] and result.existing[0]["topic"] == "orders/paid"


# ----------------------------------------------------------------------
# GraphQL
# ----------------------------------------------------------------------
def test_graphql_throttle_waits_from_the_restore_rate(shop, clock):
    shop.graphql_cost = 100
    shop.graphql_available = 10  # 1000 max, 50 points/s
    client = make_client(shop, clock)
    body = client.graphql("query { product(id: $id) { id title handle } }", {"id": "gid"})
    # Throttled: 100 needed, 10 available -> (100 - 10) / 50 = 1.8 s, then retried.
    assert body["data"] == fixture_json("graphql_response_with_cost_extension.json")["data"]
    assert client.waits == [Wait("GraphQL cost 100 > 10 available", 1.8)]
    assert client.throttle.currently_available == pytest.approx(0.0)
    # The next query expects the same cost: wait 100 / 50 = 2 s before sending.
    client.graphql("query { shop { name } }")
    assert client.waits[1] == Wait("GraphQL cost 100 > 0 available", 2.0)
    assert len(shop.requests_to("graphql.json", "POST")) == 3
    assert clock.sleeps == pytest.approx([1.8, 2.0])


def test_graphql_without_throttling_does_not_wait(shop, clock):
    client = make_client(shop, clock)
    for _ in range(3):
        client.graphql("query { shop { name } }")
    assert client.waits == []
    assert client.throttle.currently_available == 970.0


def test_graphql_errors_raise(shop, clock):
    shop.add_fault(
        "POST",
        "graphql.json",
        1,
        200,
        body={"errors": [{"message": "Field 'nope' doesn't exist on type 'Shop'"}]},
    )
    client = make_client(shop, clock)
    with pytest.raises(ShopifyAPIError, match="doesn't exist"):
        client.graphql("query { shop { nope } }")


def test_throttle_status_from_the_fixture():
    status = ThrottleStatus.from_response(fixture_json("graphql_response_with_cost_extension.json"))
    assert status == ThrottleStatus(1000.0, 999.0, 50.0, 1.0, 1.0)
    assert ThrottleStatus.from_response({"data": {}}) is None


# ----------------------------------------------------------------------
# Small parsers
# ----------------------------------------------------------------------
def test_link_header_and_raw_page_info():
    header = (
        "<https://s.myshopify.com/admin/api/2024-04/orders.json?limit=5&page_info=abc>; "
        'rel="previous", <https://s.myshopify.com/admin/api/2024-04/orders.json?'
        'page_info=eyJsYXN0X2lkIjo0fQ%3D%3D&limit=5>; rel="next"'
    )
    links = parse_link_header(header)
    assert set(links) == {"previous", "next"}
    assert page_info_from_url(links["next"]) == "eyJsYXN0X2lkIjo0fQ%3D%3D"  # not decoded
    assert parse_link_header(None) == {} and parse_link_header("garbage") == {}


def test_retry_after_forms():
    assert retry_after_seconds("2.0", 9.0) == 2.0
    assert retry_after_seconds(None, 9.0) == 9.0
    assert retry_after_seconds("-1", 9.0) == 0.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", 9.0, now=1445412480.0) == 10.0
    assert retry_after_seconds("soon", 9.0) == 9.0


def test_default_base_url_and_limits():
    client = ShopifyAdminClient("https://my-shop.myshopify.com/", "tok")
    assert client.base_url == "https://my-shop.myshopify.com/admin/api/2024-04/"
    assert client.session.headers["X-Shopify-Access-Token"] == "tok"
    with pytest.raises(ValueError, match="limit"):
        next(client.iter_orders(limit=251))
    with pytest.raises(ShopifyAuthError):
        ShopifyAdminClient("my-shop.myshopify.com", "")
