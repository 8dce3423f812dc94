"""What an agent reads of Gelato's events where they work: the order page's timeline, one
chronological list of Gelato's changes and the team's actions, and the portal home's queue."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.audit import record
from portal.requests.drafts import REQUEST_SENT
from tests.conftest import form_token
from tests.webhooks.conftest import T0, estimate, item_status, order_status, post, tracking

HOLD = "The print file of the mug is below 150 dpi."


@pytest.fixture
def store(app):
    return app.extensions["store"]


def timeline(html: str) -> list[str]:
    """The timeline's lines, as text, in the order the page lists them."""
    listed = re.search(r'<ol class="portal-timeline">(.*?)</ol>', html, re.S).group(1)
    lines = re.findall(r"<li[^>]*>(.*?)</li>", listed, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]


def test_the_order_page_tells_gelatos_changes_and_the_teams_actions_in_one_list(
    agent_client, client, store, order_id
):
    order = order_id("NW-1003")
    events = [
        # Arriving out of order, as Gelato's retries deliver them.
        tracking(order, "JJD0099", 30, item="NW-1003-1", reference="NW-1003"),
        item_status(order, "passed", 1, item="NW-1003-1", reference="NW-1003"),
        estimate(order, "2026-03-09", "2026-03-12", 2, reference="NW-1003"),
        item_status(order, "on_hold", 10, HOLD, item="NW-1003-1", reference="NW-1003"),
        estimate(order, "2026-03-11", "2026-03-16", 20, reference="NW-1003"),
    ]
    for event in events:
        assert post(client, event).status_code == 200
    # A request a colleague prepared with only the order number typed in, after the hold.
    record(
        store,
        actor="bo",
        action=REQUEST_SENT,
        outcome="succeeded",
        order_reference="NW-1003",
        request={"subject": "Order NW-1003 on hold: which file?"},
        at=T0 + timedelta(minutes=15),
    )
    # Another order's entry stays off this page.
    record(store, actor="bo", action=REQUEST_SENT, outcome="succeeded", order_reference="NW-1004")

    page = agent_client.get(f"/portal/orders/{order}/").get_data(as_text=True)
    lines = timeline(page)
    assert [re.match(r"(.+? UTC) · (\S+)", line).groups() for line in lines] == [
        ("02 Mar 2026, 09:01 UTC", "Gelato"),
        ("02 Mar 2026, 09:02 UTC", "Gelato"),
        ("02 Mar 2026, 09:10 UTC", "Gelato"),
        ("02 Mar 2026, 09:15 UTC", "bo"),
        ("02 Mar 2026, 09:20 UTC", "Gelato"),
        ("02 Mar 2026, 09:30 UTC", "Gelato"),
    ]
    assert "Accepted (item NW-1003-1)" in lines[0]
    assert "Expected between 09 Mar and 12 Mar 2026" in lines[1]
    assert "On hold" in lines[2]
    assert HOLD in lines[2]
    assert "Request sent to Gelato Support" in lines[3]
    assert "Order NW-1003 on hold: which file?" in lines[3]
    assert "later than before (12 Mar 2026)" in lines[4]
    assert "JJD0099 (DHL Parcel)" in lines[5]
    assert "NW-1004" not in " ".join(lines)


def test_an_agents_cancel_from_the_order_page_joins_its_timeline(
    agent_client, client, agent_account, order_id
):
    order = order_id("NW-1003")
    post(client, item_status(order, "on_hold", 1, HOLD, item="NW-1003-1", reference="NW-1003"))
    form = agent_client.get(f"/portal/orders/{order}/cancel").get_data(as_text=True)
    done = agent_client.post(
        f"/portal/orders/{order}/cancel", data={"csrf_token": form_token(form), "confirm": "y"}
    )
    assert "Gelato canceled order NW-1003" in done.get_data(as_text=True)

    lines = timeline(agent_client.get(f"/portal/orders/{order}/").get_data(as_text=True))
    assert len(lines) == 2
    assert "Gelato" in lines[0]
    assert HOLD in lines[0]
    assert re.search(rf"· {agent_account.name} : Cancel", lines[1]), lines[1]
    assert "Done" in lines[1]


def test_the_home_lists_what_waits_with_its_reason_and_next_step(agent_client, client, order_id):
    held, failed = order_id("NW-1003"), order_id("NW-1004")
    post(client, order_status(held, "on_hold", HOLD, reference="NW-1003"))
    post(client, order_status(failed, "failed", "Address validation failed.", reference="NW-1004"))
    home = agent_client.get("/portal/").get_data(as_text=True)
    assert 'Needs attention <strong class="portal-count">(2)</strong>' in home
    listed = re.search(r'<ul class="portal-attention-list">(.*?)</ul>', home, re.S).group(1)
    assert "NW-1003</strong> · Went on hold" in listed
    assert HOLD in listed
    assert "Address validation failed." in listed
    # The first next step of each, with where it is done.
    assert 'href="/questions/on-hold-or-failed/"' in listed
    assert "Open the queue" in home


def test_the_home_lists_five_and_leads_to_the_rest(agent_client, client, order_id):
    references = ["NW-1002", "NW-1003", "NW-1004", "NW-1005", "NW-1006", "NW-1007"]
    for minute, reference in enumerate(references):
        event = item_status(order_id(reference), "on_hold", minute, "Out of stock.")
        post(client, {**event, "orderReferenceId": reference})
    home = agent_client.get("/portal/").get_data(as_text=True)
    listed = re.search(r'<ul class="portal-attention-list">(.*?)</ul>', home, re.S).group(1)
    assert listed.count("<li>") == 5
    assert "NW-1007" not in listed  # the newest waits on the queue's page
    assert "All 6 in the queue" in home


def test_an_order_past_its_latest_date_is_in_the_queue_once_its_page_is_shown(
    agent_client, store, order_id
):
    # NW-1008 is in transit and past its latest delivery date; no event ever named it.
    order = order_id("NW-1008")
    page = agent_client.get(f"/portal/orders/{order}/").get_data(as_text=True)
    assert "Past its latest delivery date" in page
    [entry] = store.attention.waiting()
    assert entry.kind == "late"
    # The header of the next page counts it, from the one count of what waits.
    search = agent_client.get("/portal/orders/").get_data(as_text=True)
    assert 'Needs attention <strong class="portal-count">(1)</strong>' in search


def test_the_header_counts_waiting_entries_only(agent_client, client, store, order_id):
    order = order_id("NW-1003")
    post(client, order_status(order, "on_hold", HOLD))
    [entry] = store.attention.waiting()
    store.attention.take(entry.id, "ana", datetime.now(UTC))
    page = agent_client.get("/portal/orders/").get_data(as_text=True)
    assert 'Needs attention <strong class="portal-count">(1)</strong>' in page
    store.attention.handle(entry.id, "ana", "Sharper file uploaded.", datetime.now(UTC))
    page = agent_client.get("/portal/orders/").get_data(as_text=True)
    assert 'Needs attention <strong class="portal-count">' not in page
