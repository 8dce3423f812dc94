"""The "where is my order?" verdict for each branch of the decision path."""

from datetime import date, timedelta

import pytest

from portal.gelato.models import Order, Package, Shipment
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
