"""Finding an order and reading its page, as an agent with a customer waiting does."""

import pytest

from portal.orders import rules


def test_search_by_reference_opens_the_order(agent_client, order_id):
    response = agent_client.get("/portal/orders/?order=NW-1004")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portal/orders/{order_id('NW-1004')}/"


def test_search_by_gelato_id_opens_the_order(agent_client, order_id):
    gelato_id = order_id("NW-1007")
    response = agent_client.get(f"/portal/orders/?order=+{gelato_id}+")
    assert response.headers["Location"] == f"/portal/orders/{gelato_id}/"


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("NW-9999", "search by the Gelato order id"),
        ("0b5c5e5c-1111-4a4a-8a8a-123456789abc", "search by your own order reference"),
    ],
)
def test_unknown_order_echoes_the_query_and_suggests_the_other_number(agent_client, query, hint):
    page = agent_client.get(f"/portal/orders/?order={query}").get_data(as_text=True)
    assert f"No order found for “{query}”" in page
    assert hint in page


def test_a_split_order_lists_every_part(agent_client, gelato):
    split = next(o for o in gelato.search_orders(limit=100) if len(o.connected_order_ids) > 1)
    found = agent_client.get(f"/portal/orders/?order={split.order_reference_id}")
    page = found.get_data(as_text=True)
    assert "Gelato split it into parts" in page
    for part in split.connected_order_ids:
        assert part in page


def test_order_page_shows_status_address_items_and_tracking(agent_client, order_id, gelato):
    order = gelato.get_order(order_id("NW-1007"))
    page = agent_client.get(f"/portal/orders/{order.id}/").get_data(as_text=True)
    assert rules.status("shipped").label in page
    assert "(Gelato status" in page
    assert "<code>shipped</code>" in page
    assert order.shipping_address.address_line1 in page
    assert order.shipment.shipment_method_name in page
    package = order.packages[0]
    assert package.tracking_code in page
    assert f'href="{package.tracking_url}" target="_blank" rel="noopener noreferrer"' in page
    assert 'id="customer-reply"' in page  # a reply ready to copy
    assert "Sandbox mode" in page


def test_a_late_order_in_transit_is_called_delayed(agent_client, order_id):
    page = agent_client.get(f"/portal/orders/{order_id('NW-1008')}/").get_data(as_text=True)
    assert "Late: delayed in shipping" in page


def test_refused_actions_say_why_and_link_the_article(agent_client, order_id):
    page = agent_client.get(f"/portal/orders/{order_id('NW-1005')}/").get_data(as_text=True)
    refusal = rules.why_not(rules.CANCEL_ORDER, "in_production")
    assert refusal.reason in page
    assert 'aria-disabled="true">Cancel</span>' in page
    assert rules.CANCEL_ORDER.article.url in page


def test_unknown_order_page_is_404(agent_client):
    assert agent_client.get("/portal/orders/no-such-order/").status_code == 404


@pytest.mark.parametrize("action", rules.ACTIONS, ids=lambda a: a.slug)
def test_every_action_has_a_start_page_linked_from_its_article(agent_client, action):
    page = agent_client.get(action.portal_path).get_data(as_text=True)
    assert action.title in page
    assert action.article.url in page
    assert 'name="action" value="' + action.slug in page


def test_searching_from_an_action_page_goes_to_that_action(agent_client, order_id):
    response = agent_client.get("/portal/orders/?order=NW-1004&action=cancel-order")
    assert response.headers["Location"] == f"/portal/orders/{order_id('NW-1004')}/cancel"
