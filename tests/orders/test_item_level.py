"""The order pages go by the items where that matters, show Gelato's refusal reason and refunds,
check addresses with Gelato's postcode rule, and name the source of every rule they state."""

import pytest
from markupsafe import escape

from portal import sources
from portal.orders import rules
from tests.orders.conftest import form_fields


@pytest.fixture
def half_printed(gelato, sandbox, order_id):
    """A passed order of two items, one of them printed already: Gelato says passed for it."""
    model = gelato.get_order(order_id("NW-1009"))
    order = gelato.create_order(
        "NW-2001",
        customer_reference_id=model.customer_reference_id,
        currency=model.currency,
        items=model.items,
        shipping_address=model.shipping_address,
    )
    sandbox.advance(order.id, to="passed")
    sandbox.advance(order.id, to="printed", item_references=[order.items[0].item_reference_id])
    order = gelato.get_order(order.id)
    assert order.fulfillment_status == "passed"
    return order


def test_an_order_with_one_printed_item_offers_no_cancel_and_no_change(agent_client, half_printed):
    page = agent_client.get(f"/portal/orders/{half_printed.id}/").get_data(as_text=True)
    assert 'aria-disabled="true">Cancel</span>' in page
    assert 'aria-disabled="true">Address</span>' in page
    assert 'aria-disabled="true">Shipping method</span>' in page
    assert "Decided by the most advanced item" in page
    assert rules.why_not(rules.CANCEL_ORDER, "printed").reason in page

    cancel = agent_client.get(f"/portal/orders/{half_printed.id}/cancel").get_data(as_text=True)
    assert "can no longer be canceled" in cancel
    assert 'type="submit">Cancel this order' not in cancel
    change = agent_client.get(f"/portal/orders/{half_printed.id}/address").get_data(as_text=True)
    assert "Not possible through self-service now" in change
    assert 'name="step" value="review"' not in change


def test_a_cancel_posted_anyway_is_refused_without_calling_gelato(
    agent_client, sandbox, half_printed
):
    page = agent_client.get(f"/portal/orders/{half_printed.id}/cancel").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    agent_client.post(f"/portal/orders/{half_printed.id}/cancel", data={"csrf_token": token})
    assert sandbox.calls_to("POST", f"/v4/orders/{half_printed.id}:cancel") == 0


def test_a_failed_order_shows_gelatos_reason(agent_client, gelato, order_id):
    order = gelato.get_order(order_id("NW-1012"))
    page = agent_client.get(f"/portal/orders/{order.id}/").get_data(as_text=True)
    assert f"Gelato's reason:</strong> {order.refusal_reason}" in page
    assert order.refusal_reason_code in page


@pytest.mark.parametrize(
    ("reference", "words"), [("NW-1022", "Refunded in full"), ("NW-1021", "Partly refunded")]
)
def test_a_refunded_order_says_so(agent_client, gelato, order_id, reference, words):
    order = gelato.get_order(order_id(reference))
    page = agent_client.get(f"/portal/orders/{order.id}/").get_data(as_text=True)
    assert words in page
    assert f"Gelato paid back {order.refunded_incl_vat} {order.currency}" in page


def test_an_order_not_refunded_says_nothing_of_refunds(agent_client, order_id):
    page = agent_client.get(f"/portal/orders/{order_id('NW-1009')}/").get_data(as_text=True)
    assert "refunded" not in page.lower()


def test_an_irish_address_without_a_postcode_goes_on_to_the_review(agent_client, order_id):
    path = f"/portal/orders/{order_id('NW-1022')}/reorder"  # returned, to Ireland
    page = agent_client.get(path).get_data(as_text=True)
    fields = {**form_fields(page), "post_code": "", "step": "review"}
    review = agent_client.post(path, data=fields).get_data(as_text=True)
    assert "Postcode is required" not in review
    assert "What happens when you confirm" in review


def test_a_french_address_without_a_postcode_is_stopped_beside_the_field(agent_client, order_id):
    path = f"/portal/orders/{order_id('NW-1014')}/reorder"  # returned, to France
    page = agent_client.get(path).get_data(as_text=True)
    fields = {**form_fields(page), "post_code": "", "step": "review"}
    review = agent_client.post(path, data=fields).get_data(as_text=True)
    assert 'id="post_code-error">Postcode is required.' in review


def source_links(html, entries):
    return [
        f'<a href="{escape(source.href)}">{escape(source.label)}</a>' in html for source in entries
    ]


def test_status_meanings_and_refusals_show_their_source_lines(agent_client, order_id):
    page = agent_client.get(f"/portal/orders/{order_id('NW-1005')}/").get_data(as_text=True)
    status = rules.status("in_production")
    refusal = rules.why_not(rules.CANCEL_ORDER, "in_production")
    assert "Source: " in page
    assert all(source_links(page, status.sources))
    assert all(source_links(page, refusal.sources))
    # Gelato's documents link to Gelato; our practice to the knowledge base's sources page.
    assert sources.OUR_PRACTICE.href.startswith("/reference/sources/")
    assert all(source_links(page, [sources.OUR_PRACTICE]))


def test_a_status_named_in_a_next_step_links_to_its_glossary_entry(agent_client, order_id):
    page = agent_client.get(f"/portal/orders/{order_id('NW-1007')}/").get_data(as_text=True)
    # Shipped: "If delivery fails and it comes back (returned), ..."
    assert f'(<a href="{rules.status("returned").article_url}" title="Status: Returned">' in page
