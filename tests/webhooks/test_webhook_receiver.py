"""The receiver over real HTTP, as Gelato calls it: the app served on 127.0.0.1 (``app_server``),
its Gelato the sandbox process. Every test runs on SQLite and on PostgreSQL, the database several
processes share (``postgres_url``: skipped where PostgreSQL is not installed, always run in CI)."""

import json

import httpx
import pytest

from tests.conftest import form_token
from tests.webhooks.conftest import (
    RECEIVER,
    SECRET,
    empty_database,
    item_status,
    order_status,
    post_http,
    tracking,
    wait_until,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def environ(request, environ):
    """The app's settings, on the test's own SQLite file or on an empty PostgreSQL database."""
    if request.param == "sqlite":
        return environ
    url = request.getfixturevalue("postgres_url")
    empty_database(url)
    return {**environ, "DATABASE_URL": url}


@pytest.fixture
def store(app_server):
    return app_server.app.extensions["store"]


@pytest.fixture
def signed_in(app_server):
    """An httpx client signed in to the served app as the sandbox's demo agent."""
    with httpx.Client(base_url=app_server.url, timeout=10) as browser:
        page = browser.get("/portal/sign-in").text
        answer = browser.post(
            "/portal/sign-in",
            data={"csrf_token": form_token(page), "name": "demo", "password": "gelato-sandbox"},
        )
        assert answer.status_code == 302
        yield browser


def test_an_event_is_stored_and_answered_200(app_server, store):
    event = order_status("order-1", "passed")
    answer = post_http(app_server.url, event)
    assert answer.status_code == 200
    assert answer.json() == {"outcome": "stored", "id": event["id"]}
    [stored] = store.events.for_order("order-1")
    assert (stored.event_id, stored.status) == (event["id"], "passed")
    assert json.loads(stored.payload) == event


def test_a_duplicate_event_is_stored_once(app_server, store):
    # Gelato resends an event it got no 2xx for; the receiver may have stored the first try.
    event = item_status("order-1", "on_hold", 1, comment="The file is below 150 dpi.")
    first = post_http(app_server.url, event)
    again = post_http(app_server.url, event)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["outcome"] == "duplicate"
    assert store.events.count(event_id=event["id"]) == 1
    assert len(store.attention.waiting()) == 1


def test_out_of_order_events_leave_the_newest_status(app_server, store):
    order = "order-2"
    # The items and the order move on: printed at minute 1, shipped at minute 2.
    printed = [item_status(order, "printed", 1), order_status(order, "printed")]
    shipped = [item_status(order, "shipped", 2), order_status(order, "shipped")]
    # The shipped events arrive first; the printed ones come later, as Gelato's retries do.
    for event in shipped + printed:
        assert post_http(app_server.url, event).status_code == 200
    state = store.events.state(order)
    assert state.status == "shipped"
    # The order's own event has no time: it is dated by its items' (assumption A25).
    dated = {
        e.status: (e.occurred_at.isoformat(), e.dated_by)
        for e in store.events.for_order(order)
        if e.event == "order_status_updated"
    }
    assert dated == {
        "shipped": ("2026-03-02T09:02:00+00:00", "items"),
        "printed": ("2026-03-02T09:01:00+00:00", "items"),
    }


def test_a_hold_reported_after_the_order_moved_on_opens_nothing(app_server, store):
    order = "order-3"
    post_http(app_server.url, item_status(order, "passed", 5))
    post_http(app_server.url, order_status(order, "passed"))
    # A hold from minute 1, released since: its retry arrives last.
    post_http(app_server.url, item_status(order, "on_hold", 1, comment="Low resolution."))
    post_http(app_server.url, order_status(order, "on_hold", comment="Low resolution."))
    assert store.events.state(order).status == "passed"
    assert store.attention.waiting() == []
    assert len(store.events.for_order(order)) == 4  # kept for the timeline all the same


def test_a_wrong_or_missing_secret_stores_nothing_and_says_nothing(app_server, store):
    answers = [
        post_http(app_server.url, item_status("order-4", "failed", 1), secret=secret)
        for secret in (
            None,
            "",
            "wrong-secret-of-the-same-size",
            SECRET[:-1],
            SECRET + "0",
            SECRET.upper(),
        )
    ]
    for answer in answers:
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json() == {"type": "about:blank", "title": "Forbidden", "status": 403}
        assert SECRET not in answer.text
    assert store.events.count() == 0
    assert store.events.state("order-4") is None


def test_a_wrong_secret_is_refused_before_the_body_is_read(app_server, store):
    # A malformed body with a wrong secret gets the same 403: nothing tells what was checked.
    answer = httpx.post(
        app_server.url + RECEIVER, content=b"{not json", headers={"signature": "wrong"}
    )
    assert answer.status_code == 403
    assert answer.json()["title"] == "Forbidden"


#: Bodies the receiver cannot read, each with the field its answer names.
MALFORMED = [
    (b"{not json", "body"),
    (b"[1, 2]", "body"),
    (b'{"event": "order_status_updated", "orderId": "o"}', "id"),
    (b'{"id": "e-1", "event": "order_status_updated", "fulfillmentStatus": "x"}', "orderId"),
    (
        b'{"id": "e-1", "event": "order_item_status_updated", "orderId": "o", '
        b'"itemReferenceId": "I-1", "status": "shipped", "created": "yesterday"}',
        "created",
    ),
    (
        b'{"id": "e-1", "event": "order_delivery_estimate_updated", "orderId": "o", '
        b'"maxDeliveryDate": 20260310}',
        "maxDeliveryDate",
    ),
    (b"[" * 100_000 + b"]" * 100_000, "body"),
]


def test_a_malformed_body_is_a_400_and_stores_nothing(app_server, store):
    for body, field in MALFORMED:
        answer = httpx.post(
            app_server.url + RECEIVER,
            content=body,
            headers={"signature": SECRET, "content-type": "application/json"},
        )
        assert answer.status_code == 400, body[:80]
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["status"] == 400
        assert problem["type"] == "/reference/webhooks/#what-the-help-center-answers"
        assert field in [error["field"] for error in problem["errors"]], problem
    assert store.events.count() == 0


def test_events_about_no_order_are_answered_and_not_stored(app_server, store):
    event = {"id": "e-stock", "event": "catalog_product_stock_availability_updated"}
    answer = post_http(app_server.url, {**event, "productsAvailability": []})
    assert answer.status_code == 200
    assert answer.json()["outcome"] == "ignored"
    assert store.events.count() == 0


def test_an_event_for_an_unknown_order_is_kept_and_shown_when_it_is_first_looked_up(
    app_server, store, signed_in, order_id
):
    # NW-1006 is printed; nobody has looked at it in the portal yet.
    order = order_id("NW-1006")
    event = item_status(order, "printed", 1, comment="Printed in Berlin.", item="NW-1006-1")
    assert post_http(app_server.url, event).status_code == 200
    assert store.events.state(order).looked_up_at is None

    page = signed_in.get(f"/portal/orders/{order}/")
    assert page.status_code == 200
    assert "Printed in Berlin." in page.text
    assert store.events.state(order).looked_up_at is not None


def test_an_event_for_an_order_gelato_does_not_know_is_kept(app_server, store):
    answer = post_http(app_server.url, tracking("not-an-order-yet", "JJD0001", 3))
    assert answer.status_code == 200
    assert store.events.count() == 1


def test_the_sandbox_sends_its_events_to_the_receiver(
    app_server, gelato_server, signed_in, store, order_id
):
    # What `make run` wires: the sandbox as its own process, posting to the app's receiver.
    gelato_server.steer(
        "PUT", "/webhooks", url=app_server.url + RECEIVER, secret=SECRET, retryDelay=0.05
    )
    order = order_id("NW-1003")
    reason = "The print file of the mug is below 150 dpi."
    gelato_server.steer("POST", f"/orders/{order}/hold", reason=reason)
    gelato_server.steer("POST", f"/orders/{order_id('NW-1004')}/advance", to="shipped")

    assert wait_until(
        lambda: store.events.state(order) and store.events.state(order).status == "on_hold"
    )
    assert wait_until(
        lambda: (
            (store.events.state(order_id("NW-1004")) or None)
            and store.events.state(order_id("NW-1004")).status == "shipped"
        )
    )
    deliveries = gelato_server.steer("GET", "/webhooks")["deliveries"]
    assert {d["outcome"] for d in deliveries} == {"delivered"}

    queue_page = signed_in.get("/portal/attention/").text
    assert "NW-1003" in queue_page
    assert reason in queue_page
    assert "NW-1004" not in queue_page  # shipped on time: nothing to do
    order_page = signed_in.get(f"/portal/orders/{order}/").text
    assert reason in order_page
