"""Orders through the API: found by id, reference or customer name, and read in full with the
same verdict and action answers the order page shows."""

from datetime import date

import pytest

from portal.api.models import LookupAnswer, OrderDetail, OrderList
from portal.orders import rules
from portal.orders.delivery import delivery_verdict


@pytest.fixture
def reader(client, make_token, bearer):
    headers = bearer(make_token("desk"))

    def get(url):
        return client.get(url, headers=headers)

    return get


def test_an_order_is_found_by_its_reference(reader, order_id):
    answer = OrderList.model_validate(reader("/api/v1/orders?q=NW-1009").json)
    assert answer.matched_by == "reference"
    [found] = answer.orders
    assert found.id == order_id("NW-1009")
    assert found.status_label == "Delivered"
    assert found.portal_url == f"http://localhost/portal/orders/{found.id}/"


def test_an_order_is_found_by_its_gelato_id(reader, order_id):
    answer = OrderList.model_validate(reader(f"/api/v1/orders?q={order_id('NW-1004')}").json)
    assert answer.matched_by == "id"
    assert [o.reference for o in answer.orders] == ["NW-1004"]


def test_a_split_order_is_found_as_its_parts(reader):
    answer = OrderList.model_validate(reader("/api/v1/orders?q=NW-1019").json)
    assert len(answer.orders) == 2
    assert {o.reference for o in answer.orders} == {"NW-1019"}


def test_orders_are_found_by_the_customers_name(reader, gelato, order_id):
    order = gelato.get_order(order_id("NW-1008"))
    name = order.shipping_address.name
    answer = OrderList.model_validate(reader(f"/api/v1/orders?q={name.upper()}").json)
    assert answer.matched_by == "customer"
    assert "NW-1008" in {o.reference for o in answer.orders}
    assert all(o.customer_name.casefold() == name.casefold() for o in answer.orders)


def test_nothing_found_is_an_empty_list(reader):
    answer = OrderList.model_validate(reader("/api/v1/orders?q=no-such-thing-anywhere").json)
    assert (answer.matched_by, answer.orders) == (None, [])


def test_one_order_says_what_the_order_page_says(reader, gelato, order_id, agent_client):
    oid = order_id("NW-1008")
    answer = OrderDetail.model_validate(reader(f"/api/v1/orders/{oid}").json)
    order = gelato.get_order(oid)
    verdict = delivery_verdict(order, date.today())
    assert answer.status.label == rules.status(order.fulfillment_status).label
    assert answer.status.meaning == rules.status(order.fulfillment_status).meaning
    assert (answer.verdict.code, answer.verdict.customer_reply) == (
        verdict.code,
        verdict.customer_reply,
    )
    assert answer.shipment.packages[0].tracking_url
    assert answer.shipping_address.name == order.shipping_address.name

    page = agent_client.get(f"/portal/orders/{oid}/").get_data(as_text=True)
    assert verdict.title in page
    for action in answer.actions:
        expected = rules.why_not(action.slug, order.fulfillment_status)
        assert action.allowed is (expected is None)
        if expected is not None:
            assert action.reason == expected.reason
            assert action.next_step == expected.next_step
            assert action.article.url


def test_an_allowed_action_links_to_its_page_in_the_portal(reader, order_id):
    oid = order_id("NW-1002")
    actions = {
        a.slug: a for a in OrderDetail.model_validate(reader(f"/api/v1/orders/{oid}").json).actions
    }
    assert actions["cancel-order"].allowed
    assert actions["cancel-order"].portal_url == f"http://localhost/portal/orders/{oid}/cancel"
    assert not actions["reorder"].allowed
    assert actions["reorder"].portal_url is None
    assert actions["reorder"].reason


def test_an_unknown_order_is_a_404_problem(reader):
    answer = reader("/api/v1/orders/3f1c7c1e-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert "no order" in answer.json["detail"]


def test_gelato_out_of_reach_is_a_503_with_retry_after(reader, sandbox):
    sandbox.fail_with(503, times=None)
    answer = reader("/api/v1/orders?q=NW-1002")
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert int(answer.headers["Retry-After"]) >= 1


def test_the_lookup_is_sidebar_sized_with_links_back(reader):
    answer = LookupAnswer.model_validate(reader("/api/v1/lookup?q=NW-1008").json)
    [order] = answer.orders
    assert answer.count == 1
    assert order.verdict == "Late: delayed in shipping"
    assert order.tracking_url
    assert order.customer_reply.startswith("I am sorry")
    assert "Check order status" in order.allowed_actions
    assert order.portal_url.endswith(f"/portal/orders/{order.id}/")
    assert answer.search_url == "http://localhost/portal/orders/?order=NW-1008"


def test_the_lookup_of_a_name_shows_five_orders_at_most(reader, gelato):
    rows = gelato.search_orders(limit=100)
    last_names = [row.last_name for row in rows if row.last_name]
    common = max(set(last_names), key=last_names.count)
    answer = LookupAnswer.model_validate(reader(f"/api/v1/lookup?q={common}").json)
    assert answer.count == last_names.count(common)
    assert len(answer.orders) == min(5, answer.count)
