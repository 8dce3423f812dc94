"""What each order status allows: Gelato's documented rules, read strictly."""

import pytest

from portal import sources
from portal.gelato.models import Item, Order
from portal.orders import rules

#: Every fulfillment status of gelato-api.md, section 2.
DOCUMENTED_STATUSES = {
    "created",
    "uploading",
    "passed",
    "in_production",
    "printed",
    "draft",
    "failed",
    "canceled",
    "pending_approval",
    "pending_personalization",
    "digitizing",
    "not_connected",
    "on_hold",
    "shipped",
    "in_transit",
    "delivered",
    "returned",
}


def codes(statuses):
    return {status.code for status in statuses}


def test_every_documented_status_has_rules():
    assert set(rules.STATUSES) == DOCUMENTED_STATUSES


def test_cancel_only_before_production():
    assert codes(rules.statuses_allowing(rules.CANCEL_ORDER)) == {
        "created",
        "uploading",
        "passed",
        "pending_approval",
        "pending_personalization",
        "digitizing",
        "not_connected",
        "on_hold",
    }


@pytest.mark.parametrize("action", [rules.CHANGE_ADDRESS, rules.CHANGE_SHIPPING_METHOD])
def test_changes_only_while_passed(action):
    assert codes(rules.statuses_allowing(action)) == {"passed"}


@pytest.mark.parametrize("action", [rules.CHECK_STATUS, rules.CHECK_TRACKING])
def test_looking_is_always_possible(action):
    assert codes(rules.statuses_allowing(action)) == DOCUMENTED_STATUSES


def test_in_production_cannot_be_canceled_and_points_to_the_damage_article():
    refusal = rules.why_not("cancel-order", "in_production")
    assert "Production has begun" in refusal.reason
    assert refusal.see.path == "support/damaged-product.md"


def test_address_after_print_names_the_exception_gelato_allows():
    refusal = rules.why_not(rules.CHANGE_ADDRESS, "printed")
    assert "asked you to correct this address" in refusal.next_step
    assert refusal.see.path == "support/address-problem.md"


def test_allowed_actions_come_in_the_usual_order():
    assert [a.slug for a in rules.allowed_actions("passed")] == [
        "check-status",
        "check-tracking",
        "change-address",
        "change-shipping-method",
        "cancel-order",
    ]
    assert rules.why_not("cancel-order", "passed") is None
    assert rules.is_allowed("cancel-order", "passed")


def test_every_refusal_says_why_and_what_to_do_instead():
    for status in rules.STATUSES.values():
        for slug, refusal in status.refusals.items():
            assert rules.action(slug)
            assert refusal.reason.endswith(".")
            assert refusal.next_step.endswith((".", "?"))


def test_a_status_gelato_adds_later_allows_looking_only():
    assert [a.slug for a in rules.allowed_actions("being_teleported")] == [
        "check-status",
        "check-tracking",
    ]
    assert "does not know" in rules.why_not("reorder", "being_teleported").reason


def test_an_unknown_action_is_an_error():
    with pytest.raises(KeyError):
        rules.is_allowed("refund", "passed")


def test_each_action_has_its_own_portal_form_and_article():
    assert len({a.portal_path for a in rules.ACTIONS}) == len(rules.ACTIONS) == 6
    assert rules.CANCEL_ORDER.portal_path == "/portal/actions/cancel-order/"
    assert rules.CANCEL_ORDER.article.url == "/actions/cancel-order/"
    assert rules.STATUSES["on_hold"].article_url == "/reference/statuses/#on_hold"


def test_every_status_belongs_to_a_stage():
    for status in rules.STATUSES.values():
        assert status.stage in rules.STAGES


def test_the_sandbox_refuses_to_cancel_exactly_what_the_rules_refuse():
    # The API emulator follows the rules table; this proves it by cancelling one of each status.
    from portal.gelato.errors import NotCancellable
    from portal.gelato.sandbox import create_sandbox, in_process_client
    from tests.orders.conftest import orders_by_status

    sandbox = create_sandbox()
    with in_process_client(sandbox) as gelato:
        accepted = set()
        for code, order_id in orders_by_status(gelato).items():
            try:
                gelato.cancel_order(order_id)
            except NotCancellable:
                continue
            accepted.add(code)
    assert accepted == codes(rules.statuses_allowing(rules.CANCEL_ORDER))


def test_a_reorder_before_print_is_refused_as_our_practice_not_gelatos():
    # Gelato's Dashboard sets no status limit on a reorder: the refusal must say it is ours.
    refusal = rules.why_not(rules.REORDER, "passed")
    assert refusal.reason.startswith("Our practice, not a Gelato limit")
    assert sources.OUR_PRACTICE in refusal.reason_sources
    assert sources.OUR_PRACTICE in rules.window(rules.REORDER).sources


