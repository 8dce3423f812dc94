"""The "needs attention" queue as agents use it: what lands there, with its reason and next step,
and taking and handling an entry, both in the audit log."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import form_token
from tests.webhooks.conftest import SECRET, estimate, item_status, order_status, post


@pytest.fixture
def store(app):
    return app.extensions["store"]


@pytest.fixture
def on_hold(client, order_id):
    """NW-1003 put on hold by Gelato, as its webhooks report it; its Gelato id."""
    order = order_id("NW-1003")
    reason = "The print file of the mug is below 150 dpi."
    post(client, item_status(order, "on_hold", 1, reason, reference="NW-1003", item="NW-1003-1"))
    post(client, order_status(order, "on_hold", reason, reference="NW-1003"))
    return order


def entry_id(html, order):
    return int(
        re.search(
            rf'id="entry-(\d+)"[^>]*>\s*<h3[^>]*><a href="/portal/orders/{order}/', html
        ).group(1)
    )


def act(client, path, **data):
    page = client.get("/portal/attention/").get_data(as_text=True)
    return client.post(path, data={"csrf_token": form_token(page), **data})


def test_a_hold_lands_in_the_queue_with_its_reason_and_next_steps(agent_client, on_hold):
    page = agent_client.get("/portal/attention/").get_data(as_text=True)
    assert "NW-1003" in page
    assert "Went on hold" in page
    assert "The print file of the mug is below 150 dpi." in page
    # The next steps: the action on this order, the article, the prefilled support request.
    assert f'href="/portal/orders/{on_hold}/cancel"' in page
    assert 'href="/questions/on-hold-or-failed/"' in page
    assert f'href="/portal/requests/new/something-else/?order={on_hold}"' in page


def test_one_hold_of_several_items_is_one_entry(client, store, order_id):
    order = order_id("NW-1005")
    for item in ("A", "B"):
        post(client, item_status(order, "on_hold", 1, "Out of stock.", item=item))
    post(client, order_status(order, "on_hold", "Out of stock."))
    [entry] = store.attention.waiting()
    assert (entry.kind, entry.reason) == ("on_hold", "Out of stock.")


def test_the_portal_header_counts_what_waits(agent_client, client, order_id):
    home = agent_client.get("/portal/").get_data(as_text=True)
    assert "Needs attention</a>" in home
    post(client, order_status(order_id("NW-1003"), "failed", "Address validation failed."))
    post(client, order_status(order_id("NW-1008"), "returned"))
    home = agent_client.get("/portal/").get_data(as_text=True)
    assert 'Needs attention <strong class="portal-count">(2)</strong>' in home


def test_the_queue_page_is_for_agents_only(client):
    assert client.get("/portal/attention/").status_code == 302


def test_taking_and_handling_an_entry_are_audited(agent_client, agent_account, store, on_hold):
    page = agent_client.get("/portal/attention/").get_data(as_text=True)
    entry = entry_id(page, on_hold)

    taken = act(agent_client, f"/portal/attention/{entry}/take")
    assert taken.status_code == 302
    page = agent_client.get(taken.headers["Location"]).get_data(as_text=True)
    assert "It is yours now." in page
    assert f"<strong>{agent_account.name}</strong> is on it" in page

    handled = act(
        agent_client,
        f"/portal/attention/{entry}/handle",
        note="Asked the customer for a sharper photo.",
    )
    assert handled.status_code == 302
    page = agent_client.get("/portal/attention/").get_data(as_text=True)
    assert "Marked as handled." in page
    assert "Nothing needs attention now." in page
    assert "Asked the customer for a sharper photo." in page  # under "Handled lately"

    log = store.audit.list(order=on_hold)
    assert [(e.action, e.actor, e.outcome) for e in reversed(log)] == [
        ("attention_taken", agent_account.name, "succeeded"),
        ("attention_handled", agent_account.name, "succeeded"),
    ]
    assert log[0].order_reference == "NW-1003"
    assert "sharper photo" in log[0].request


def test_a_colleague_sees_who_took_it_and_can_take_it_over(
    app, agent_client, sign_in, store, on_hold
):
    from portal import agents

    agents.create_agent(store, "bo", "bo-password-0123", "agent", actor="tests")
    colleague = app.test_client()
    sign_in(colleague, "bo", "bo-password-0123")
    entry = store.attention.waiting()[0].id

    act(agent_client, f"/portal/attention/{entry}/take")
    refused = act(colleague, f"/portal/attention/{entry}/take")
    assert "ana took it first" in colleague.get(refused.headers["Location"]).get_data(as_text=True)
    assert store.attention.get(entry).taken_by == "ana"

    act(colleague, f"/portal/attention/{entry}/take", take_over="1")
    assert store.attention.get(entry).taken_by == "bo"


def test_handling_takes_a_note_and_keeps_what_was_typed(agent_client, store, on_hold):
    entry = store.attention.waiting()[0].id
    empty = act(agent_client, f"/portal/attention/{entry}/handle", note="   ")
    assert empty.status_code == 422
    assert "Say what you did" in empty.get_data(as_text=True)

    long_note = "Called the customer. " * 120
    too_long = act(agent_client, f"/portal/attention/{entry}/handle", note=long_note)
    assert too_long.status_code == 422
    page = too_long.get_data(as_text=True)
    assert "Keep the note to 2000 characters" in page
    assert long_note.strip() in page  # nothing typed is lost
    assert store.attention.get(entry).state == "open"


def test_a_secret_typed_into_a_note_is_taken_out(agent_client, store, on_hold):
    entry = store.attention.waiting()[0].id
    act(agent_client, f"/portal/attention/{entry}/handle", note=f"Rotated {SECRET} in Gelato.")
    assert SECRET not in store.attention.get(entry).note
    assert SECRET not in agent_client.get("/portal/attention/").get_data(as_text=True)
    [handled] = store.audit.list(order=on_hold)
    assert SECRET not in handled.request


def test_a_handled_hold_is_not_reopened_by_another_items_event_but_a_new_hold_is(
    client, store, order_id
):
    order = order_id("NW-1005")
    post(client, item_status(order, "on_hold", 1, "Out of stock.", item="A"))
    [first] = store.attention.waiting()
    store.attention.handle(first.id, "ana", "Agreed a replacement.", first.since)

    post(client, item_status(order, "on_hold", 1, "Out of stock.", item="B"))  # the same hold
    assert store.attention.waiting() == []

    post(client, item_status(order, "passed", 2, item="A"))
    post(client, item_status(order, "on_hold", 3, "The file is missing.", item="A"))
    [second] = store.attention.waiting()
    assert second.reason == "The file is missing."


def test_a_later_estimate_lands_in_the_queue_and_a_second_one_updates_it(client, store, order_id):
    order = order_id("NW-1007")
    post(client, estimate(order, "2099-05-01", "2099-05-04", 1))
    [entry] = store.attention.waiting()
    assert entry.kind == "estimate_later"
    assert entry.reason == "Gelato moved the latest delivery date to 04 May 2099."
    post(client, estimate(order, "2099-05-03", "2099-05-07", 2))
    [entry] = store.attention.waiting()
    assert (
        entry.reason == "Gelato moved the latest delivery date to 07 May 2099 (it was 04 May 2099)."
    )
    # An older estimate arriving late changes nothing.
    post(client, estimate(order, "2099-04-28", "2099-05-02", 0))
    assert store.events.state(order).max_delivery_date == date(2099, 5, 7)


def test_an_order_past_its_latest_date_lands_in_the_queue_once(
    agent_client, client, store, order_id
):
    order = order_id("NW-1008")
    latest = date.today() - timedelta(days=6)
    post(client, estimate(order, (latest - timedelta(days=3)).isoformat(), latest.isoformat(), 1))
    page = agent_client.get("/portal/attention/").get_data(as_text=True)
    assert "Past its latest delivery date" in page
    assert "passed 6 days ago" in page
    assert f'href="/portal/requests/new/delivery-problem/?order={order}"' in page
    late = next(e for e in store.attention.waiting() if e.kind == "late")
    store.attention.handle(late.id, "ana", "Tracking moved yesterday; asked to wait.", late.since)
    agent_client.get("/portal/attention/")
    assert [e.kind for e in store.attention.waiting()] == ["estimate_later"]


def test_a_delivered_order_is_not_late(agent_client, client, store, order_id):
    order = order_id("NW-1009")
    latest = date.today() - timedelta(days=6)
    post(client, estimate(order, latest.isoformat(), latest.isoformat(), 1))
    post(client, order_status(order, "delivered"))
    agent_client.get("/portal/attention/")
    assert [e.kind for e in store.attention.waiting()] == ["estimate_later"]


def test_before_any_event_the_queue_says_how_to_set_up_the_webhook(agent_client):
    page = agent_client.get("/portal/attention/").get_data(as_text=True)
    assert "No event from Gelato has arrived yet" in page
    assert 'href="/reference/webhooks/"' in page


def test_an_order_page_opens_its_own_late_entry_once(agent_client, client, store, order_id):
    order = order_id("NW-1008")
    latest = date.today() - timedelta(days=6)
    post(client, estimate(order, (latest - timedelta(days=3)).isoformat(), latest.isoformat(), 1))
    page = agent_client.get(f"/portal/orders/{order}/").get_data(as_text=True)
    assert "Past its latest delivery date" in page
    agent_client.get(f"/portal/orders/{order}/")
    [late] = [e for e in store.attention.waiting() if e.kind == "late"]
    store.attention.handle(late.id, "ana", "Carrier says tomorrow.", late.since)
    page = agent_client.get(f"/portal/orders/{order}/").get_data(as_text=True)
    assert "Past its latest delivery date" not in page
    assert [e.kind for e in store.attention.waiting()] == ["estimate_later"]
