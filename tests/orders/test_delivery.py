"""The "where is my order?" verdict for each branch of the decision path."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.gelato.models import Item, Order, Package, Shipment, StatusChange
from portal.orders.delivery import delivery_verdict

TODAY = date(2026, 11, 23)


def order(status, latest_in_days=None, tracking=None):
    shipment = None
    if latest_in_days is not None:
        latest = TODAY + timedelta(days=latest_in_days)
        packages = (Package(id="p", tracking_code="T1", tracking_url=tracking),) if tracking else ()
        shipment = Shipment(
            id="s",
            shipment_method_uid="dhl",
            shipment_method_name="DHL",
            min_delivery_date=latest - timedelta(days=2),
            max_delivery_date=latest,
            packages=packages,
        )
    return Order(
        id="o",
        order_reference_id="R",
        customer_reference_id="C",
        order_type="order",
        fulfillment_status=status,
        financial_status="paid",
        currency="EUR",
        shipment=shipment,
    )


@pytest.mark.parametrize(
    ("status", "latest_in_days", "code", "contact_gelato"),
    [
        ("passed", 5, "on_time", False),
        ("shipped", 1, "on_time", False),
        ("printed", -2, "not_dispatched", True),
        ("in_production", -1, "not_dispatched", True),
        ("in_transit", -3, "delayed", False),
        ("delivered", -10, "delivered", False),
        ("returned", -1, "returned", False),
        ("canceled", None, "stopped", False),
        ("on_hold", None, "waiting", False),
        ("passed", None, "no_estimate", False),
    ],
)
def test_each_branch(status, latest_in_days, code, contact_gelato):
    verdict = delivery_verdict(order(status, latest_in_days), TODAY)
    assert (verdict.code, verdict.contact_gelato) == (code, contact_gelato)
    assert verdict.customer_reply


def test_the_latest_estimated_day_itself_is_still_on_time():
    assert delivery_verdict(order("in_transit", 0), TODAY).code == "on_time"


def test_replies_carry_the_tracking_link_once_there_is_one():
    shipped = order("shipped", 3, tracking="https://track.example/T1")
    assert "https://track.example/T1" in delivery_verdict(shipped, TODAY).customer_reply
    not_shipped = delivery_verdict(order("passed", 3), TODAY).customer_reply
    assert "tracking link as soon as it ships" in not_shipped


@pytest.mark.parametrize(
    ("status", "latest_in_days", "leads_to"),
    [
        ("in_transit", -3, "delivery-problem"),
        ("printed", -2, "delivery-problem"),
        ("in_transit", 2, None),
        ("on_hold", None, None),
    ],
)
def test_a_late_order_is_late_and_leads_to_the_delivery_request(status, latest_in_days, leads_to):
    verdict = delivery_verdict(order(status, latest_in_days), TODAY)
    assert verdict.late == (leads_to is not None)
    assert verdict.request == leads_to


def test_every_request_a_verdict_leads_to_is_a_scenario():
    from portal.orders import delivery
    from portal.requests.scenarios import scenario

    for slug in (delivery.DELIVERY_PROBLEM_REQUEST, delivery.DAMAGED_PRODUCT_REQUEST):
        assert scenario(slug).portal_path


def delivered(days_ago):
    arrived = datetime.combine(TODAY - timedelta(days=days_ago), time(9), tzinfo=UTC)
    item = Item(
        "i",
        "poster",
        1,
        fulfillment_status="delivered",
        status_history=(StatusChange("delivered", arrived),),
    )
    return replace(order("delivered", -days_ago), items=(item,), updated_at=datetime.now(UTC))


def test_the_damage_window_counts_from_the_items_delivery_not_the_last_change():
    inside = delivery_verdict(delivered(30), TODAY)
    assert inside.request == "damaged-product"
    assert "can be reported until 23 Nov 2026" in inside.advice
    outside = delivery_verdict(delivered(31), TODAY)
    assert outside.request is None
    assert "closed on 22 Nov 2026" in outside.advice
    assert "31 days ago" in outside.advice


def test_a_delivery_gelato_did_not_date_still_offers_the_report():
    verdict = delivery_verdict(order("delivered", -3), TODAY)
    assert verdict.request == "damaged-product"
    assert "ask the customer" in verdict.advice
