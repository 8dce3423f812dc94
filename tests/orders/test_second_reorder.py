"""A second reorder of the same order within the window, from another tab or another agent: the
form shows the earlier one and places another only when asked to, and two forms sent at once do
not both place one unseen."""

import threading

from tests.orders.conftest import form_fields


def reorders(gelato, original):
    found = gelato.search_orders(search=original.order_reference_id, limit=100)
    return [o for o in found if o.order_reference_id.startswith(original.order_reference_id + "-R")]


def review_reorder(agent, path):
    review = agent.review(path)
    assert review.status_code == 200
    return review


def test_the_form_shows_the_earlier_reorder_and_needs_place_another_one(
    agent_client, admin_client, gelato, order_id
):
    original = gelato.get_order(order_id("NW-1009"))
    path = f"/portal/orders/{original.id}/reorder"
    first_page = agent_client.get(path).get_data(as_text=True)
    first_review = agent_client.post(path, data={**form_fields(first_page), "step": "review"})
    fields = {**form_fields(first_review.get_data(as_text=True)), "understood_charge": "y"}
    done = agent_client.post(path, data={**fields, "step": "confirm"})
    assert "Gelato accepted the reorder" in done.get_data(as_text=True)
    [first] = reorders(gelato, original)

    # A colleague, in a tab of their own, a minute later.
    page = admin_client.get(path).get_data(as_text=True)
    assert "This order was reordered already" in page
    assert first.order_reference_id in page
    assert "placed by <strong>ana</strong>" in page
    review = admin_client.post(path, data={**form_fields(page), "step": "review"})
    html = review.get_data(as_text=True)
    assert "Place another one" in html
    unticked = admin_client.post(
        path, data={**form_fields(html), "step": "confirm", "understood_charge": "y"}
    )
    assert "otherwise nothing is placed" in unticked.get_data(as_text=True)
    assert len(reorders(gelato, original)) == 1

    ticked = admin_client.post(
        path,
        data={
            **form_fields(html),
            "step": "confirm",
            "understood_charge": "y",
            "place_another": "y",
        },
    )
    assert "Gelato accepted the reorder" in ticked.get_data(as_text=True)
    assert len(reorders(gelato, original)) == 2


def test_two_tabs_confirming_at_once_place_one_reorder_and_show_it_to_the_other(
    app_server, gelato_server, ana, bo
):
    gelato = app_server.app.extensions["gelato"]
    [original] = gelato.find_orders_by_reference("NW-1010")
    path = f"/portal/orders/{original.id}/reorder"
    reviews = {agent: review_reorder(agent, path).text for agent in (ana, bo)}
    start = threading.Barrier(2)
    answers = {}

    def confirm(agent):
        start.wait()
        answers[agent] = agent.confirm(path, reviews[agent])

    tabs = [threading.Thread(target=confirm, args=(agent,)) for agent in (ana, bo)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()

    placed = [a for a in answers.values() if "Gelato accepted the reorder" in a.text]
    held = [a for a in answers.values() if "Gelato accepted the reorder" not in a.text]
    assert len(placed) == 1
    assert len(held) == 1
    assert held[0].status_code == 409
    assert "This order was reordered already" in held[0].text
    assert len(reorders(gelato, original)) == 1

    # The held tab now shows that reorder; placing another one takes the explicit tick.
    [slow] = [agent for agent, answer in answers.items() if answer is held[0]]
    another = slow.confirm(path, held[0].text, place_another="y")
    assert "Gelato accepted the reorder" in another.text
    assert len(reorders(gelato, original)) == 2
