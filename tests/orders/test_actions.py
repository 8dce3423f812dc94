"""The self-service actions against the sandbox, through the portal's forms."""

import pytest

from portal.orders import placing, rules
from tests.conftest import form_token
from tests.orders.conftest import form_fields, orders_by_status, reorder_at_once


def test_the_sandbox_has_an_order_in_every_status_of_the_rules_table(gelato):
    # The action tests below are driven by this table: a new status needs a demo order.
    assert set(rules.STATUSES) <= set(orders_by_status(gelato))


@pytest.mark.parametrize("code", sorted(rules.STATUSES))
def test_cancel_is_offered_exactly_where_the_rules_allow_it(agent_client, gelato, code):
    gelato_id = orders_by_status(gelato)[code]
    page = agent_client.get(f"/portal/orders/{gelato_id}/cancel").get_data(as_text=True)
    if rules.is_allowed(rules.CANCEL_ORDER, code):
        response = agent_client.post(
            f"/portal/orders/{gelato_id}/cancel", data={"csrf_token": form_token(page)}
        )
        assert response.status_code == 200
        assert "Gelato canceled order" in response.get_data(as_text=True)
        assert gelato.get_order(gelato_id).fulfillment_status == "canceled"
    else:
        assert "can no longer be canceled" in page
        assert rules.why_not(rules.CANCEL_ORDER, code).reason in page
        assert 'type="submit">Cancel this order' not in page
        assert gelato.get_order(gelato_id).fulfillment_status == code


@pytest.mark.parametrize("code", sorted(rules.STATUSES))
def test_reorder_form_is_offered_exactly_where_the_rules_allow_it(agent_client, gelato, code):
    gelato_id = orders_by_status(gelato)[code]
    page = agent_client.get(f"/portal/orders/{gelato_id}/reorder").get_data(as_text=True)
    assert ('name="step" value="review"' in page) == rules.is_allowed(rules.REORDER, code)


def walk_to_review(client, path, changes=None):
    page = client.get(path).get_data(as_text=True)
    fields = {**form_fields(page), **(changes or {}), "step": "review"}
    return client.post(path, data=fields), fields


def confirm(client, path, review_html, **extra):
    fields = {**form_fields(review_html), "step": "confirm", "understood_charge": "y", **extra}
    return client.post(path, data=fields)


def test_reorder_places_one_linked_charged_order(agent_client, gelato, sandbox, order_id):
    original = gelato.get_order(order_id("NW-1009"))
    path = f"/portal/orders/{original.id}/reorder"
    review, _ = walk_to_review(agent_client, path)
    html = review.get_data(as_text=True)
    assert "charged like any order" in html
    assert "<h2>Now</h2>" in html
    assert "<h2>New order</h2>" in html

    unticked = agent_client.post(path, data={**form_fields(html), "step": "confirm"})
    assert "Tick this to confirm" in unticked.get_data(as_text=True)

    done = confirm(agent_client, path, html)
    assert done.status_code == 200
    assert "Gelato accepted the reorder" in done.get_data(as_text=True)
    [new] = [
        o
        for o in gelato.search_orders(search=original.order_reference_id, limit=100)
        if o.id != original.id
    ]
    placed = gelato.get_order(new.id)
    assert placed.metadata["reorderOf"] == original.id
    assert [i.product_uid for i in placed.items] == [i.product_uid for i in original.items]

    again = confirm(agent_client, path, html)  # the same form, sent twice
    assert "had already placed order" in again.get_data(as_text=True)
    placed_now = list(gelato.search_orders(search=original.order_reference_id, limit=100))
    assert len(placed_now) == 2  # the original and one reorder


def test_twenty_simultaneous_submissions_of_one_form_place_one_order(app, gelato, sandbox):
    store = app.extensions["store"]
    [row] = sandbox.orders_with_reference("NW-1014")
    original = gelato.get_order(row["id"])
    sandbox.add_latency(0.05, method="POST", path="/v4/orders")  # widen the race window

    results = reorder_at_once(gelato, store, original, key="f" * 32, times=20)
    assert sandbox.calls_to("POST", "/v4/orders") == 1
    created = [r for r in results if r is not None]
    assert len(set(created)) == 1
    assert (
        len(gelato.find_orders_by_reference(placing.new_reference(original, "reorder", "f" * 32)))
        == 1
    )


