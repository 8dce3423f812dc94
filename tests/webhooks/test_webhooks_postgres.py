"""Several processes receiving on one PostgreSQL database: two apps, each with its own engine (as
two workers or hosts have), taking Gelato's events at the same moment."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal import create_app
from tests.conftest import SECRET_KEY
from tests.webhooks.conftest import SECRET, empty_database, item_status, order_status, post


@pytest.fixture
def apps(postgres_url):
    empty_database(postgres_url)
    environ = {
        "DATABASE_URL": postgres_url,
        "SECRET_KEY": SECRET_KEY,
        "GELATO_WEBHOOK_SECRET": SECRET,
    }
    made = [create_app(environ) for _ in range(2)]
    yield made
    for app in made:
        app.extensions["store"].close()


def at_once(apps, events):
    """Post every event to one app or the other, eight at a time; their answers' codes."""

    def send(numbered):
        number, event = numbered
        with apps[number % 2].test_client() as client:
            return post(client, event).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(send, enumerate(events)))


def test_one_event_received_by_every_process_at_once_is_stored_once(apps):
    event = item_status("order-pg", "on_hold", 1, "Out of stock.")
    assert at_once(apps, [event] * 16) == [200] * 16
    store = apps[0].extensions["store"]
    assert store.events.count() == 1
    assert len(store.attention.waiting()) == 1


def test_an_orders_events_shuffled_over_processes_leave_its_newest_status(apps):
    steps = ["created", "uploading", "passed", "in_production", "printed", "shipped"]
    events = []
    for minute, status in enumerate(steps, start=1):
        events += [item_status("order-pg", status, minute, item=item) for item in ("A", "B")]
    random.Random(4).shuffle(events)
    assert set(at_once(apps, events)) == {200}
    # The order's own events, once its items' are in: each dated by them (assumption A25).
    later = [order_status("order-pg", status) for status in reversed(steps)]
    assert set(at_once(apps, later)) == {200}
    for app in apps:
        state = app.extensions["store"].events.state("order-pg")
        assert state.status == "shipped"
    assert apps[1].extensions["store"].events.count() == len(events) + len(later)
