"""Cancel-and-re-place through the real app over HTTP, against the sandbox served as its own
process with faults: whatever fails after the cancel, the replacement is owed, shown, and placed
once with what the agent typed."""

import pytest

from tests.orders.conftest import add_fault

NEW_LINE = "7 Corrected Lane"


@pytest.fixture
def nw1004(gelato_server_app):
    [order] = gelato_server_app.extensions["gelato"].find_orders_by_reference("NW-1004")
    return order.id


def reviewed(agent, order_id):
    path = f"/portal/orders/{order_id}/address"
    review = agent.review(path, address_line1=NEW_LINE)
    assert review.status_code == 200
    assert "What happens when you confirm" in review.text
    return path, review.text


def replacements(app_server):
    gelato = app_server.app.extensions["gelato"]
    found = gelato.search_orders(search="NW-1004", limit=100)
    return [o for o in found if o.order_reference_id.startswith("NW-1004-C")]


def audit_steps(app_server):
    entries = app_server.app.extensions["store"].audit.list(action="change_address")
    return [(e.outcome, e.request.split('"step": "')[1].split('"')[0]) for e in reversed(entries)]


def test_gelato_down_after_the_cancel_owes_the_replacement_until_one_click_places_it(
    app_server, gelato_server, ana, bo, nw1004
):
    path, review = reviewed(ana, nw1004)
    add_fault(
        gelato_server, kind="status", status=503, method="POST", path="/v4/orders", times=None
    )
    failed = ana.confirm(path, review)
    assert failed.status_code == 503
    assert "Replacement owed: order NW-1004 is canceled" in failed.text
    assert "Nothing you typed is lost" in failed.text

    # Persistent: the order's page and every agent's portal home say so, with a one-click resume.
    for page in (ana.get(f"/portal/orders/{nw1004}/").text, bo.get("/portal/").text):
        assert "Replacement owed: order NW-1004 is canceled" in page
        assert NEW_LINE in page  # what Ana typed is kept
        assert "Place the replacement now" in page
    # Confirming the old review again while Gelato is still down: no refusal, still owed.
    again = ana.confirm(path, review)
    assert "Not possible through self-service" not in again.text
    assert "Replacement owed" in again.text
    assert replacements(app_server) == []

    gelato_server.clear_faults()
    placed = bo.press(bo.get("/portal/").text, "Place the replacement now")
    assert placed.status_code == 200
    assert "accepted its replacement" in placed.text
    [replacement] = replacements(app_server)
    full = app_server.app.extensions["gelato"].get_order(replacement.id)
    assert full.shipping_address.address_line1 == NEW_LINE
    assert "Replacement owed" not in bo.get("/portal/").text
    assert "Replacement owed" not in ana.get(f"/portal/orders/{nw1004}/").text
    assert audit_steps(app_server) == [
        ("succeeded", "cancel the original"),
        ("failed", "place the replacement"),
        ("failed", "place the replacement"),
        ("succeeded", "place the replacement"),
    ]


def test_rate_limited_after_the_cancel_confirm_again_places_it_once(
    app_server, gelato_server, ana, nw1004
):
    path, review = reviewed(ana, nw1004)
    add_fault(
        gelato_server,
        kind="status",
        status=429,
        retryAfter=60,
        method="POST",
        path="/v4/orders",
        times=None,
    )
    throttled = ana.confirm(path, review)
    assert throttled.status_code == 503
    assert "too many requests" in throttled.text
    assert "Replacement owed" in throttled.text
    gelato_server.clear_faults()
    done = ana.confirm(path, review)  # the same review page, confirmed again
    assert "accepted its replacement" in done.text
    assert len(replacements(app_server)) == 1


def test_an_unanswered_cancel_is_owed_too_and_the_resume_cancels_before_placing(
    app_server, gelato_server, ana, nw1004
):
    path, review = reviewed(ana, nw1004)
    add_fault(
        gelato_server,
        kind="status",
        status=503,
        method="POST",
        path=f"/v4/orders/{nw1004}:cancel",
        times=None,
    )
    failed = ana.confirm(path, review)
    assert failed.status_code == 503
    assert "Replacement owed: order NW-1004 may be canceled" in failed.text
    gelato_server.clear_faults()
    order_page = ana.get(f"/portal/orders/{nw1004}/").text
    placed = ana.press(order_page, "Place the replacement now")
    assert "accepted its replacement" in placed.text
    assert len(replacements(app_server)) == 1
    assert app_server.app.extensions["gelato"].get_order(nw1004).fulfillment_status == "canceled"


def test_an_ambiguous_create_is_looked_up_not_placed_again(app_server, gelato_server, ana, nw1004):
    path, review = reviewed(ana, nw1004)
    # The create lands, its answer is lost, and the look by reference fails as well.
    add_fault(
        gelato_server,
        kind="status",
        status=500,
        method="POST",
        path="/v4/orders",
        afterProcessing=True,
    )
    add_fault(gelato_server, kind="status", status=500, method="POST", path="/v4/orders:search")
    failed = ana.confirm(path, review)
    assert failed.status_code == 503
    assert "Replacement owed" in failed.text
    placed = ana.press(failed.text, "Place the replacement now")
    assert "accepted its replacement" in placed.text
    creates = [
        c for c in gelato_server.calls() if (c["method"], c["path"]) == ("POST", "/v4/orders")
    ]
    assert len(creates) == 1
    assert len(replacements(app_server)) == 1


def test_a_refused_cancel_places_nothing_and_owes_nothing(app_server, gelato_server, ana, nw1004):
    path, review = reviewed(ana, nw1004)
    add_fault(
        gelato_server, kind="status", status=409, method="POST", path=f"/v4/orders/{nw1004}:cancel"
    )
    refused = ana.confirm(path, review)
    assert refused.status_code == 409
    assert "Gelato did not do it" in refused.text
    assert "Replacement owed" not in refused.text
    assert "Replacement owed" not in ana.get("/portal/").text
    assert replacements(app_server) == []
    assert audit_steps(app_server) == [("refused", "cancel the original")]


def test_a_second_change_begun_in_another_tab_is_sent_to_the_owed_one(
    app_server, gelato_server, ana, bo, nw1004
):
    path, review = reviewed(ana, nw1004)
    add_fault(
        gelato_server, kind="status", status=503, method="POST", path="/v4/orders", times=None
    )
    ana.confirm(path, review)
    gelato_server.clear_faults()
    other = bo.get(f"/portal/orders/{nw1004}/shipping-method")
    assert "Finish the change above before you begin another" in other.text
    assert 'name="step" value="review"' not in other.text
    placed = bo.press(other.text, "Place the replacement now")
    assert "accepted its replacement" in placed.text
    [replacement] = replacements(app_server)
    full = app_server.app.extensions["gelato"].get_order(replacement.id)
    assert full.shipping_address.address_line1 == NEW_LINE  # Ana's change, placed by Bo


def test_the_replacement_page_of_an_order_with_nothing_owed_says_so(ana, nw1004):
    page = ana.get(f"/portal/orders/{nw1004}/replacement")
    assert page.status_code == 200
    assert "Nothing is owed on this order" in page.text


def test_resuming_an_unknown_key_is_404(ana, nw1004):
    page = ana.get(f"/portal/orders/{nw1004}/replacement").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = ana.post(
        f"/portal/orders/{nw1004}/replacement", {"csrf_token": token, "key": "x" * 32}
    )
    assert answer.status_code == 404