def test_the_shipping_method_limit_is_ours_and_borrowed_from_the_address():
    window = rules.window(rules.CHANGE_SHIPPING_METHOD)
    assert window.rule.startswith("Our practice")
    assert sources.OUR_PRACTICE in window.sources
    assert sources.HC_CHANGE_ADDRESS in window.sources
    for code in ("created", "in_production", "on_hold"):
        assert sources.OUR_PRACTICE in rules.why_not(rules.CHANGE_SHIPPING_METHOD, code).sources


def test_the_cancel_limit_names_every_reading_and_the_one_followed():
    window = rules.window(rules.CANCEL_ORDER)
    disagreement = window.disagreement
    assert disagreement is rules.CANCEL_LIMIT
    assert [reading.source for reading in disagreement.readings] == [
        sources.API_STATUSES,
        sources.API_CANCEL,
        sources.HC_CHANGE_OR_CANCEL,
        sources.HC_CANCEL_EARLIER,
    ]
    assert "not from in_production on" in disagreement.followed
    assert disagreement.why
    # The waiting states are cancellable by our reading of Gelato's silence: assumption A4.
    assert sources.A4_CANCEL in window.sources


def test_a_passed_order_is_usually_printed_the_next_morning():
    passed = rules.STATUSES["passed"]
    assert "usually printed the next morning" in passed.meaning
    assert sources.HC_PRINT_TIMING in passed.sources


def test_refusal_reasons_show_as_typed_in_a_page():
    # The portal prints a reason as it is, and a test finds it in the escaped page: no character
    # that HTML escapes.
    for status in rules.STATUSES.values():
        for refusal in status.refusals.values():
            assert not set(refusal.reason) & set("&<>\"'"), refusal.reason


@pytest.mark.parametrize("action", rules.ACTIONS, ids=lambda a: a.slug)
def test_every_action_carries_its_own_facts(action):
    assert action.icon.startswith("material-")
    # An action either has a form of its own or is answered on the order's page.
    assert bool(action.endpoint) != bool(action.anchor)
    assert (action.audit_name is None) == (action.endpoint is None)
    assert action.places_order or not action.replaces_original


def order_with(order_status, *item_statuses):
    """An order as Gelato returns it, its items in the given statuses."""
    items = [
        Item(f"item-{n}", "poster", 1, product_name=f"Poster {n}", fulfillment_status=status)
        for n, status in enumerate(item_statuses, start=1)
    ]
    return Order(
        id="o-1",
        order_reference_id="NW-1",
        customer_reference_id="c-1",
        order_type="order",
        fulfillment_status=order_status,
        financial_status="paid",
        currency="EUR",
        items=tuple(items),
    )


@pytest.mark.parametrize("action", [rules.CANCEL_ORDER, rules.CHANGE_ADDRESS])
def test_one_printed_item_is_enough_to_refuse_a_cancel_and_a_change(action):
    # An order is as far along as its least advanced item: this one still says passed.
    order = order_with("passed", "passed", "printed")
    decision = rules.decide(action, order)
    assert decision.refusal is rules.why_not(action, "printed")
    assert decision.item.product_name == "Poster 2"
    assert sources.API_CANCEL in decision.sources
    assert not rules.can_replace(order)
    assert rules.can_cancel_and_replace("passed", "order")  # the order's status alone would allow


def test_an_item_further_along_never_opens_what_the_order_refuses():
    on_hold = order_with("on_hold", "on_hold", "passed")
    assert rules.decide(rules.CHANGE_ADDRESS, on_hold).refusal is rules.why_not(
        rules.CHANGE_ADDRESS, "on_hold"
    )
    assert rules.decide(rules.CHANGE_ADDRESS, on_hold).item is None
    assert rules.decide(rules.CANCEL_ORDER, on_hold).allowed


def test_the_reorder_is_decided_by_the_order_not_by_its_items():
    order = order_with("passed", "passed", "printed")
    assert rules.decide(rules.REORDER, order).refusal is rules.why_not(rules.REORDER, "passed")
    assert rules.decide(rules.REORDER, order).item is None


def test_items_at_the_orders_own_status_decide_nothing_new():
    order = order_with("passed", "passed", "passed")
    assert rules.decide(rules.CANCEL_ORDER, order) == rules.Decision(None)


def test_the_statuses_a_next_step_names_are_linked_but_verbs_are_not():
    pieces = rules.status_mentions(
        "Check it shows passed; if delivery failed and it comes back (returned)."
    )
    named = [(text, status.code) for text, status in pieces if status]
    assert named == [("passed", "passed"), ("returned", "returned")]
    assert "".join(text for text, _ in pieces).endswith("(returned).")