def test_address_change_checks_fields_and_keeps_what_was_typed(agent_client, order_id):
    path = f"/portal/orders/{order_id('NW-1004')}/address"
    response, _fields = walk_to_review(
        agent_client, path, {"post_code": "1234567", "country": "FR", "city": "Bristol X"}
    )
    html = response.get_data(as_text=True)
    assert "is not a postcode of the shape used in" in html
    assert "The country cannot change (GB)" in html
    assert "place a reorder instead" in html
    assert 'value="Bristol X"' in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html


def test_address_change_cancels_then_places_a_corrected_copy(agent_client, gelato, order_id):
    original = gelato.get_order(order_id("NW-1004"))
    path = f"/portal/orders/{original.id}/address"
    review, _ = walk_to_review(agent_client, path, {"address_line1": "2 New Street"})
    html = review.get_data(as_text=True)
    assert original.shipping_address.address_line1 in html
    assert "2 New Street" in html
    done = confirm(agent_client, path, html)
    text = done.get_data(as_text=True)
    assert "accepted its replacement" in text
    assert gelato.get_order(original.id).fulfillment_status == "canceled"
    new_id = text.split("/portal/orders/")[1].split("/")[0]
    replacement = gelato.get_order(new_id) if new_id != original.id else None
    assert replacement is not None
    assert replacement.shipping_address.address_line1 == "2 New Street"
    assert replacement.metadata["replacesOrder"] == original.id


def test_shipping_method_change_offers_the_destinations_methods(agent_client, gelato, order_id):
    original = gelato.get_order(order_id("NW-1002"))
    path = f"/portal/orders/{original.id}/shipping-method"
    page = agent_client.get(path).get_data(as_text=True)
    assert page.count('name="shipment_method"') >= 2  # economy and express, at least
    other = next(
        m.split('"')[0]
        for m in page.split('name="shipment_method" value="')[1:]
        if m.split('"')[0] != original.shipment.shipment_method_uid
    )
    review, _ = walk_to_review(agent_client, path, {"shipment_method": other})
    done = confirm(agent_client, path, review.get_data(as_text=True))
    assert "accepted its replacement" in done.get_data(as_text=True)


def test_gelato_down_keeps_the_form_and_a_retry_places_one_order(
    agent_client, gelato, sandbox, order_id
):
    original = gelato.get_order(order_id("NW-1010"))
    path = f"/portal/orders/{original.id}/reorder"
    review, _ = walk_to_review(agent_client, path, {"phone": "+1 416 555 0100"})
    html = review.get_data(as_text=True)
    sandbox.fail_with(503, times=None, method="POST", path="/v4/orders")
    failed = confirm(agent_client, path, html)
    assert failed.status_code == 503
    text = failed.get_data(as_text=True)
    assert "Nothing you typed is lost" in text
    assert 'value="+1 416 555 0100"' in text
    sandbox.clear_faults()
    done = confirm(agent_client, path, text)
    assert "Gelato accepted the reorder" in done.get_data(as_text=True)
    reorders = list(gelato.search_orders(search=original.order_reference_id, limit=100))
    assert len(reorders) == 2


def test_cancel_refused_by_gelato_is_shown_in_plain_words(agent_client, gelato, sandbox, order_id):
    gelato_id = order_id("NW-1004")
    page = agent_client.get(f"/portal/orders/{gelato_id}/cancel").get_data(as_text=True)
    sandbox.fail_with(409, method="POST", path=f"/v4/orders/{gelato_id}:cancel")
    response = agent_client.post(
        f"/portal/orders/{gelato_id}/cancel", data={"csrf_token": form_token(page)}
    )
    assert response.status_code == 409
    assert "Gelato did not do it" in response.get_data(as_text=True)
