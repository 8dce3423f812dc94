"""The place-order steps as plain Python: no Flask, a sandbox client and a store of their own."""

from dataclasses import replace

import pytest

from portal.orders import placing, rules, wizard
from portal.orders.addresses import fields_of
from portal.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'wizard.sqlite3'}")
    store.upgrade()
    yield store
    store.close()


@pytest.fixture
def recorded():
    return []


@pytest.fixture
def step(gelato, store, recorded):
    def step(action, order, submission=None):
        return wizard.take_step(
            gelato,
            store,
            action=action,
            order=order,
            submission=submission,
            actor="ana",
            record=lambda *args, **fields: recorded.append((args, fields)),
        )

    return step


def sent(order, asked, key="k" * 32, understood=False, **changes):
    return wizard.Submission(
        key=key,
        address={**fields_of(order.shipping_address), **changes},
        shipment_method_uid=order.shipment.shipment_method_uid,
        asked=asked,
        understood_charge=understood,
    )


def test_opening_the_form_offers_the_methods_with_the_orders_own_chosen(step, gelato, order_id):
    order = gelato.get_order(order_id("NW-1004"))
    shown = step(rules.CHANGE_ADDRESS, order)
    assert shown.page == wizard.EDIT
    assert shown.method_uid == order.shipment.shipment_method_uid
    assert shown.methods
    assert shown.problems == {}


def test_a_refused_order_ends_on_the_closed_page(step, gelato, order_id):
    order = gelato.get_order(order_id("NW-1005"))  # in production
    shown = step(rules.CHANGE_ADDRESS, order, sent(order, wizard.REVIEW))
    assert shown.page == wizard.CLOSED
    assert shown.options.refusal is rules.why_not(rules.CHANGE_ADDRESS, "in_production")


def test_problems_go_back_to_the_form_cleaned_and_beside_their_fields(step, gelato, order_id):
    order = gelato.get_order(order_id("NW-1004"))
    shown = step(rules.CHANGE_ADDRESS, order, sent(order, wizard.REVIEW, country="fr", city=" X "))
    assert shown.page == wizard.EDIT
    assert "The country cannot change (GB)" in shown.problems["country"]
    assert shown.address["country"] == "FR"
    assert shown.address["city"] == "X"


def test_review_then_confirm_without_the_tick_places_nothing(step, gelato, order_id, sandbox):
    order = gelato.get_order(order_id("NW-1009"))
    review = step(rules.REORDER, order, sent(order, wizard.REVIEW))
    assert review.page == wizard.REVIEWING
    assert review.new_address.address_line1 == order.shipping_address.address_line1
    unticked = step(rules.REORDER, order, sent(order, wizard.CONFIRM))
    assert unticked.page == wizard.REVIEWING
    assert "understood_charge" in unticked.problems
    assert sandbox.calls_to("POST", "/v4/orders") == 0


def test_confirmed_it_places_the_order_once_and_records_it(step, gelato, order_id, recorded):
    order = gelato.get_order(order_id("NW-1009"))
    done = step(rules.REORDER, order, sent(order, wizard.CONFIRM, understood=True))
    assert done.page == wizard.PLACED
    assert done.placed.order.metadata["reorderOf"] == order.id
    assert "Gelato accepted the reorder" in placing.placed_message(done.placed)
    again = step(rules.REORDER, order, sent(order, wizard.CONFIRM, understood=True))
    assert again.placed.repeated
    assert again.placed.order.id == done.placed.order.id
    assert [(args, fields["order_id"]) for args, fields in recorded] == [
        (("reorder", "succeeded"), order.id)
    ]


def test_gelato_down_keeps_the_review_and_answers_503(step, gelato, order_id, sandbox):
    order = gelato.get_order(order_id("NW-1009"))
    sandbox.fail_with(503, times=None, method="POST", path="/v4/orders")
    failed = step(rules.REORDER, order, sent(order, wizard.CONFIRM, understood=True))
    assert failed.page == wizard.REVIEWING
    assert failed.http_status == 503
    assert failed.error.retry_safe


def test_a_confirmed_method_no_longer_offered_is_never_swapped_for_another(
    step, gelato, order_id, recorded
):
    """The review showed one method; if Gelato no longer offers it when the agent confirms,
    nothing is placed with another in its place: the form asks again."""
    order = gelato.get_order(order_id("NW-1009"))
    gone = wizard.Submission(
        key="g" * 32,
        address=fields_of(order.shipping_address),
        shipment_method_uid="a_method_no_longer_offered",
        asked=wizard.CONFIRM,
        understood_charge=True,
    )
    shown = step(rules.REORDER, order, gone)
    assert shown.page == wizard.EDIT
    assert shown.problems == {"shipment_method": wizard.METHOD_PROBLEM}
    assert recorded == []
    reviewed = step(rules.REORDER, order, replace(gone, asked=wizard.REVIEW))
    assert reviewed.page == wizard.REVIEWING  # on review, the order's own is offered instead
    assert reviewed.method_uid == order.shipment.shipment_method_uid
